import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { originBody, originFailure, originRefusal, type Original } from "./shared/original";

export type { Original } from "./shared/original";
export { innermostMessage } from "./shared/original";

/**
 * GETs the original from a presigned URL and resolves once the headers are in; the body
 * streams on. The origin's own refusals (403, 404) pass through; anything else that goes
 * wrong is the origin's fault (502). Aborting `signal` cancels the request at any point,
 * body included.
 */
export async function fetchOriginal(url: string, signal: AbortSignal): Promise<Original> {
  let response: Response;
  try {
    // A presigned GET is answered where it points; a redirect would be a misconfiguration.
    response = await fetch(url, { signal, redirect: "manual" });
  } catch (error) {
    if (signal.aborted) throw error;
    throw originFailure("OriginUnreachable", "could not reach the original's store", error);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw originRefusal(response.status);
  }
  const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
  const length = header("content-length");
  const modified = header("last-modified");
  return {
    body: originBody(response.body as WebReadableStream<Uint8Array>, signal),
    contentType: header("content-type"),
    contentLength: length === undefined ? undefined : Number(length),
    cacheControl: header("cache-control"),
    eTag: header("etag"),
    lastModified: modified === undefined ? undefined : new Date(modified),
  };
}

/**
 * Removes the query (the presigned credentials) from a URL so that it can be logged.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?<redacted>`;
}
