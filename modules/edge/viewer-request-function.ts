import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResizerConfig } from "../../lambda-src/core/config";
import { RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER } from "../../lambda-src/shared/viewer-request";

export { RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER };
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

/** The viewer-request function's source with the resizer's limits written in (pure: same config, same code). */
export function viewerRequestFunctionCode(config: ResizerConfig, errorTtl: number, cors?: EdgeCors): string {
  const constants = {
    maxWidth: config.maxWidth,
    maxHeight: config.maxHeight,
    allowedWidths: [...config.allowedWidths],
    allowedHeights: [...config.allowedHeights],
    defaultQuality: config.defaultQuality,
    errorTtl,
    cors: cors ? { allowedOrigins: [...cors.allowedOrigins], maxAgeSeconds: cors.maxAgeSeconds } : null,
  };
  const code = TEMPLATE.replace("var CONFIG = {};", `var CONFIG = ${JSON.stringify(constants)};`);
  if (Buffer.byteLength(code) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    throw new Error(`ImageCdn: the viewer-request function is ${Buffer.byteLength(code)} bytes, over CloudFront's ${CLOUDFRONT_FUNCTION_MAX_BYTES}: shorten resizer.allowedWidths/allowedHeights`);
  }
  return code;
}
