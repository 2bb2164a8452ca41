/**
 * The request path both adapters share: parse, fetch the original, then pass it through or transform it.
 * Every failure becomes an error outcome, so the adapter always has an answer to send.
 */
import { configFromEnv, memoryFromEnv, type ResizerConfig } from "../core/contract";
import { httpError, HttpError } from "../core/errors";
import { parseResizeQuery } from "../core/params";
import { configureSharp, transformImage } from "../core/transform";
import { innermostMessage, type Original } from "./origin";
import type { ViewerRequest } from "./request";
import type { Deadline, ServerTiming } from "./timing";

/** What the function answers, decided before anything is written back. */
export type Outcome =
  | { readonly kind: "variant"; readonly body: Buffer; readonly contentType: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: "original"; readonly original: Original }
  | { readonly kind: "error"; readonly error: HttpError };

/** The adapter-specific ends of the request path. */
export interface RequestSteps {
  /** The viewer's request from the event; throws an HttpError for a malformed one. */
  parse(): ViewerRequest;
  /**
   * The original's headers, its body streaming on; aborting `signal` ends the download. `toTransform`: the
   * whole original is needed before anything is sent, so a big one may come in parallel ranges; a
   * passthrough streams as one download instead.
   */
  fetch(viewer: ViewerRequest, signal: AbortSignal, toTransform: boolean): Promise<Original & { ranges?: number }>;
}

/** Parse, fetch, then pass the original through (no parameters) or transform it into the variant. */
export async function fetchAndTransform(steps: RequestSteps, deadline: Deadline, timing: ServerTiming, log: RequestLog): Promise<Outcome> {
  try {
    const viewer = steps.parse();
    Object.assign(log, { key: viewer.key, params: viewer.query.toString() });
    const config = resizerConfig();
    const request = parseResizeQuery(viewer.query, config);

    const original = await deadline.race(
      timing.measure("fetch", () => steps.fetch(viewer, deadline.signal, !request.original)),
      "fetching the original",
    );
    if (original.ranges !== undefined && original.ranges > 1) log.ranges = original.ranges;
    if (request.original) return { kind: "original", original };

    const tooLarge = oversized(original.contentLength, config.maxInputBytes);
    if (tooLarge !== undefined) {
      original.body.destroy();
      throw tooLarge;
    }
    // The body goes in as it arrives: sharp decodes while the rest is still downloading.
    // (On failure the core destroys it; on the deadline the abort ends the download.)
    const variant = await deadline.race(
      timing.measure("transform", () =>
        transformImage(original.body, request, {
          accepted: viewer.accepted,
          sourceContentType: original.contentType,
          config,
          budget: { memoryMb: functionMemoryMb(), seconds: deadline.ms / 1000 },
          stopBy: deadline.endsAt,
        }),
      ),
      "resizing the image",
    );
    return { kind: "variant", ...variant };
  } catch (error) {
    return errorOutcome(error, log);
  }
}

/**
 * The refusal of an original whose declared size is over the limit, decided before a byte of the body is
 * read. (The core counts the bytes that do arrive, for origins that declare no length.)
 */
export function oversized(contentLength: number | undefined, maxBytes: number): HttpError | undefined {
  if (contentLength === undefined || contentLength <= maxBytes) return undefined;
  return httpError("PayloadTooLarge", `the original is larger than the ${maxBytes}-byte limit`);
}

/** Any failure as the answer it deserves (unexpected ones are a 500), noted in the log. */
export function errorOutcome(error: unknown, log: RequestLog): Outcome & { kind: "error" } {
  const known = error instanceof HttpError ? error : httpError("InternalError", "the resizer failed unexpectedly");
  // The stack only for the unexpected; an expected refusal is its message plus any low-level cause.
  const detail = error !== known
    ? (error instanceof Error ? (error.stack ?? error.message) : String(error))
    : known.cause === undefined ? known.message : `${known.message}: ${innermostMessage(known.cause)}`;
  Object.assign(log, { errorCode: known.code, error: detail });
  return { kind: "error", error: known };
}

let containerConfig: ResizerConfig | undefined;
let containerMemoryMb: number | undefined;

/** Read once per container; a broken environment fails each request with a 500, not the init. */
export function resizerConfig(): ResizerConfig {
  if (containerConfig === undefined) {
    configureSharp();
    containerConfig = configFromEnv();
  }
  return containerConfig;
}

/** The function's memory, as Lambda states it; read once per container. */
export function functionMemoryMb(): number {
  containerMemoryMb ??= memoryFromEnv();
  return containerMemoryMb;
}

/** One structured line per request; never holds a presigned URL's query (it carries credentials). */
export interface RequestLog {
  requestId?: string;
  key?: string;
  params?: string;
  method?: string;
  status?: number;
  errorCode?: string;
  error?: string;
  bytes?: number;
  contentType?: string;
  timings?: Record<string, number>;
  origin?: string;
  /** How many parallel ranges the original came in, when more than one. */
  ranges?: number;
}

/** Which front door the request came through. */
export type Adapter = "object-lambda" | "function-url";

export function writeLog(adapter: Adapter, entry: RequestLog): void {
  logSink.write(adapter, entry);
}

/** Where request logs go: stdout, which Lambda ships to CloudWatch; the preview prints its own line instead. */
export const logSink = {
  write(adapter: Adapter, entry: RequestLog): void {
    console.log(JSON.stringify({ source: "resizer", adapter, ...entry }));
  },
};
