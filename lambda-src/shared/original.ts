import { Readable } from "node:stream";
import { HttpError } from "../core";

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
 * The body's bytes as they arrive. A connection lost mid-body is the origin's failure (502)
 * and says so, rather than surfacing as a bare socket error the handler cannot tell from
 * its own bugs. Destroying the resulting stream ends the download; `release`, when given,
 * also lets go of a source that was never read (a refused original's connection).
 */
export function originBody(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal, release?: () => void): Readable {
  const body = Readable.from(downloaded(chunks, signal));
  if (release !== undefined) body.once("close", release);
  return body;
}

async function* downloaded(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of chunks) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    if (signal.aborted) throw error;
    throw originFailure("OriginError", "the original's download failed", error);
  }
}

/** The origin's own refusals (403, 404) pass through; any other status is its failure (502). */
export function originRefusal(status: number): HttpError {
  if (status === 404) return new HttpError(404, "NoSuchKey", "the original does not exist");
  if (status === 403) return new HttpError(403, "AccessDenied", "access to the original was denied");
  return new HttpError(502, "OriginError", `the original's store answered ${status}`);
}

/** A 502 whose message is fit for the viewer; the socket-level cause is kept for the log. */
export function originFailure(code: string, message: string, cause: unknown): HttpError {
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
