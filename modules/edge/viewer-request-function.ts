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
import { EXPIRES_PARAM, SIGNATURE_PARAM, SIGNED_PARAMS, SIGNING_KEY_SLOTS } from "../signing";

/** CloudFront Functions refuse code over 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10_240;

const TEMPLATE = readFileSync(join(__dirname, "viewer-request.js"), "utf8");
const SIGNING = readFileSync(join(__dirname, "viewer-request-signing.js"), "utf8");
/**
 * With signing: the runtime 2.0 modules, first in the code as the KeyValueStore helper methods require
 * ("Helper methods for key value stores"); cf.kvs() without an id reads the one store associated with the function.
 */
export const SIGNING_IMPORTS = "import crypto from 'crypto';\nimport cf from 'cloudfront';\nvar kvs = cf.kvs();\n";
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
  /** Verify signed URLs against the keys in the associated KeyValueStore. */
  readonly signing?: boolean;
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
    signing: options.signing
      ? { signedNames: SIGNED_PARAMS, signatureParam: SIGNATURE_PARAM, expiresParam: EXPIRES_PARAM, keySlots: SIGNING_KEY_SLOTS }
      : null,
  };
  const body = TEMPLATE.replace("var CONFIG = {};", `var CONFIG = ${JSON.stringify(constants)};`);
  const code = options.signing ? `${SIGNING_IMPORTS}${body}\n${SIGNING}` : `${body}\nfunction handler(event) {\n  return normalize(event);\n}\n`;
  const shipped = withoutCommentsAndIndent(code);
  if (Buffer.byteLength(shipped) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    throw new Error(`ImageCdn: the viewer-request function is ${Buffer.byteLength(shipped)} bytes, over CloudFront's ${CLOUDFRONT_FUNCTION_MAX_BYTES}: shorten resizer.allowedWidths/allowedHeights or presets`);
  }
  return shipped;
}

/**
 * CloudFront's 10 KB counts comments and indentation; the readable source stays in modules/edge. Whole-line
 * comments and leading spaces only: the sources hold no multi-line strings, so nothing else changes.
 */
function withoutCommentsAndIndent(code: string): string {
  return code.replace(/^[ \t]*\/\/.*\n/gm, "").replace(/^[ \t]+/gm, "");
}
