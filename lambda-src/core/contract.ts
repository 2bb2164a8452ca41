/**
 * The URL contract and the resizer's configuration, stated once. The ImageCdn construct writes the
 * configuration into the function's environment (names in RESIZER_ENV), which the handler reads once per
 * container, and the contract and configuration into the viewer-request CloudFront Function at synth.
 * This module is pure and imports nothing heavy: the construct imports it too.
 */

/** The contract's query parameters, sorted (the order of the edge's canonical form). */
export const RESIZE_PARAMS = ["fit", "format", "h", "q", "w"] as const;
export type ResizeParam = (typeof RESIZE_PARAMS)[number];

export const FITS = ["cover", "contain", "fill", "inside", "outside"] as const;
export type Fit = (typeof FITS)[number];

export const OUTPUT_FORMATS = ["auto", "avif", "webp", "jpeg", "png"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The largest `w` and `h` any deployment may allow (WebP's limit, the smallest of the output formats'). */
export const MAX_DIMENSION = 16383;
/** A preset's name, as `?preset=<name>` carries it. */
export const PRESET_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const DEFAULT_FIT: Fit = "cover";
export const DEFAULT_FORMAT: OutputFormat = "auto";
export const MAX_QUALITY = 100;

/**
 * Headers our viewer-request function sets for the origin: the normalized parameters in canonical form
 * ("fit=inside&w=500"), and Accept reduced to one token. The cache policy keys on these two, not on the
 * query string, so the origin never splits a URL whose key may itself hold '?', '#' or '%'.
 */
/**
 * How an object key appears in a URL's path, its one spelling: each '/'-separated segment percent-encoded as
 * encodeURIComponent does. signImageUrl writes it, purge invalidates it, and the viewer-request function redirects
 * any other spelling to it, so that a key has one cache entry per variant.
 */
export function urlPathOfKey(key: string): string {
  return `/${key.split("/").map(encodeURIComponent).join("/")}`;
}

export const RESIZE_PARAMS_HEADER = "x-resize-params";
export const RESIZE_ACCEPT_HEADER = "x-resize-accept";
/** The Accept tokens: "avif" means AVIF and WebP (every browser that decodes AVIF decodes WebP). */
export const ACCEPT_TOKENS = ["avif", "webp", "none"] as const;
export type AcceptToken = (typeof ACCEPT_TOKENS)[number];

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
} as const satisfies Record<Exclude<keyof ResizerConfig, "browserCache">, string>;

/** ResizerConfig.browserCache, both or neither. */
export const BROWSER_CACHE_ENV = { maxAge: "RESIZER_BROWSER_MAX_AGE", sharedMaxAge: "RESIZER_SHARED_MAX_AGE" } as const;

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

/** Serializes a config into environment variables (sorted keys, for deterministic synth). */
export function configToEnv(config: ResizerConfig): Record<string, string> {
  return {
    [RESIZER_ENV.allowedHeights]: config.allowedHeights.join(","),
    [RESIZER_ENV.allowedWidths]: config.allowedWidths.join(","),
    ...(config.browserCache ? { [BROWSER_CACHE_ENV.maxAge]: String(config.browserCache.maxAge) } : {}),
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
  };
}
