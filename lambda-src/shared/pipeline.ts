/**
 * The request path both adapters share: parse, fetch the original, then pass it through or transform it.
 * Every failure becomes an error outcome, so the adapter always has an answer to send.
 */
import { httpError, HttpError } from "../core/errors";
import { parseResizeQuery } from "../core/params";
import { transformImage } from "../core/transform";
import { innermostMessage, type Original } from "./origin";
import type { ViewerRequest } from "./request";
import type { RequestLog, ResizerSettings } from "./settings";
import type { Deadline, ServerTiming } from "./timing";

export type { Adapter, RequestLog } from "./settings";

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
export async function fetchAndTransform(
  steps: RequestSteps,
  deadline: Deadline,
  timing: ServerTiming,
  log: RequestLog,
  settings: Pick<ResizerSettings, "config" | "memoryMb">,
): Promise<Outcome> {
  try {
    const viewer = steps.parse();
    Object.assign(log, { key: viewer.key, params: viewer.query.toString() });
    const config = settings.config();
    const request = parseResizeQuery(viewer.query, config);

    const original = await deadline.race(
      timing.measure("fetch", () => steps.fetch(viewer, deadline.signal, !request.original)),
      "fetching the original",
    );
    if (original.ranges !== undefined && original.ranges > 1) log.ranges = original.ranges;
    if (original.contentLength !== undefined) log.originalBytes = original.contentLength;
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
          budget: { memoryMb: settings.memoryMb(), seconds: deadline.ms / 1000 },
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
