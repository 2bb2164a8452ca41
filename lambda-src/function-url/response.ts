import { ERROR_CACHE_CONTROL, VARIANT_CACHE_CONTROL, type HttpError } from "../core";
import type { Original } from "../shared/original";
import { SERVED_METHODS } from "./event";

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
export function toFunctionUrlResponse(reply: Reply, serverTiming: string, head: boolean): FunctionUrlResponse {
  const { statusCode, headers, body } = parts(reply);
  const common = { "Server-Timing": serverTiming, "X-Content-Type-Options": "nosniff" };
  return {
    statusCode,
    headers: head ? { ...headers, ...common } : { ...headers, "Content-Length": String(body.length), ...common },
    body: head ? "" : body.toString("base64"),
    isBase64Encoded: true,
  };
}

function parts(reply: Reply): { statusCode: number; headers: Record<string, string>; body: Buffer } {
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
      const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": ERROR_CACHE_CONTROL };
      if (reply.error.status === 405) headers["Allow"] = SERVED_METHODS.join(", ");
      return { statusCode: reply.error.status, headers, body: Buffer.from(`${reply.error.message}\n`) };
    }
  }
}
