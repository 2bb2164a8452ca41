/**
 * GetObject through the Object Lambda access point: the original from the presigned inputS3Url, the
 * answer through WriteGetObjectResponse.
 */
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { WriteGetObjectResponseCommand, type WriteGetObjectResponseCommandInput } from "@aws-sdk/client-s3";
import { cacheControls, type CacheControls } from "../core/contract";
import { fetchInRanges, innermostMessage, originBody, originRefusal, originUnreachable, s3Client, type Original } from "../shared/origin";
import { endContainerIfWorkRemains } from "../shared/container";
import { inRequestFrame, type InvocationContext } from "../shared/frame";
import type { Outcome } from "../shared/pipeline";
import { settingsFromEnv, type ResizerSettings } from "../shared/settings";
import { parseViewerRequest, type S3ObjectLambdaEvent } from "./event";

export type ObjectLambdaHandler = (event: S3ObjectLambdaEvent, context: InvocationContext) => Promise<void>;

/**
 * S3 Object Lambda GetObject handler. It always answers through WriteGetObjectResponse,
 * errors included, and before its own timeout; only a failing WriteGetObjectResponse
 * itself is thrown (there is nothing left to answer with).
 */
export function createObjectLambdaHandler(settings: ResizerSettings = settingsFromEnv()): ObjectLambdaHandler {
  return async (event, context) => {
    const { inputS3Url, outputRoute, outputToken } = event.getObjectContext;
    // The passthrough's body streams during the send below: the frame's deadline guards it until the send ends.
    await inRequestFrame(context, { adapter: "object-lambda", settings, log: { origin: redactUrl(inputS3Url) } }, async ({ timing, log, decide }) => {
      try {
        const outcome = await decide({
          parse: () => parseViewerRequest(event.userRequest),
          fetch: (_viewer, signal, toTransform) =>
            toTransform ? fetchInRanges((range, rangeSignal) => fetchRange(inputS3Url, range, rangeSignal), signal) : fetchOriginal(inputS3Url, signal),
        });
        const input = toWriteGetObjectResponse({ RequestRoute: outputRoute, RequestToken: outputToken }, outcome, timing.header(), cacheControls(settings.config()));
        Object.assign(log, { status: input.StatusCode, bytes: input.ContentLength, contentType: input.ContentType });
        // A passthrough's body streams during the send: if it fails (the store stalls past the deadline, or resets),
        // the send is aborted, not left waiting on a body that will never end, and the error is this handler's.
        const sending = new AbortController();
        if (outcome.kind === "original") outcome.original.body.once("error", (error: unknown) => sending.abort(error));
        await s3Client().send(new WriteGetObjectResponseCommand(input), { abortSignal: sending.signal });
      } catch (error) {
        log.error = `WriteGetObjectResponse failed: ${innermostMessage(error)}`;
        throw error;
      }
    });
    // Delivered (S3 took the answer): a deadline answer that left pixel work running ends the container here.
    endContainerIfWorkRemains("object-lambda", context.awsRequestId);
  };
}

export const handler: ObjectLambdaHandler = createObjectLambdaHandler();

/**
 * GETs the original from a presigned URL and resolves once the headers are in; the body
 * streams on. The origin's own refusals (403, 404) pass through; anything else that goes
 * wrong is the origin's fault (502). Aborting `signal` cancels the request at any point,
 * body included.
 */
export async function fetchOriginal(url: string, signal: AbortSignal): Promise<Original> {
  return (await fetchRange(url, undefined, signal)).original;
}

/**
 * One GET of the presigned URL, whole or a byte range (the Range header is not part of the signature).
 * `total` comes from Content-Range when the store answered 206. An empty object cannot satisfy a range
 * (416): it is fetched whole instead.
 */
