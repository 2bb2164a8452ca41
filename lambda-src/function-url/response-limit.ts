import { HttpError } from "../core";

/**
 * Lambda caps a buffered (RequestResponse) function URL response at 6 MB: the whole JSON
 * payload the handler returns, not just the image. We take 6 MiB (6,291,456 bytes; the
 * runtime's own refusal names 6,291,556) as the ceiling.
 */
export const FUNCTION_URL_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * Room kept for everything in the payload besides the body: statusCode, our few headers
 * (all short: the longest is an ETag or Last-Modified) and the JSON punctuation.
 */
export const RESPONSE_ENVELOPE_BYTES = 8 * 1024;

/**
 * The largest body that fits: it travels base64-encoded (isBase64Encoded), 4 characters for
 * every 3 bytes, so (6,291,456 - 8,192) / 4 * 3 = 4,712,448 bytes, about 4.5 MiB.
 */
export const MAX_RESPONSE_BODY_BYTES = Math.floor((FUNCTION_URL_RESPONSE_LIMIT_BYTES - RESPONSE_ENVELOPE_BYTES) / 4) * 3;

/** What is too large to answer, and what the viewer can do instead. */
const REMEDY = {
  original: "request a resized variant",
  variant: "request smaller dimensions, a lower q or another format",
} as const;

/**
 * A 413 naming the size, the limit and the way out. `bytes` undefined means the size is
 * unknown but already over the limit (an original without a declared length).
 */
export function overResponseLimit(what: keyof typeof REMEDY, bytes?: number): HttpError {
  const size = bytes === undefined ? `more than ${MAX_RESPONSE_BODY_BYTES} bytes` : `${bytes} bytes`;
  return new HttpError(
    413,
    "PayloadTooLarge",
    `the ${what} is ${size}, over the function URL's 6 MB response limit (${MAX_RESPONSE_BODY_BYTES} bytes before base64); ${REMEDY[what]}`,
  );
}

export function fitsResponse(bytes: number): boolean {
  return bytes <= MAX_RESPONSE_BODY_BYTES;
}
