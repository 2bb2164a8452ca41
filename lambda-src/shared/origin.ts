/**
 * The original as either origin gives it (a presigned URL, or GetObject), the origin's refusals and
 * failures as the statuses they deserve, and the one S3 client a container keeps.
 */
import { Readable } from "node:stream";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { httpError, HttpError } from "../core/errors";

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
  const body = handled(Readable.from(downloaded(chunks, signal)));
  if (release !== undefined) body.once("close", release);
  return body;
}

/**
 * A stream whose 'error' can never go unhandled: its consumers (sharp's input, the response stream, an SDK's request
 * body) listen as they attach, but an error emitted before one does, or after one let go (a deadline firing mid-body),
 * would otherwise crash the process and every request it would still have answered.
 */
export function handled<T extends Readable>(stream: T): T {
  stream.on("error", () => undefined);
  return stream;
}

async function* downloaded(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of chunks) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    if (signal.aborted) throw error;
    throw httpError("OriginError", "the original's download failed", error);
  }
}

/** The origin's own refusals (403, 404) pass through; any other status is its failure (502). */
export function originRefusal(status: number, cause?: unknown): HttpError {
  if (status === 404) return httpError("NoSuchKey", "the original does not exist", cause);
  if (status === 403) return httpError("AccessDenied", "access to the original was denied", cause);
  return httpError("OriginError", `the original's store answered ${status}`, cause);
}

/** No answer at all (refused connection, DNS, reset): a 502 fit for the viewer, the socket's cause kept for the log. */
export function originUnreachable(cause: unknown): HttpError {
  return httpError("OriginUnreachable", "could not reach the original's store", cause);
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
 * The S3 client options for this environment. The SDK reads AWS_ENDPOINT_URL_S3 and
 * AWS_ENDPOINT_URL by itself, but only an explicit endpoint lets us also turn off the
 * `{RequestRoute}.` host prefix of WriteGetObjectResponse: without that, a local endpoint
 * would be called as `io-xyz.127.0.0.1` and never resolve.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const config: S3ClientConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    // Streaming bodies cannot be hashed up front; S3 does not require a checksum here.
    requestChecksumCalculation: "WHEN_REQUIRED",
  };
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
    config.disableHostPrefix = true;
  }
  return config;
}

let shared: S3Client | undefined;

/** One client per container: it keeps its connections alive across invocations. */
export function s3Client(): S3Client {
  shared ??= new S3Client(s3ClientConfig());
  return shared;
}

/**
 * Big originals come in parallel byte ranges, as S3's performance guidance recommends ("Use byte-range
 * fetches": several connections each get their own throughput). Originals up to one part come whole in the
 * first request; a larger one's first answer tells its total size (Content-Range), and the rest arrives in up
 * to MAX_PARALLEL_RANGES - 1 more ranges at once. 4 MiB parts, as the bench measured (see bench/streaming.ts).
 */
export const RANGE_PART_BYTES = 4 * 1024 * 1024;
export const MAX_PARALLEL_RANGES = 8;

/** One GET of the original, a byte range (inclusive) or the whole; `total` from Content-Range, if ranged. */
export type FetchRange = (range: { start: number; end: number } | undefined, signal: AbortSignal) => Promise<{ original: Original; total?: number }>;

/**
 * The original assembled from parallel ranges, in order, as one body: the first range streams on while the
 * others download into memory, so what is held is at most the original once. A range that fails fails the
 * whole (502) and aborts the others; destroying the body aborts them too. An origin that ignores Range
 * (200 with the whole body) is served as it answered.
 */
export async function fetchInRanges(fetchRange: FetchRange, signal: AbortSignal): Promise<Original & { ranges: number }> {
  const first = await fetchRange({ start: 0, end: RANGE_PART_BYTES - 1 }, signal);
  if (first.total === 0) {
    // An empty object has no byte 0: S3 answers 416 (the fetchers retry whole), some stores a bogus 206.
    first.original.body.destroy();
    return { ...(await fetchRange(undefined, signal)).original, ranges: 1 };
  }
  if (first.total === undefined || first.total <= RANGE_PART_BYTES) {
    return { ...first.original, contentLength: first.total ?? first.original.contentLength, ranges: 1 };
  }
  const total = first.total;
  const rest = total - RANGE_PART_BYTES;
  const count = Math.min(MAX_PARALLEL_RANGES - 1, Math.ceil(rest / RANGE_PART_BYTES));
  const size = Math.ceil(rest / count);
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal.addEventListener("abort", abort, { once: true });
  const parts = Array.from({ length: count }, (_, i) => {
    const start = RANGE_PART_BYTES + i * size;
    return downloadPart(fetchRange({ start, end: Math.min(total, start + size) - 1 }, controller.signal));
  });
  async function* assembled(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of first.original.body as AsyncIterable<Buffer>) yield chunk;
      for (const part of parts) yield* part.chunks();
    } catch (error) {
      abort();
      throw error;
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }
  const body = handled(Readable.from(assembled()));
  body.once("close", () => {
    abort();
    first.original.body.destroy();
  });
  return { ...first.original, body, contentLength: total, ranges: count + 1 };
}

/** A range downloading at once into memory; its chunks handed out in order when their turn comes. */
function downloadPart(started: Promise<{ original: Original }>): { chunks(): AsyncGenerator<Buffer> } {
  const chunks: Buffer[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  started
    .then(async ({ original }) => {
      for await (const chunk of original.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        notify();
      }
    })
    .catch((error: unknown) => {
      failure = error instanceof HttpError ? error : httpError("OriginError", "a range of the original failed", error);
    })
    .finally(() => {
      done = true;
      notify();
    });
  return {
    async *chunks() {
      for (;;) {
        if (chunks.length > 0) {
          yield chunks.shift() as Buffer;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
