/**
 * The URL contract and the resizer's configuration, stated once. The ImageCdn construct writes the
 * configuration into the function's environment (names in RESIZER_ENV), which the handler reads once per
 * container, and the contract and configuration into the viewer-request CloudFront Function at synth.
 * This module is pure and imports nothing heavy: the construct imports it too.
 */

/**
 * The image formats the resizer reads and writes, one row each. `mime` is the Content-Type of a variant in that
 * format and what HEAD reads an original's type by; `extensions` are the file names the preview serves it for;
 * `animated`: an animation in it is kept (an AVIF variant is a still image); `requestable`: `format=` may ask for it
 * (GIF is made only as an animated GIF's own format, for clients without WebP). What each costs to decode and
 * encode is measured, in limits.ts, by these names.
 */
export const IMAGE_FORMATS = {
  avif: { mime: "image/avif", extensions: [".avif"], animated: false, requestable: true },
  webp: { mime: "image/webp", extensions: [".webp"], animated: true, requestable: true },
  jpeg: { mime: "image/jpeg", extensions: [".jpg", ".jpeg"], animated: false, requestable: true },
  png: { mime: "image/png", extensions: [".png"], animated: false, requestable: true },
  gif: { mime: "image/gif", extensions: [".gif"], animated: true, requestable: false },
} as const satisfies Record<string, { mime: `image/${string}`; extensions: readonly `.${string}`[]; animated: boolean; requestable: boolean }>;
export type ImageFormat = keyof typeof IMAGE_FORMATS;
export const IMAGE_FORMAT_NAMES = Object.keys(IMAGE_FORMATS) as ImageFormat[];
type RequestableFormat = { [F in ImageFormat]: (typeof IMAGE_FORMATS)[F]["requestable"] extends true ? F : never }[ImageFormat];

/** `format=`'s values: `auto` (negotiated from Accept, output.ts) and each requestable format. */
export const OUTPUT_FORMATS = ["auto", ...IMAGE_FORMAT_NAMES.filter((format): format is RequestableFormat => IMAGE_FORMATS[format].requestable)] as const;
export type OutputFormat = "auto" | RequestableFormat;

/**
 * The answers that are not an image, apart from the formats: an error's one-line reason (the resizer's and the
 * edge's). An image's facts as JSON, when they come, are another such answer, not an image format.
 */
export const OTHER_ANSWERS = {
  error: { mime: "text/plain; charset=utf-8" },
  /** `format=json`: the original's facts (core/facts.ts), cached like a variant. */
  facts: { mime: "application/json", format: "json" },
} as const;
/** What `format=` may ask for: an image format, or the original's facts. */
export type RequestedFormat = OutputFormat | typeof OTHER_ANSWERS.facts.format;

/** The format whose MIME type is `type` (parameters and case ignored), if the resizer reads it. */
export function formatOfMimeType(type: string | undefined): ImageFormat | undefined {
  const bare = (type ?? "").split(";")[0]?.trim().toLowerCase();
  return IMAGE_FORMAT_NAMES.find((format) => IMAGE_FORMATS[format].mime === bare);
}

export const FITS = ["cover", "contain", "fill", "inside", "outside"] as const;
export type Fit = (typeof FITS)[number];

/** The largest `w` and `h` any deployment may allow (WebP's limit, the smallest of the output formats'). */
export const MAX_DIMENSION = 16383;
export const MAX_QUALITY = 100;

/** Where a cover crop keeps the image: libvips' content-aware strategies, or a compass gravity (sharp's `position`). */
export const POSITIONS = ["attention", "entropy", "center", "north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"] as const;
export type Position = (typeof POSITIONS)[number];

/**
 * The URL contract's parameters, one row each, in the order people write them (and presets hold them), the order
 * sharp applies the operations in. Each type has one canonical spelling per value, so a variant has one cache key:
 * - `integer`: 1 to `max` (a number or the ResizerConfig limit that bounds it), one of `allowList` when that is
 *   set (a list, or the ResizerConfig field that holds one); decimal digits, no sign or leading zero.
 * - `choice`: one of `values`.
 * - `decimal`: `min` to `max`, snapped to the nearest `step` ("2.625" is "2.5"), written without trailing zeros.
 * - `color`: 3 or 6 hex digits, snapped to 12 bits ("ff0000" is "f00"): at most 4,096 values.
 * `default` is a value or the ResizerConfig field that holds it (the edge drops it from the cache key), or null.
 * Every parameter is signable (a signature covers what it changes) and may be held by a preset. The edge
 * (modules/edge), the resizer (params.ts), presets, the signer, the preview and the README's table read this one.
 */
