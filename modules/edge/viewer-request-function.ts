import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResizerConfig } from "../../lambda-src/core/config";

/** The header that carries the normalized Accept token (avif, webp or none) to the resizer. */
export const RESIZE_ACCEPT_HEADER = "x-resize-accept";
/** The resize parameters of the URL contract: the only query strings in the cache key. */
export const RESIZE_QUERY_KEYS = ["fit", "format", "h", "q", "w"] as const;
/** CloudFront Functions refuse code over 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10_240;

const TEMPLATE = readFileSync(join(__dirname, "viewer-request.js"), "utf8");
/** Object-lambda origin: restores Vary and Server-Timing, which the resizer can only send as metadata. */
export const VIEWER_RESPONSE_CODE = readFileSync(join(__dirname, "viewer-response.js"), "utf8");

/** The viewer-request function's source with the resizer's limits written in (pure: same config, same code). */
export function viewerRequestFunctionCode(config: ResizerConfig, errorTtl: number): string {
  const constants = {
    maxWidth: config.maxWidth,
    maxHeight: config.maxHeight,
    allowedWidths: [...config.allowedWidths],
    allowedHeights: [...config.allowedHeights],
    defaultQuality: config.defaultQuality,
    errorTtl,
  };
  const code = TEMPLATE.replace("var CONFIG = {};", `var CONFIG = ${JSON.stringify(constants)};`);
  if (Buffer.byteLength(code) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    throw new Error(`ImageCdn: the viewer-request function is ${Buffer.byteLength(code)} bytes, over CloudFront's ${CLOUDFRONT_FUNCTION_MAX_BYTES}: shorten resizer.allowedWidths/allowedHeights`);
  }
  return code;
}
