/**
 * The function URL adapter: CloudFront (OAC, SigV4) -> function URL (AWS_IAM) -> the resizer. The event,
 * the original read with GetObject, and the request from parse to response.
 */
import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { cacheControls, ORIGIN_BUCKET_ENV, SERVED_METHODS } from "../core/contract";
import { httpError } from "../core/errors";
import { fetchInRanges, originBody, originRefusal, originUnreachable, s3Client, type Original } from "../shared/origin";
import { inRequestFrame, type InvocationContext, type RequestFrame } from "../shared/frame";
import { errorOutcome, type Outcome, type RequestLog, type RequestSteps } from "../shared/pipeline";
import { acceptedFormats, objectKeyFromEncodedPath, resizeParamsFromHeaders, type ViewerRequest } from "../shared/request";
import { settingsFromEnv, type ResizerSettings } from "../shared/settings";
import type { Deadline, ServerTiming } from "../shared/timing";
import { BUFFERED_LIMIT, overResponseLimit, readAtMost, toFunctionUrlResponse, type FunctionUrlResponse, type Reply } from "./response";

/**
 * The part of a Lambda function URL event (payload format 2.0) the resizer reads;
 * @types/aws-lambda's LambdaFunctionURLEvent is assignable to it.
 */
export interface FunctionUrlEvent {
  readonly version?: string;
  /** The path as the caller sent it, still percent-encoded (see objectKeyFromEncodedPath). */
  readonly rawPath: string;
  readonly rawQueryString?: string;
  /** Lower-case names; repeated headers arrive comma-joined. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly http: { readonly method: string } };
}

export function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
  const context = (event as { requestContext?: { http?: unknown } } | null)?.requestContext;
  return typeof context?.http === "object" && context.http !== null;
}

export function isHead(event: FunctionUrlEvent): boolean {
  return event.requestContext.http.method.toUpperCase() === "HEAD";
}

/**
 * The viewer's request. Unlike API Gateway HTTP APIs, which decode rawPath, function URLs
 * pass it on percent-encoded as the caller sent it (as CloudFront forwards what OAC
 * signed), so it is decoded here exactly once.
 */
export function parseFunctionUrlRequest(event: FunctionUrlEvent): ViewerRequest {
  const method = event.requestContext.http.method.toUpperCase();
  if (!(SERVED_METHODS as readonly string[]).includes(method)) {
    throw httpError("MethodNotAllowed", `${method.slice(0, 16)} is not served; use ${SERVED_METHODS.join(" or ")}`);
  }
  const key = objectKeyFromEncodedPath(event.rawPath);
  if (key === "") throw httpError("InvalidURI", "the path names no object key");
  return {
    key,
    // Through CloudFront the edge's x-resize-params header (the query is not forwarded); a direct
    // caller's query otherwise.
    query: resizeParamsFromHeaders(event.headers) ?? new URLSearchParams(event.rawQueryString ?? ""),
    accepted: acceptedFormats(event.headers),
  };
}

/** Where the originals come from: the function reads its bucket; the preview (scripts/preview) a local folder. */
export interface OriginalsSource {
  /** For the log, e.g. `s3://bucket`. */
  describe(): string;
  /** The original's headers, its body streaming on; S3-like refusals as HttpErrors (see RequestSteps.fetch). */
  fetch(key: string, signal: AbortSignal, toTransform: boolean): Promise<Original & { ranges?: number }>;
}

/** Originals read from a bucket with GetObject (ranged for a transform). */
export function s3Originals(source: { s3(): S3Client; bucket(): string }): OriginalsSource {
  return {
    describe: () => `s3://${source.bucket()}`,
    fetch: (key, signal, toTransform) => (toTransform ? getInRanges(source.s3(), source.bucket(), key, signal) : getOriginal(source.s3(), source.bucket(), key, signal)),
  };
}

export function originBucketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const bucket = env[ORIGIN_BUCKET_ENV];
  if (!bucket) throw new Error(`${ORIGIN_BUCKET_ENV} is not set: the function URL adapter needs the originals bucket's name`);
  return bucket;
}

export const FROM_ENVIRONMENT: OriginalsSource = s3Originals({ s3: s3Client, bucket: () => originBucketFromEnv() });

export type HandlerContext = InvocationContext;
export type FunctionUrlHandler = (event: FunctionUrlEvent, context: HandlerContext) => Promise<FunctionUrlResponse>;

/**
 * Lambda function URL handler (buffered, payload format 2.0): parse, GetObject, transform,
 * answer. It always returns a response, errors included, before its own timeout.
 */
export function createFunctionUrlHandler(origin: OriginalsSource = FROM_ENVIRONMENT, settings: ResizerSettings = settingsFromEnv()): FunctionUrlHandler {
  return (event, context) =>
    serveRequest(event, context, origin, settings, async (outcome, { head, deadline, timing, log }) => {
      const reply = await toReply(outcome, head, deadline, timing, log);
      const response = toFunctionUrlResponse(reply, timing.header(), head, cacheControls(settings.config()));
      Object.assign(log, { status: response.statusCode, bytes: reply.kind === "error" ? undefined : reply.body.length, contentType: response.headers["Content-Type"] });
      return response;
    });
}