export const PARAMETERS = {
  w: { type: "integer", max: "maxWidth", allowList: "allowedWidths", default: null, hinted: true, doc: "output width in CSS pixels (times `dpr`); alone, keeps the aspect ratio; never enlarges; `auto` (with `clientHints`): the width the browser's client hints ask for, on the hint ladder" },
  h: { type: "integer", max: "maxHeight", allowList: "allowedHeights", default: null, doc: "output height in CSS pixels (times `dpr`); alone, keeps the aspect ratio; never enlarges" },
  dpr: { type: "decimal", min: 1, max: 4, step: 0.5, default: "1", doc: "device pixel ratio: `w` and `h` are multiplied by it at the edge (after their allow-lists, capped at `resizer.maxWidth`/`maxHeight`), so `w=300&dpr=2` is the variant `w=600`" },
  fit: { type: "choice", values: FITS, default: "cover", doc: "how the image fills `w` x `h` (sharp's fit)" },
  pos: { type: "choice", values: POSITIONS, default: "center", doc: "`fit=cover` only: what the crop keeps, `attention` (the most salient region) or `entropy` (the busiest), or a compass gravity" },
  fx: { type: "decimal", min: 0, max: 1, step: 0.05, default: null, doc: "`fit=cover` only: the focal point's x, 0 (left) to 1 (right): kept in frame and as central as the crop allows (with `fy`; not with `pos`)" },
  fy: { type: "decimal", min: 0, max: 1, step: 0.05, default: null, doc: "`fit=cover` only: the focal point's y, 0 (top) to 1 (bottom)" },
  rotate: { type: "integer", max: 270, allowList: [90, 180, 270], default: null, doc: "degrees clockwise, after the EXIF orientation; `w` and `h` are the rotated output's" },
  flip: { type: "choice", values: ["1"], default: null, doc: "mirror top to bottom (after `rotate`)" },
  flop: { type: "choice", values: ["1"], default: null, doc: "mirror left to right (after `flip`)" },
  blur: { type: "decimal", min: 0.5, max: 50, step: 0.5, default: null, doc: "Gaussian blur of the output, its sigma in pixels" },
  sharpen: { type: "decimal", min: 0.5, max: 5, step: 0.5, default: null, doc: "sharpen the output, sigma of the Gaussian mask in pixels" },
  bg: { type: "color", default: null, doc: "background, `rgb` or `rrggbb` hex (no `#`): `fit=contain`'s bars and the colour transparency becomes in a JPEG (default white, or transparent bars)" },
  format: { type: "choice", values: [...OUTPUT_FORMATS, OTHER_ANSWERS.facts.format], default: "auto", doc: "`auto`: AVIF or WebP as the browser's Accept allows, else the original's format; `json`: the original's facts (size, placeholder), alone" },
  q: { type: "integer", max: MAX_QUALITY, allowList: null, default: "defaultQuality", doc: "quality of a lossy format (on JPEG's scale; AVIF is mapped to look alike)" },
} as const satisfies Record<string, ParameterDeclaration>;

type ConfigNumber = { [K in keyof ResizerConfig]-?: ResizerConfig[K] extends number ? K : never }[keyof ResizerConfig];
type ConfigList = { [K in keyof ResizerConfig]-?: ResizerConfig[K] extends readonly number[] ? K : never }[keyof ResizerConfig];
export type ParameterDeclaration =
  | {
      readonly type: "integer";
      readonly max: number | ConfigNumber;
      readonly allowList: ConfigList | readonly number[] | null;
      readonly default: ConfigNumber | null;
      /** Also takes HINTED_WIDTH ("auto") when the deployment reads client hints. */
      readonly hinted?: true;
      readonly doc: string;
    }
  | { readonly type: "choice"; readonly values: readonly string[]; readonly default: string | null; readonly doc: string }
  | { readonly type: "decimal"; readonly min: number; readonly max: number; readonly step: number; readonly default: string | null; readonly doc: string }
  | { readonly type: "color"; readonly default: null; readonly doc: string };

