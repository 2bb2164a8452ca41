/**
 * The resizer's configuration. The ImageCdn construct writes it into the function's
 * environment (names in RESIZER_ENV); the handler reads it once per container.
 * This module is pure and imports nothing heavy: the construct imports it too.
 */
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
}

export const RESIZER_ENV = {
  maxInputPixels: "RESIZER_MAX_INPUT_PIXELS",
  maxInputBytes: "RESIZER_MAX_INPUT_BYTES",
  maxWidth: "RESIZER_MAX_WIDTH",
  maxHeight: "RESIZER_MAX_HEIGHT",
  allowedWidths: "RESIZER_ALLOWED_WIDTHS",
  allowedHeights: "RESIZER_ALLOWED_HEIGHTS",
  defaultQuality: "RESIZER_DEFAULT_QUALITY",
} as const satisfies Record<keyof ResizerConfig, string>;

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
};

/** Serializes a config into environment variables (sorted keys, for deterministic synth). */
export function configToEnv(config: ResizerConfig): Record<string, string> {
  return {
    [RESIZER_ENV.allowedHeights]: config.allowedHeights.join(","),
    [RESIZER_ENV.allowedWidths]: config.allowedWidths.join(","),
    [RESIZER_ENV.defaultQuality]: String(config.defaultQuality),
    [RESIZER_ENV.maxHeight]: String(config.maxHeight),
    [RESIZER_ENV.maxInputBytes]: String(config.maxInputBytes),
    [RESIZER_ENV.maxInputPixels]: String(config.maxInputPixels),
    [RESIZER_ENV.maxWidth]: String(config.maxWidth),
  };
}

/** Reads the config from the environment; a missing variable keeps its default, a malformed one throws. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ResizerConfig {
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`${name} must be a positive integer, got "${raw}"`);
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
  return {
    maxInputPixels: int(RESIZER_ENV.maxInputPixels, d.maxInputPixels),
    maxInputBytes: int(RESIZER_ENV.maxInputBytes, d.maxInputBytes),
    maxWidth: int(RESIZER_ENV.maxWidth, d.maxWidth),
    maxHeight: int(RESIZER_ENV.maxHeight, d.maxHeight),
    allowedWidths: list(RESIZER_ENV.allowedWidths),
    allowedHeights: list(RESIZER_ENV.allowedHeights),
    defaultQuality,
  };
}