/** What a function URL request's answer works with, besides its outcome. */
export interface FunctionUrlFrame extends RequestFrame {
  readonly head: boolean;
}

/** One function URL request, buffered or streamed, in the request frame (shared/frame.ts): the outcome decided, then `answer` sends it. */
export function serveRequest<T>(
  event: FunctionUrlEvent,
  context: HandlerContext,
  origin: OriginalsSource,
  settings: ResizerSettings,
  answer: (outcome: Outcome, frame: FunctionUrlFrame) => Promise<T>,
): Promise<T> {
  return inRequestFrame(context, { adapter: "function-url", settings, log: { method: event.requestContext.http.method } }, async (frame) => {
    const outcome = await frame.decide(requestSteps(event, origin, frame.log));
    return answer(outcome, { ...frame, head: isHead(event) });
  });
}

export const handler: FunctionUrlHandler = createFunctionUrlHandler();

/** The function URL's ends of the request path, buffered or streamed: the event, and the original from its source. */
export function requestSteps(event: FunctionUrlEvent, origin: OriginalsSource, log: RequestLog): RequestSteps {
  return {
    parse: () => parseFunctionUrlRequest(event),
    fetch: (viewer, signal, toTransform) => {
      log.origin = origin.describe();
      return origin.fetch(viewer.key, signal, toTransform);
    },
  };
}

/** Buffers what fits the function URL's response limit; anything that does not is a 413. */
async function toReply(outcome: Outcome, head: boolean, deadline: Deadline, timing: ServerTiming, log: RequestLog): Promise<Reply> {
  try {
    if (outcome.kind === "error") return outcome;
    if (outcome.kind === "variant") {
      if (outcome.body.length > BUFFERED_LIMIT.bytes) throw overResponseLimit("variant", BUFFERED_LIMIT, outcome.body.length);
      return outcome;
    }
    const { body, ...original } = outcome.original;
    // Decided on the declared length, before a byte of the body is downloaded.
    if (original.contentLength !== undefined && original.contentLength > BUFFERED_LIMIT.bytes) throw overResponseLimit("original", BUFFERED_LIMIT, original.contentLength);
    if (head && original.contentLength !== undefined) return { kind: "original", body: Buffer.alloc(0), original };
    const bytes = await deadline.race(timing.measure("fetch", () => readAtMost(body, BUFFERED_LIMIT.bytes)), "downloading the original");
    if (bytes === undefined) throw overResponseLimit("original", BUFFERED_LIMIT);
    return { kind: "original", body: bytes, original };
  } catch (error) {
    return errorOutcome(error, log);
  }
}

/**
 * GETs the original from the bucket with the function's own role and resolves once the
 * headers are in; the body streams on. S3's refusals (403, 404) pass through, any other
 * failure is the origin's (502). Aborting `signal` cancels the request, body included.
 */
export async function getOriginal(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<Original> {
  return (await getRange(client, bucket, key, undefined, signal)).original;
}

/** The original in parallel byte ranges (see fetchInRanges), for a transform. */
export function getInRanges(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<Original & { ranges: number }> {
  return fetchInRanges((range, rangeSignal) => getRange(client, bucket, key, range, rangeSignal), signal);
}

/**
 * GetObject, whole or a byte range; `total` from ContentRange when S3 answered a range. An empty object
 * cannot satisfy a range (416, InvalidRange): it is fetched whole instead.
 */
async function getRange(client: S3Client, bucket: string, key: string, range: { start: number; end: number } | undefined, signal: AbortSignal): Promise<{ original: Original; total?: number }> {
  let output;
  try {
    output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range && `bytes=${range.start}-${range.end}` }), { abortSignal: signal });
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
    if (range !== undefined && status === 416) return getRange(client, bucket, key, undefined, signal);
    throw signal.aborted ? error : s3Failure(error);
  }
  if (output.Body === undefined) throw httpError("OriginError", "the original's store answered without a body");
  // In Node the SDK's body is an http.IncomingMessage: a Readable.
  const source = output.Body as Readable;
  const original: Original = {
    // Destroying the socket's stream frees the function from a body it will not read.
    body: originBody(source, signal, () => source.destroy()),
    contentType: output.ContentType,
    contentLength: output.ContentLength,
    cacheControl: output.CacheControl,
    eTag: output.ETag,
    lastModified: output.LastModified,
  };
  const total = /\/(\d+)$/.exec(output.ContentRange ?? "");
  return { original, total: total ? Number(total[1]) : undefined };
}

/**
 * An answer from S3 (it carries an HTTP status) is a refusal or a failure of the store; no
 * answer at all (refused connection, DNS, reset) means the store could not be reached.
 */
function s3Failure(error: unknown): Error {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === "number") return originRefusal(status, error);
  return originUnreachable(error);
}