export async function fetchRange(url: string, range: { start: number; end: number } | undefined, signal: AbortSignal): Promise<{ original: Original; total?: number }> {
  let response: Response;
  try {
    // A presigned GET is answered where it points; a redirect would be a misconfiguration.
    response = await fetch(url, { signal, redirect: "manual", headers: range ? { range: `bytes=${range.start}-${range.end}` } : {} });
  } catch (error) {
    if (signal.aborted) throw error;
    throw originUnreachable(error);
  }
  if (range !== undefined && response.status === 416) {
    await response.body?.cancel().catch(() => undefined);
    return fetchRange(url, undefined, signal);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw originRefusal(response.status);
  }
  const contentRange = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
  const length = header("content-length");
  const modified = header("last-modified");
  const original: Original = {
    // Cancelling lets go of the connection of a body never read (a refused original, an aborted range).
    body: originBody(response.body as WebReadableStream<Uint8Array>, signal, () => void response.body?.cancel().catch(() => undefined)),
    contentType: header("content-type"),
    contentLength: length === undefined ? undefined : Number(length),
    cacheControl: header("cache-control"),
    eTag: header("etag"),
    lastModified: modified === undefined ? undefined : new Date(modified),
  };
  return { original, total: response.status === 206 && contentRange ? Number(contentRange[1]) : undefined };
}

/**
 * Removes the query (the presigned credentials) from a URL so that it can be logged.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?<redacted>`;
}

/** Where WriteGetObjectResponse must deliver: the event's outputRoute and outputToken. */
export interface ResponseTarget {
  readonly RequestRoute: string;
  readonly RequestToken: string;
}

/**
 * Headers WriteGetObjectResponse has a member for; it forwards them to the caller as the
 * real headers (x-amz-fwd-header-*). Content-Length is taken from the body instead.
 */
const FORWARDED_HEADERS: Readonly<Record<string, keyof WriteGetObjectResponseCommandInput>> = {
  "cache-control": "CacheControl",
  "content-type": "ContentType",
  "content-disposition": "ContentDisposition",
  "content-encoding": "ContentEncoding",
  "content-language": "ContentLanguage",
};
const DERIVED_HEADERS = new Set(["content-length"]);

/**
 * WriteGetObjectResponse can only return what GetObject returns: the members above, and
 * user metadata, sent as `x-amz-meta-<name>` (the API reference: "You can include any
 * number of metadata headers ... prefaced with x-amz-meta"). It has no member for Vary
 * or Server-Timing, so those travel as metadata and reach CloudFront as
 * `x-amz-meta-vary` and `x-amz-meta-server-timing`. At the edge, Vary's job is done by the
 * cache policy (the normalized Accept is in the cache key); a viewer-response function
 * may copy both to their real names for browsers.
 */
export function toWriteGetObjectResponse(
  target: ResponseTarget,
  outcome: Outcome,
  serverTiming: string,
  cacheControl: CacheControls,
): WriteGetObjectResponseCommandInput {
  const timing = { "server-timing": serverTiming };
  switch (outcome.kind) {
    case "variant":
      return {
        ...target,
        StatusCode: 200,
        Body: outcome.body,
        ContentLength: outcome.body.length,
        ContentType: outcome.contentType,
        CacheControl: cacheControl.variant,
        ...splitHeaders(outcome.headers, timing),
      };
    case "original": {
      const { original } = outcome;
      return {
        ...target,
        StatusCode: 200,
        Body: original.body,
        ContentLength: original.contentLength,
        ContentType: original.contentType,
        CacheControl: original.cacheControl ?? cacheControl.variant,
        ETag: original.eTag,
        LastModified: original.lastModified,
        Metadata: timing,
      };
    }
    case "error":
      // No Metadata: CloudFront runs no viewer-response function for a status of 400 or more
      // ("Restrictions on all edge functions"), so x-amz-meta-* headers would reach the viewer as they are.
      return {
        ...target,
        StatusCode: outcome.error.objectLambdaStatus,
        ErrorCode: outcome.error.code,
        ErrorMessage: headerSafe(outcome.error.message, 256),
        CacheControl: cacheControl.error,
      };
  }
}

/** Maps the core's response headers onto WriteGetObjectResponse members and metadata. */
function splitHeaders(
  headers: Readonly<Record<string, string>>,
  metadata: Record<string, string>,
): Partial<WriteGetObjectResponseCommandInput> {
  const members: Record<string, string> = {};
  const meta = { ...metadata };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (DERIVED_HEADERS.has(lower)) continue;
    const member = FORWARDED_HEADERS[lower];
    if (member !== undefined) members[member] = value;
    else meta[lower] = headerSafe(value, 1024);
  }
  return { ...members, Metadata: meta };
}

/**
 * Messages may echo a viewer's input (a parameter value in any script); HTTP header values
 * must be printable ASCII, or the SDK refuses to send them and the viewer gets no answer.
 */
export function headerSafe(text: string, maxLength: number): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= maxLength ? ascii : `${ascii.slice(0, maxLength - 3)}...`;
}