export type ResizeParam = keyof typeof PARAMETERS;
/** The parameters in the order the contract declares them (presets, the README). */
export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ResizeParam[];
/** The same, sorted: the order of the edge's canonical form ("fit=inside&w=500"), so one variant has one key. */
export const RESIZE_PARAMS = [...PARAMETER_NAMES].sort();

/** A parameter's value as code holds it: the union of a choice's values, a colour's hex digits, else a number. */
export type ParameterValue<P extends ResizeParam> = (typeof PARAMETERS)[P] extends { readonly values: readonly (infer V)[] }
  ? V
  : (typeof PARAMETERS)[P] extends { readonly type: "color" } ? string
  : (typeof PARAMETERS)[P] extends { readonly hinted: true } ? number | typeof HINTED_WIDTH : number;
/** Every parameter, optional, typed: what a preset holds (PresetProps) and what the signer takes. */
export type ResizeValues = { readonly [P in ResizeParam]?: ParameterValue<P> };

/** An integer parameter's largest value and allow-list under a configuration. */
export function integerBounds(declaration: Extract<ParameterDeclaration, { type: "integer" }>, config: ResizerConfig): { max: number; allowed: readonly number[] } {
  const list = declaration.allowList;
  return {
    max: typeof declaration.max === "number" ? declaration.max : config[declaration.max],
    allowed: list === null ? [] : typeof list === "string" ? config[list] : list,
  };
}

/** A parameter's default under a configuration, as the edge drops it from the cache key; undefined: none. */
export function parameterDefault(declaration: ParameterDeclaration, config: ResizerConfig): string | number | undefined {
  if (declaration.type !== "integer") return declaration.default ?? undefined;
  return declaration.default === null ? undefined : config[declaration.default];
}

/** Every value a decimal parameter takes, min to max in its steps (dpr: 1, 1.5, ... 4). */
export function decimalSteps(declaration: Extract<ParameterDeclaration, { type: "decimal" }>): number[] {
  const count = Math.round((declaration.max - declaration.min) / declaration.step) + 1;
  return Array.from({ length: count }, (_, i) => Number(snappedDecimal(declaration.min + i * declaration.step, declaration.step)));
}

/** A decimal's one spelling: snapped to its step, no trailing zeros ("2.625" -> "2.5", "0.350" -> "0.35"). */
export function snappedDecimal(value: number, step: number): string {
  return String(Number((Math.round(value / step) * step).toFixed(6)));
}

/** A colour's one spelling: each channel snapped to 4 bits, lowercase ("FF0000" -> "f00", "3d3" -> "3d3"). */
export function snappedColor(hex: string): string {
  if (hex.length === 3) return hex.toLowerCase();
  return [0, 2, 4].map((at) => Math.round(parseInt(hex.slice(at, at + 2), 16) / 17).toString(16)).join("");
}

export const DEFAULT_FIT: Fit = PARAMETERS.fit.default;
export const DEFAULT_FORMAT: OutputFormat = PARAMETERS.format.default;

/**
 * Client hints (the `clientHints` prop): `w=auto` asks the edge for the width the browser's hints give, in physical
 * pixels: Sec-CH-Width (the image's own width, sent for an <img> with `sizes`), else Sec-CH-Viewport-Width (CSS
 * pixels) times Sec-CH-DPR; snapped up to the ladder (`widths`), `fallbackWidth` without hints. `dpr` is ignored
 * beside it: the hints carry the device's ratio. Every variant then carries `Vary` on these three for browsers'
 * caches (CloudFront keys on the edge's x-resize-params header, which holds the width chosen, not on Vary).
 */
export const HINTED_WIDTH = "auto";
export const CLIENT_HINT_HEADERS = ["Sec-CH-Width", "Sec-CH-Viewport-Width", "Sec-CH-DPR"] as const;
/**
 * The default ladder (when resizer.allowedWidths is unset): phone to 4K screens, about a third apart, so a hinted
 * width is served at most a third wider than asked. Snapped up: never narrower than the browser asked.
 */
export const DEFAULT_HINT_WIDTHS = [160, 320, 480, 640, 828, 1080, 1440, 1920, 2560, 3840] as const;
/** Without hints (Safari and Firefox send none): a phone at 3x or a laptop's content column. */
export const DEFAULT_HINT_FALLBACK_WIDTH = 1080;

