/**
 * The function URL's response: the buffered payload format 2.0 envelope, and its 6 MB limit.
 */
import type { Readable } from "node:stream";
import { VARIANT_CACHE_CONTROL } from "../core/config";
import { httpError, type HttpError } from "../core/errors";
import type { Original } from "../shared/origin";

/** The methods a function URL request may use; anything else is a 405 naming these. */
export const SERVED_METHODS = ["GET", "HEAD"] as const;

/** What the function answers, every byte in hand (function URLs here are buffered). */
export type Reply =
  | { readonly kind: "variant"; readonly body: Buffer; readonly contentType: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: "original"; readonly body: Buffer; readonly original: Omit<Original, "body"> }
  | { readonly kind: "error"; readonly error: HttpError };

/** A buffered function URL response, payload format 2.0. */
export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  /** Base64, always: images are binary and one encoding keeps the size arithmetic simple. */
  readonly body: string;
  readonly isBase64Encoded: true;
}

/**
 * Renders a reply. A HEAD gets the GET's status and headers with an empty body; its
 * Content-Length is left to Lambda, which sizes the body it sends.
 */
export function toFunctionUrlResponse(reply: Reply, serverTiming: string, head: boolean, errorCacheControl: string): FunctionUrlResponse {
  const { statusCode, headers, body } = parts(reply, errorCacheControl);
  const common = { "Server-Timing": serverTiming, "X-Content-Type-Options": "nosniff" };
  return {
    statusCode,
    headers: head ? { ...headers, ...common } : { ...headers, "Content-Length": String(body.length), ...common },
    body: head ? "" : body.toString("base64"),
    isBase64Encoded: true,
  };
}

function parts(reply: Reply, errorCacheControl: string): { statusCode: number; headers: Record<string, string>; body: Buffer } {
  switch (reply.kind) {
    case "variant":
      return {
        statusCode: 200,
        headers: { ...reply.headers, "Content-Type": reply.contentType, "Cache-Control": VARIANT_CACHE_CONTROL },
        body: reply.body,
      };
    case "original": {
      const { original } = reply;
      const headers: Record<string, string> = {
        "Content-Type": original.contentType ?? "application/octet-stream",
        "Cache-Control": original.cacheControl ?? VARIANT_CACHE_CONTROL,
      };
      if (original.eTag !== undefined) headers["ETag"] = original.eTag;
      if (original.lastModified !== undefined) headers["Last-Modified"] = original.lastModified.toUTCString();
      return { statusCode: 200, headers, body: reply.body };
    }
    case "error": {
      const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": errorCacheControl };
      if (reply.error.status === 405) headers["Allow"] = SERVED_METHODS.join(", ");
      return { statusCode: reply.error.status, headers, body: Buffer.from(`${reply.error.message}\n`) };
    }
  }
}

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
  return httpError(
    "PayloadTooLarge",
    `the ${what} is ${size}, over the function URL's 6 MB response limit (${MAX_RESPONSE_BODY_BYTES} bytes before base64); ${REMEDY[what]}`,
  );
}

export function fitsResponse(bytes: number): boolean {
  return bytes <= MAX_RESPONSE_BODY_BYTES;
}

/**
 * Collects a body into one buffer, or stops (and destroys the stream) as soon as it passes
 * `maxBytes`, resolving undefined: an origin that declared no length cannot make the
 * function buffer more than it may answer with.
 */
export async function readAtMost(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}
