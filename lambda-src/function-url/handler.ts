import type { S3Client } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { s3Client } from "../s3-client";
import { ORIGIN_BUCKET_ENV } from "../core/config";
import { Deadline } from "../shared/deadline";
import { decide } from "../shared/decide";
import { writeLog, type RequestLog } from "../shared/log";
import { errorOutcome, type Outcome } from "../shared/outcome";
import { ServerTiming } from "../shared/server-timing";
import { isHead, parseFunctionUrlRequest, type FunctionUrlEvent } from "./event";
import { getOriginal } from "./get-original";
import { readAtMost } from "./read-body";
import { fitsResponse, MAX_RESPONSE_BODY_BYTES, overResponseLimit } from "./response-limit";
import { toFunctionUrlResponse, type FunctionUrlResponse, type Reply } from "./response";

/** Set by the ImageCdn construct in function-url mode: the bucket holding the originals. */
export { ORIGIN_BUCKET_ENV };

/** Where the originals come from; the defaults read the function's environment. */
export interface FunctionUrlOrigin {
  s3(): S3Client;
  bucket(): string;
}

export function originBucketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const bucket = env[ORIGIN_BUCKET_ENV];
  if (!bucket) throw new Error(`${ORIGIN_BUCKET_ENV} is not set: the function URL adapter needs the originals bucket's name`);
  return bucket;
}

const FROM_ENVIRONMENT: FunctionUrlOrigin = { s3: s3Client, bucket: () => originBucketFromEnv() };

type HandlerContext = Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">;
export type FunctionUrlHandler = (event: FunctionUrlEvent, context: HandlerContext) => Promise<FunctionUrlResponse>;

/**
 * Lambda function URL handler (buffered, payload format 2.0): parse, GetObject, transform,
 * answer. It always returns a response, errors included, before its own timeout.
 */
export function createFunctionUrlHandler(origin: FunctionUrlOrigin = FROM_ENVIRONMENT): FunctionUrlHandler {
  return async (event, context) => {
    const timing = new ServerTiming();
    const deadline = Deadline.fromRemainingTime(context.getRemainingTimeInMillis());
    const head = isHead(event);
    const log: RequestLog = { requestId: context.awsRequestId, method: event.requestContext.http.method };
    let outcome: Outcome | undefined;
    try {
      outcome = await decide(
        {
          parse: () => parseFunctionUrlRequest(event),
          fetch: (viewer, signal) => {
            const bucket = origin.bucket();
            log.origin = `s3://${bucket}`;
            return getOriginal(origin.s3(), bucket, viewer.key, signal);
          },
        },
        deadline,
        timing,
        log,
      );
      const reply = await toReply(outcome, head, deadline, timing, log);
      const response = toFunctionUrlResponse(reply, timing.header(), head);
      Object.assign(log, { status: response.statusCode, bytes: reply.kind === "error" ? undefined : reply.body.length, contentType: response.headers["Content-Type"] });
      return response;
    } finally {
      deadline.clear();
      // An original refused by size, or answered to a HEAD, was never read to the end.
      if (outcome?.kind === "original") outcome.original.body.destroy();
      log.timings = timing.durations();
      writeLog("function-url", log);
    }
  };
}

export const handler: FunctionUrlHandler = createFunctionUrlHandler();

/** Buffers what fits the function URL's response limit; anything that does not is a 413. */
async function toReply(outcome: Outcome, head: boolean, deadline: Deadline, timing: ServerTiming, log: RequestLog): Promise<Reply> {
  try {
    if (outcome.kind === "error") return outcome;
    if (outcome.kind === "variant") {
      if (!fitsResponse(outcome.body.length)) throw overResponseLimit("variant", outcome.body.length);
      return outcome;
    }
    const { body, ...original } = outcome.original;
    // Decided on the declared length, before a byte of the body is downloaded.
    if (original.contentLength !== undefined && !fitsResponse(original.contentLength)) throw overResponseLimit("original", original.contentLength);
    if (head && original.contentLength !== undefined) return { kind: "original", body: Buffer.alloc(0), original };
    const bytes = await deadline.race(timing.measure("fetch", () => readAtMost(body, MAX_RESPONSE_BODY_BYTES)), "downloading the original");
    if (bytes === undefined) throw overResponseLimit("original");
    return { kind: "original", body: bytes, original };
  } catch (error) {
    return errorOutcome(error, log);
  }
}
