/**
 * Page-side helpers (`image-cdn-kit/page`): image URLs, `srcset` and `<img>` attributes in the one spelling the edge
 * caches. Browser-safe: this module imports the contract and the resizer's size arithmetic only (both pure), never
 * cdktf, sharp or a node: module; a test bundles it for the browser to keep it so. Signing stays on the server:
 * pass `sign`, e.g. wrapping signImageUrl, where the secret lives.
 */
import {
  DEFAULT_FIT,
  BROADEST_CONFIG,
  HINTED_WIDTH,
  PARAMETERS,
  PRESET_NAME,
  PRESET_PARAM,
  RESIZE_PARAMS,
  urlPathOfKey,
  type ParameterDeclaration,
  type ResizeParam,
  type ResizeValues,
} from "../../lambda-src/core/contract";
// The resizer core's own parser and size arithmetic (pure; errors.ts is their only import), so URLs and sizes are
// exactly the edge's and the resizer's.
import { canonicalQuery } from "../../lambda-src/core/params";
import { planResize } from "../../lambda-src/core/plan";

/** What a signer is given: the canonical parameters, or `{ preset }`; the same shape signImageUrl takes. */
export type SignerParams = Partial<Record<ResizeParam | typeof PRESET_PARAM, string | number>>;
/** Returns the complete signed URL of `key` with `params`, e.g. `(key, params) => signImageUrl(BASE, key, params, secret)`. */
export type ImageUrlSigner = (key: string, params: SignerParams) => string;

/** Where URLs point: `base` (the distribution's URL), or `sign`, which writes the whole URL itself. */
export type UrlOptions = { readonly base: string; readonly sign?: undefined } | { readonly sign: ImageUrlSigner; readonly base?: undefined };

/** A variant by its parameters, or a preset by name (the edge expands it; it takes no other parameter). */
export type PageParams = ResizeValues | { readonly preset: string };

/** The entries of a `srcset`: widths (each becomes `w`, with `params`), or presets. */
export type SrcSetOptions = UrlOptions &
  (
    | { readonly widths: readonly number[]; readonly params?: ResizeValues; readonly presets?: undefined }
    /**
     * Preset name -> what it holds, as given to ImageCdn's `presets` (pass the same object or a subset). Each needs
     * `w`, its `w` descriptor; URLs carry `?preset=<name>` only.
     */
    | { readonly presets: Readonly<Record<string, ResizeValues>>; readonly widths?: undefined; readonly params?: undefined }
  );

/** An original's size upright (EXIF orientation applied), as the resizer plans from it. */
export interface ImageFacts {
  readonly displayWidth: number;
  readonly displayHeight: number;
}

export type ImgAttributesOptions = SrcSetOptions & {
  /** The `sizes` attribute; default `100vw`, what browsers assume without one. */
  readonly sizes?: string;
  /** The original's size: gives `width` and `height` (the `src` variant's, so the layout reserves its aspect ratio). */
  readonly image?: ImageFacts;
};

export interface ImgAttributes {
  src: string;
  srcset: string;
  sizes: string;
  width?: number;
  height?: number;
}


/**
 * The URL of `key` with `params`. The query is the edge's canonical form (its x-resize-params, by the resizer core's
 * canonicalQuery): the contract's parameters sorted, values in their one spelling, dpr folded into w and h, fixed
 * defaults dropped, `format=auto` when all were defaults. `q` is kept as given: its default is the deployment's. No
 * parameters: the original's URL.
 */
export function imageUrl(key: string, params: PageParams, options: UrlOptions): string {
  return urlOf("imageUrl", key, params, options);
}

/** A `srcset` with `w` descriptors, ascending: "URL 320w, URL 640w". */
export function imageSrcSet(key: string, options: SrcSetOptions): string {
  return srcSetEntries("imageSrcSet", key, options).map((entry) => `${entry.url} ${entry.width}w`).join(", ");
}

/**
 * `src`, `srcset`, `sizes` and, given the original's size, `width` and `height` for an `<img>`. `src` is the widest
 * entry; width and height are that variant's as the resizer makes it (never larger than the original).
 */
export function imgAttributes(key: string, options: ImgAttributesOptions): ImgAttributes {
  const entries = srcSetEntries("imgAttributes", key, options);
  const widest = entries[entries.length - 1] as SrcSetEntry;
  const attributes: ImgAttributes = {
    src: widest.url,
    srcset: entries.map((entry) => `${entry.url} ${entry.width}w`).join(", "),
    sizes: options.sizes ?? "100vw",
  };
  if (options.image !== undefined) Object.assign(attributes, variantSize("imgAttributes", options.image, widest.params));
  return attributes;
}

interface SrcSetEntry {
  readonly width: number;
  readonly url: string;
  readonly params: ResizeValues;
}

