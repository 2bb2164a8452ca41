import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_FIT,
  DEFAULT_FORMAT,
  FITS,
  MAX_QUALITY,
  OUTPUT_FORMATS,
  RESIZE_ACCEPT_HEADER,
  RESIZE_PARAMS,
  RESIZE_PARAMS_HEADER,
  type ResizerConfig,
} from "../../lambda-src/core/config";

/** CloudFront Functions refuse code over 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10_240;

const TEMPLATE = readFileSync(join(__dirname, "viewer-request.js"), "utf8");
/** Object-lambda origin: restores Vary and Server-Timing, which the resizer can only send as metadata. */
export const VIEWER_RESPONSE_CODE = readFileSync(join(__dirname, "viewer-response.js"), "utf8");

/** With `cors`: the preflight answer's allowed origins and max age. */
export interface EdgeCors {
  readonly allowedOrigins: readonly string[];
  readonly maxAgeSeconds: number;
}

/**
 * The viewer-request function's source with the URL contract and the resizer's limits written in, from the
 * resizer's own config module: the edge and the resizer cannot drift apart (pure: same config, same code).
 */
export interface EdgeOptions {
  readonly cors?: EdgeCors;
  /** Preset name -> its parameters (validated at synth). */
  readonly presets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly onlyPresets?: boolean;
}

export function viewerRequestFunctionCode(config: ResizerConfig, options: EdgeOptions = {}): string {
  const { cors } = options;
  const constants = {
    keys: RESIZE_PARAMS,
    fits: FITS,
    formats: OUTPUT_FORMATS,
    defaultFit: DEFAULT_FIT,
    defaultFormat: DEFAULT_FORMAT,
    maxQuality: MAX_QUALITY,
    paramsHeader: RESIZE_PARAMS_HEADER,
    acceptHeader: RESIZE_ACCEPT_HEADER,
    maxWidth: config.maxWidth,
    maxHeight: config.maxHeight,
    allowedWidths: [...config.allowedWidths],
    allowedHeights: [...config.allowedHeights],
    defaultQuality: config.defaultQuality,
    errorTtl: config.errorTtl,
    cors: cors ? { allowedOrigins: [...cors.allowedOrigins], maxAgeSeconds: cors.maxAgeSeconds } : null,
    presets: options.presets ?? {},
    onlyPresets: options.onlyPresets ?? false,
  };
  const code = TEMPLATE.replace("var CONFIG = {};", `var CONFIG = ${JSON.stringify(constants)};`);
  if (Buffer.byteLength(code) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    throw new Error(`ImageCdn: the viewer-request function is ${Buffer.byteLength(code)} bytes, over CloudFront's ${CLOUDFRONT_FUNCTION_MAX_BYTES}: shorten resizer.allowedWidths/allowedHeights`);
  }
  return code;
}
