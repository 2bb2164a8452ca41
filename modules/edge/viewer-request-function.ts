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
import { EXPIRES_PARAM, MIN_SIGNING_KEY_LENGTH, SIGNATURE_PARAM, SIGNED_PARAMS, SIGNING_KEY_SLOTS } from "../signing";

/** The distribution's origins: the resizer (variants, the cache behavior's target) and the bucket itself (originals). */
export const RESIZER_ORIGIN_ID = "resizer";
export const ORIGINALS_ORIGIN_ID = "originals";

/**
 * The distribution's allowed methods: GET and HEAD, and OPTIONS with CORS, which the viewer-request function
 * answers itself (CloudFront would forward a preflight to the origin, which cannot answer it). CloudFront refuses
 * any other method with 403 before running the function.
 */
export function allowedMethods(cors: boolean): string[] {
  return cors ? ["GET", "HEAD", "OPTIONS"] : ["GET", "HEAD"];
}

/** CloudFront Functions refuse code over 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10_240;

const TEMPLATE = readFileSync(join(__dirname, "viewer-request.js"), "utf8");
/** The kit's one Accept reader, shared with the resizer (beside the compiled modules in the package too). */
const ACCEPT_TOKEN = readFileSync(join(__dirname, "..", "..", "lambda-src", "core", "accept-token.js"), "utf8").replace(/^module\.exports = .*\n/m, "");
const SIGNING = readFileSync(join(__dirname, "viewer-request-signing.js"), "utf8");
/**
 * The runtime 2.0 modules, first in the code as the helper methods require ("Helper methods for origin
 * modification", "Helper methods for key value stores"): `cloudfront` to choose the originals' origin and, with
 * signing, to read the KeyValueStore (cf.kvs() without an id reads the one store associated with the function);
 * `crypto` for the signature.
 */
export const CLOUDFRONT_IMPORT = "import cf from 'cloudfront';\n";
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
  /**
   * The id of the distribution's origin that serves originals (the bucket itself): requests without resize
   * parameters are sent there. Undefined: such requests are refused with 403 (`originals: "deny"`).
   */
  readonly originalsOriginId?: string;
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
      ? { signedNames: SIGNED_PARAMS, signatureParam: SIGNATURE_PARAM, expiresParam: EXPIRES_PARAM, keySlots: SIGNING_KEY_SLOTS, minKeyLength: MIN_SIGNING_KEY_LENGTH }
      : null,
    originals: options.originalsOriginId ?? null,
  };
  const body = `${TEMPLATE.replace("var CONFIG = {};", `var CONFIG = ${JSON.stringify(constants)};`)}\n${ACCEPT_TOKEN}`;
  const code = options.signing
    ? `${SIGNING_IMPORTS}${body}\n${SIGNING}`
    : `${options.originalsOriginId ? CLOUDFRONT_IMPORT : ""}${body}\nfunction handler(event) {\n  return normalize(event);\n}\n`;
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