function srcSetEntries(caller: string, key: string, options: SrcSetOptions): SrcSetEntry[] {
  let entries: SrcSetEntry[];
  if (options.widths !== undefined) {
    if (options.presets !== undefined) throw new Error(`${caller}: give widths or presets, not both`);
    const params = options.params ?? {};
    if (params.w !== undefined) throw new Error(`${caller}: params.w conflicts with widths (each width is a w)`);
    // A w descriptor is the candidate's width in pixels; the browser already picks by its DPR among them.
    if (params.dpr !== undefined) throw new Error(`${caller}: params.dpr conflicts with widths (the browser chooses a width for its DPR)`);
    // Equal widths would be one srcset candidate twice, which HTML forbids: one each.
    const widths = [...new Set(options.widths)];
    entries = widths.map((width) => {
      if (!Number.isInteger(width) || width < 1) throw new Error(`${caller}: widths must be positive integers, got ${String(width)}`);
      const variant = { ...params, w: width };
      return { width, url: urlOf(caller, key, variant, options), params: variant };
    });
  } else if (options.presets !== undefined) {
    if ((options as { params?: unknown }).params !== undefined) throw new Error(`${caller}: a preset takes no other parameter: give params with widths, not presets`);
    const byWidth = new Map<number, string>();
    entries = Object.entries(options.presets).map(([name, preset]) => {
      checkPresetName(caller, name);
      const width = canonicalPairs(`${caller}: preset ${name}:`, preset).find(([param]) => param === "w")?.[1];
      if (width === undefined || width === HINTED_WIDTH) throw new Error(`${caller}: preset ${name} has no w in pixels, which its srcset width descriptor needs`);
      const other = byWidth.get(Number(width));
      if (other !== undefined) throw new Error(`${caller}: presets ${other} and ${name} have the same w (${width}); a srcset takes one candidate per width`);
      byWidth.set(Number(width), name);
      return { width: Number(width), url: urlOf(caller, key, { preset: name }, options), params: preset };
    });
  } else {
    throw new Error(`${caller}: give widths or presets`);
  }
  if (entries.length === 0) throw new Error(`${caller}: widths or presets must not be empty`);
  return entries.sort((a, b) => a.width - b.width);
}

function urlOf(caller: string, key: string, params: PageParams, options: UrlOptions): string {
  if (typeof key !== "string" || key === "" || key.startsWith("/")) throw new Error(`${caller}: key must be an object key without a leading '/', got ${JSON.stringify(key)}`);
  let pairs: [string, string | number][];
  if (PRESET_PARAM in params) {
    const others = Object.keys(params).filter((name) => name !== PRESET_PARAM);
    if (others.length > 0) throw new Error(`${caller}: a preset takes no other parameter, got ${others.join(", ")}`);
    checkPresetName(caller, params.preset);
    pairs = [[PRESET_PARAM, params.preset]];
  } else {
    pairs = canonicalPairs(`${caller}:`, params);
  }
  if (options.sign !== undefined) return options.sign(key, Object.fromEntries(pairs));
  if (typeof options.base !== "string") throw new Error(`${caller}: give base (the distribution's URL) or sign`);
  const query = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
  return `${options.base.replace(/\/+$/, "")}${urlPathOfKey(key)}${query === "" ? "" : `?${query}`}`;
}

/**
 * The parameters as the edge's x-resize-params holds them (the resizer core's canonicalQuery: one spelling per
 * value, dpr folded into w and h, fixed defaults dropped, sorted), after checking each is of its declared JS type.
 * q is kept as given: its default is the deployment's, unknown here.
 */
function canonicalPairs(prefix: string, params: ResizeValues): [ResizeParam, string][] {
  const given = params as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(given)) {
    if (!(RESIZE_PARAMS as readonly string[]).includes(name) && given[name] !== undefined) {
      throw new Error(`${prefix} unknown parameter ${JSON.stringify(name)}; allowed: ${RESIZE_PARAMS.join(", ")} (or preset alone)`);
    }
  }
  const query = new URLSearchParams();
  for (const name of RESIZE_PARAMS) {
    const value = given[name];
    if (value === undefined) continue;
    const declaration: ParameterDeclaration = PARAMETERS[name];
    const numeric = declaration.type === "integer" || declaration.type === "decimal";
    const hinted = "hinted" in declaration && value === HINTED_WIDTH;
    const text = hinted ? HINTED_WIDTH : numeric ? (typeof value === "number" && Number.isFinite(value) ? String(value) : undefined) : typeof value === "string" ? value : undefined;
    if (text === undefined) throw new Error(`${prefix} ${name} must be a ${numeric ? "number" : "string"}, got ${JSON.stringify(value)}`);
    query.set(name, text);
  }
  try {
    const canonical = canonicalQuery(query, BROADEST_CONFIG, { deploymentDefaults: false });
    return canonical === "" ? [] : canonical.split("&").map((pair) => pair.split("=") as [ResizeParam, string]);
  } catch (error) {
    throw new Error(`${prefix} ${(error as Error).message}`);
  }
}

function checkPresetName(caller: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !PRESET_NAME.test(name)) {
    throw new Error(`${caller}: preset must be a preset name (${PRESET_NAME.source}), got ${JSON.stringify(name)}`);
  }
}

function variantSize(caller: string, image: ImageFacts, params: ResizeValues): { width: number; height: number } {
  for (const side of ["displayWidth", "displayHeight"] as const) {
    const value = image[side];
    if (!Number.isInteger(value) || value < 1) throw new Error(`${caller}: image.${side} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  const source = { width: image.displayWidth, height: image.displayHeight };
  const { width, height } = planResize(source, { width: params.w === HINTED_WIDTH ? undefined : params.w, height: params.h, fit: params.fit ?? DEFAULT_FIT }) ?? source;
  return { width, height };
}
