/**
 * The function URL's response: status and headers (the same streamed or buffered), the buffered payload
 * format 2.0 envelope, and the two size limits.
 */
import type { Readable } from "node:stream";
import { OTHER_ANSWERS, SERVED_METHODS, type CacheControls } from "../core/contract";
import { httpError, type HttpError } from "../core/errors";
import type { Original } from "../shared/origin";

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
export function toFunctionUrlResponse(reply: Reply, serverTiming: string, head: boolean, cacheControl: CacheControls): FunctionUrlResponse {
  const body = reply.kind === "error" ? errorBody(reply.error) : reply.body;
  const { statusCode, headers } = responseHead(reply, serverTiming, head ? undefined : body.length, cacheControl);
  return { statusCode, headers, body: head ? "" : body.toString("base64"), isBase64Encoded: true };
}

export function errorBody(error: HttpError): Buffer {
  return Buffer.from(`${error.message}\n`);
}

/**
 * Status and headers of a reply, streamed or buffered alike. `contentLength` undefined leaves
 * Content-Length out: for a HEAD (Lambda sizes what it sends) or a body of unknown length.
 */
export function responseHead(
  reply: { kind: "variant"; contentType: string; headers: Readonly<Record<string, string>> } | { kind: "original"; original: Omit<Original, "body"> } | { kind: "error"; error: HttpError },
  serverTiming: string,
  contentLength: number | undefined,
  cacheControl: CacheControls,
): { statusCode: number; headers: Record<string, string> } {
  const common: Record<string, string> = { "Server-Timing": serverTiming, "X-Content-Type-Options": "nosniff" };
  if (contentLength !== undefined) common["Content-Length"] = String(contentLength);
  switch (reply.kind) {
    case "variant":
      return { statusCode: 200, headers: { "Cache-Control": cacheControl.variant, ...reply.headers, "Content-Type": reply.contentType, ...common } };
    case "original": {
      const { original } = reply;
      const headers: Record<string, string> = {
        "Content-Type": original.contentType ?? "application/octet-stream",
        "Cache-Control": original.cacheControl ?? cacheControl.variant,
      };
      if (original.eTag !== undefined) headers["ETag"] = original.eTag;
      if (original.lastModified !== undefined) headers["Last-Modified"] = original.lastModified.toUTCString();
      return { statusCode: 200, headers: { ...headers, ...common } };
    }
    case "error": {
      const headers: Record<string, string> = { "Content-Type": OTHER_ANSWERS.error.mime, "Cache-Control": cacheControl.error };
      if (reply.error.status === 405) headers["Allow"] = SERVED_METHODS.join(", ");
      return { statusCode: reply.error.status, headers: { ...headers, ...common } };
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

/** A function URL's largest answer, and how to name it in a 413. */
export interface ResponseLimit {
  readonly bytes: number;
  readonly name: string;
}

/** Buffered (no response streaming: in-process runs, or a runtime without awslambda). */
export const BUFFERED_LIMIT: ResponseLimit = { bytes: MAX_RESPONSE_BODY_BYTES, name: `the function URL's 6 MB response limit (${MAX_RESPONSE_BODY_BYTES} bytes before base64)` };

/**
 * Streamed (invoke mode RESPONSE_STREAM): Lambda's "maximum response size of 200 MB" for a streamed response
 * (Lambda developer guide, "Response streaming"); the first 6 MB at full speed, the rest bandwidth-limited.
 */
export const STREAMED_LIMIT: ResponseLimit = { bytes: 200 * 1024 * 1024, name: "the function URL's 200 MB streamed response limit" };

/** What is too large to answer, and what the viewer can do instead. */
const REMEDY = {
  original: "request a resized variant",
  variant: "request smaller dimensions, a lower q or another format",
} as const;

/**
 * A 413 naming the size, the limit and the way out. `bytes` undefined means the size is
 * unknown but already over the limit (an original without a declared length).
 */
export function overResponseLimit(what: keyof typeof REMEDY, limit: ResponseLimit, bytes?: number): HttpError {
  const size = bytes === undefined ? `more than ${limit.bytes} bytes` : `${bytes} bytes`;
  return httpError("PayloadTooLarge", `the ${what} is ${size}, over ${limit.name}; ${REMEDY[what]}`);
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
