import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { HttpError } from "./core";

/** The original object as the origin answered it: headers now, bytes as they arrive. */
export interface Original {
  readonly body: Readable;
  readonly contentType?: string;
  readonly contentLength?: number;
  readonly cacheControl?: string;
  readonly eTag?: string;
  readonly lastModified?: Date;
}

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
    body: Readable.from(downloaded(response.body as WebReadableStream<Uint8Array>, signal)),
    contentType: header("content-type"),
    contentLength: length === undefined ? undefined : Number(length),
    cacheControl: header("cache-control"),
    eTag: header("etag"),
    lastModified: modified === undefined ? undefined : new Date(modified),
  };
}

/**
 * The body's bytes as they arrive. A connection lost mid-body is the origin's failure (502)
 * and says so, rather than surfacing as a bare socket error the handler cannot tell from
 * its own bugs. Destroying the resulting stream ends the download.
 */
async function* downloaded(body: WebReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    if (signal.aborted) throw error;
    throw originFailure("OriginError", "the original's download failed", error);
  }
}

function originRefusal(status: number): HttpError {
  if (status === 404) return new HttpError(404, "NoSuchKey", "the original does not exist");
  if (status === 403) return new HttpError(403, "AccessDenied", "access to the original was denied");
  return new HttpError(502, "OriginError", `the original's store answered ${status}`);
}

/** A 502 whose message is fit for the viewer; the socket-level cause is kept for the log. */
function originFailure(code: string, message: string, cause: unknown): HttpError {
  return Object.assign(new HttpError(502, code, message), { cause });
}

/**
 * The innermost cause's message: fetch wraps socket errors in a generic "fetch failed".
 * Duck-typed, as fetch's errors may come from another realm (a vm sandbox) than `Error`.
 */
export function innermostMessage(error: unknown): string {
  let current: unknown = error;
  while (isErrorLike(current) && isErrorLike(current.cause)) current = current.cause;
  return isErrorLike(current) ? current.message : String(current);
}

function isErrorLike(value: unknown): value is { message: string; cause?: unknown } {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/**
 * Removes the query (the presigned credentials) from a URL so that it can be logged.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?<redacted>`;
}