/** `?preset=<name>` stands for the parameters the preset holds (expanded at the edge). */
export const PRESET_PARAM = "preset";
/** A preset's name, as `?preset=<name>` carries it. */
export const PRESET_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * How an object key appears in a URL's path, its one spelling: each '/'-separated segment percent-encoded as
 * encodeURIComponent does. signImageUrl writes it, purge invalidates it, and the viewer-request function redirects
 * any other spelling to it, so that a key has one cache entry per variant.
 */
export function urlPathOfKey(key: string): string {
  return `/${key.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Headers our viewer-request function sets for the origin: the normalized parameters in canonical form
 * ("fit=inside&w=500"), and Accept reduced to one token. The cache policy keys on these two, not on the
 * query string, so the origin never splits a URL whose key may itself hold '?', '#' or '%'.
 */
export const RESIZE_PARAMS_HEADER = "x-resize-params";
export const RESIZE_ACCEPT_HEADER = "x-resize-accept";
/** The Accept tokens: "avif" means AVIF and WebP (every browser that decodes AVIF decodes WebP). */
export const ACCEPT_TOKENS = ["avif", "webp", "none"] as const;
export type AcceptToken = (typeof ACCEPT_TOKENS)[number];

/**
 * The methods the resizer answers (HEAD as GET without the body; anything else is a 405, MethodNotAllowed) and
 * the distribution forwards.
 */
export const SERVED_METHODS = ["GET", "HEAD"] as const;

/**
 * Object Lambda: WriteGetObjectResponse has no member for Vary or Server-Timing, so the resizer sends them as user
 * metadata, and the viewer-response function gives them their real names back (header -> the metadata's name).
 */
export const OBJECT_LAMBDA_METADATA_HEADERS = { vary: "x-amz-meta-vary", "server-timing": "x-amz-meta-server-timing" } as const;

/**
 * A variant is a pure function of (original, parameters): once made it never changes under its URL (a new
 * original gets a new key), so without purge it may be cached for a year, by browsers too.
 */
export const VARIANT_CACHE_CONTROL = "public, max-age=31536000, immutable";

/**
 * A variant's Cache-Control. With `browserCache` (purge on change: an invalidation clears CloudFront, never a
 * browser), browsers keep it `maxAge` seconds and shared caches `sharedMaxAge` (CloudFront caches for the lesser
 * of s-maxage and the cache policy's maximum TTL: "Managing how long content stays in the cache"); no immutable.
 */
export function variantCacheControl(config: Pick<ResizerConfig, "browserCache">): string {
  const browser = config.browserCache;
  return browser === undefined ? VARIANT_CACHE_CONTROL : `public, max-age=${browser.maxAge}, s-maxage=${browser.sharedMaxAge}`;
}

/**
 * A variant's Vary, for browsers' caches (CloudFront keys on its cache policy, not on Vary): Accept when the format
 * was negotiated; the client hints when the deployment reads them (a hinted w=auto and a given w of the same width
 * are one cache entry, so every variant says it may depend on them). Undefined: none.
 */
export function variantVary(negotiated: boolean, config: Pick<ResizerConfig, "clientHints">): string | undefined {
  const names = [...(negotiated ? ["Accept"] : []), ...(config.clientHints ? CLIENT_HINT_HEADERS : [])];
  return names.length === 0 ? undefined : names.join(", ");
}

/** Errors may be passing faults (origin hiccup, a fixed upload): cached for `errorTtl` seconds only. */
export function errorCacheControl(config: Pick<ResizerConfig, "errorTtl">): string {
  return `public, max-age=${config.errorTtl}`;
}

/** The two Cache-Control values a response may take: a variant's (and a passed-through original's default), an error's. */
export interface CacheControls {
  readonly variant: string;
  readonly error: string;
}

export function cacheControls(config: Pick<ResizerConfig, "errorTtl" | "browserCache">): CacheControls {
  return { variant: variantCacheControl(config), error: errorCacheControl(config) };
}

export interface ResizerConfig {
  /** Decoded width x height above which an input is refused with 413 (pixel bombs). */
  readonly maxInputPixels: number;
  /** Original size in bytes above which an input is refused with 413. */
  readonly maxInputBytes: number;
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** When non-empty, any other `w` is a 400. */
  readonly allowedWidths: readonly number[];
  /** When non-empty, any other `h` is a 400. */
  readonly allowedHeights: readonly number[];
  /** Quality used when `q` is absent, 1..100. */
  readonly defaultQuality: number;
  /** Seconds an error may be cached (the construct's cache.errorTtl, also the distribution's error TTL). */
  readonly errorTtl: number;
  /** How long browsers and shared caches keep a variant; undefined: a year, immutable (see variantCacheControl). */
  readonly browserCache?: { readonly maxAge: number; readonly sharedMaxAge: number };
  /** `w=auto` from client hints (HINTED_WIDTH): the ladder (ascending) and the width without hints; undefined: off. */
  readonly clientHints?: { readonly widths: readonly number[]; readonly fallbackWidth: number };
}

export const RESIZER_ENV = {
  maxInputPixels: "RESIZER_MAX_INPUT_PIXELS",
  maxInputBytes: "RESIZER_MAX_INPUT_BYTES",
  maxWidth: "RESIZER_MAX_WIDTH",
  maxHeight: "RESIZER_MAX_HEIGHT",
  allowedWidths: "RESIZER_ALLOWED_WIDTHS",
  allowedHeights: "RESIZER_ALLOWED_HEIGHTS",
  defaultQuality: "RESIZER_DEFAULT_QUALITY",
  errorTtl: "RESIZER_ERROR_TTL",
} as const satisfies Record<Exclude<keyof ResizerConfig, "browserCache" | "clientHints">, string>;

/** ResizerConfig.browserCache, both or neither. */
export const BROWSER_CACHE_ENV = { maxAge: "RESIZER_BROWSER_MAX_AGE", sharedMaxAge: "RESIZER_SHARED_MAX_AGE" } as const;
/** ResizerConfig.clientHints, both or neither. */
export const CLIENT_HINTS_ENV = { widths: "RESIZER_CLIENT_HINT_WIDTHS", fallbackWidth: "RESIZER_CLIENT_HINT_FALLBACK_WIDTH" } as const;

/** Lambda sets it in every function's environment (a reserved variable): the function's name. */
export const LAMBDA_FUNCTION_NAME_ENV = "AWS_LAMBDA_FUNCTION_NAME";
/** Lambda sets it in every function's environment (a reserved variable): the function's memory, MB. */
export const LAMBDA_MEMORY_ENV = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
/** resizer.memorySize's default, and the memory assumed where Lambda's variable is absent (tests, benches). */
export const DEFAULT_MEMORY_MB = 512;

/**
 * Environment variables as the kit reads them. Its own type rather than NodeJS.ProcessEnv, so that the published
 * declarations type-check in an app that does not load Node's types (TypeScript 6 and later default to none).
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The function's memory as Lambda states it; a malformed value throws. */
export function memoryFromEnv(env: Environment = process.env): number {
  const raw = env[LAMBDA_MEMORY_ENV];
  if (raw === undefined || raw === "") return DEFAULT_MEMORY_MB;
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`${LAMBDA_MEMORY_ENV} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** Function-url origin only: the bucket the resizer reads originals from (set by the construct). */
export const ORIGIN_BUCKET_ENV = "RESIZER_ORIGIN_BUCKET";

export const DEFAULT_RESIZER_CONFIG: ResizerConfig = {
  maxInputPixels: 100_000_000,
  maxInputBytes: 50 * 1024 * 1024,
  maxWidth: 4096,
  maxHeight: 4096,
  allowedWidths: [],
  allowedHeights: [],
  defaultQuality: 80,
  errorTtl: 10,
};

/**
 * The broadest configuration a deployment can have, for code that checks values without knowing the deployment (the
 * signer, the page helpers): w and h up to MAX_DIMENSION, w=auto spelled as it is. The deployment's edge applies
 * its own limits.
 */
export const BROADEST_CONFIG: ResizerConfig = {
  ...DEFAULT_RESIZER_CONFIG,
  maxWidth: MAX_DIMENSION,
  maxHeight: MAX_DIMENSION,
  clientHints: { widths: [MAX_DIMENSION], fallbackWidth: MAX_DIMENSION },
};

/** Serializes a config into environment variables (sorted keys, for deterministic synth). */
export function configToEnv(config: ResizerConfig): Record<string, string> {
  return {
    [RESIZER_ENV.allowedHeights]: config.allowedHeights.join(","),
    [RESIZER_ENV.allowedWidths]: config.allowedWidths.join(","),
    ...(config.browserCache ? { [BROWSER_CACHE_ENV.maxAge]: String(config.browserCache.maxAge) } : {}),
    ...(config.clientHints ? { [CLIENT_HINTS_ENV.fallbackWidth]: String(config.clientHints.fallbackWidth), [CLIENT_HINTS_ENV.widths]: config.clientHints.widths.join(",") } : {}),
    [RESIZER_ENV.defaultQuality]: String(config.defaultQuality),
    [RESIZER_ENV.errorTtl]: String(config.errorTtl),
    [RESIZER_ENV.maxHeight]: String(config.maxHeight),
    [RESIZER_ENV.maxInputBytes]: String(config.maxInputBytes),
    [RESIZER_ENV.maxInputPixels]: String(config.maxInputPixels),
    [RESIZER_ENV.maxWidth]: String(config.maxWidth),
    ...(config.browserCache ? { [BROWSER_CACHE_ENV.sharedMaxAge]: String(config.browserCache.sharedMaxAge) } : {}),
  };
}

/** Reads the config from the environment; a missing variable keeps its default, a malformed one throws. */
export function configFromEnv(env: Environment = process.env): ResizerConfig {
  const int = (name: string, fallback: number, pattern = /^[1-9][0-9]*$/): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!pattern.test(raw)) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const list = (name: string): number[] => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return [];
    return raw.split(",").map((part) => {
      if (!/^[1-9][0-9]*$/.test(part.trim())) throw new Error(`${name} must be a comma-separated list of positive integers, got "${raw}"`);
      return Number(part.trim());
    });
  };
  const d = DEFAULT_RESIZER_CONFIG;
  const defaultQuality = int(RESIZER_ENV.defaultQuality, d.defaultQuality);
  if (defaultQuality > 100) throw new Error(`${RESIZER_ENV.defaultQuality} must be 1..100, got ${defaultQuality}`);
  const zeroOrMore = /^(0|[1-9][0-9]*)$/;
  const browserGiven = [BROWSER_CACHE_ENV.maxAge, BROWSER_CACHE_ENV.sharedMaxAge].filter((name) => (env[name] ?? "") !== "");
  if (browserGiven.length === 1) throw new Error(`${BROWSER_CACHE_ENV.maxAge} and ${BROWSER_CACHE_ENV.sharedMaxAge} go together, got only ${browserGiven[0]}`);
  const browserCache = browserGiven.length === 2
    ? { maxAge: int(BROWSER_CACHE_ENV.maxAge, 0, zeroOrMore), sharedMaxAge: int(BROWSER_CACHE_ENV.sharedMaxAge, 0, zeroOrMore) }
    : undefined;
  const hintsGiven = [CLIENT_HINTS_ENV.widths, CLIENT_HINTS_ENV.fallbackWidth].filter((name) => (env[name] ?? "") !== "");
  if (hintsGiven.length === 1) throw new Error(`${CLIENT_HINTS_ENV.widths} and ${CLIENT_HINTS_ENV.fallbackWidth} go together, got only ${hintsGiven[0]}`);
  const clientHints = hintsGiven.length === 2 ? { widths: list(CLIENT_HINTS_ENV.widths), fallbackWidth: int(CLIENT_HINTS_ENV.fallbackWidth, 0) } : undefined;
  return {
    maxInputPixels: int(RESIZER_ENV.maxInputPixels, d.maxInputPixels),
    maxInputBytes: int(RESIZER_ENV.maxInputBytes, d.maxInputBytes),
    maxWidth: int(RESIZER_ENV.maxWidth, d.maxWidth),
    maxHeight: int(RESIZER_ENV.maxHeight, d.maxHeight),
    allowedWidths: list(RESIZER_ENV.allowedWidths),
    allowedHeights: list(RESIZER_ENV.allowedHeights),
    defaultQuality,
    // 0 is allowed: do not cache errors at all.
    errorTtl: int(RESIZER_ENV.errorTtl, d.errorTtl, zeroOrMore),
    ...(browserCache ? { browserCache } : {}),
    ...(clientHints ? { clientHints } : {}),
  };
}
