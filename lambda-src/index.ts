/**
 * The resizer Lambda's entry (`index.handler` in the bundle). One zip serves both origins;
 * the event's shape says which front door the request came through.
 *
 * Which path runs: in Lambda's Node.js runtime the `awslambda` global exists, and a function-url
 * function (RESIZER_ORIGIN_BUCKET set by the construct, invoke mode RESPONSE_STREAM) gets the streamed
 * handler (`function-url/stream.ts`). Without that global (tests in process, other runtimes) and for
 * Object Lambda the buffered handlers answer; the function URL's then carries at most 6 MB.
 */
import type { Writable } from "node:stream";
import type { Context } from "aws-lambda";
import { ORIGIN_BUCKET_ENV } from "./core/contract";
import { createStreamingHandler, lambdaStreaming } from "./function-url/stream";
import { createFunctionUrlHandler, FROM_ENVIRONMENT, isFunctionUrlEvent, type FunctionUrlEvent } from "./function-url/handler";
import type { FunctionUrlResponse } from "./function-url/response";
import type { S3ObjectLambdaEvent, S3ObjectLambdaHeadEvent } from "./object-lambda/event";
import { createObjectLambdaHandler } from "./object-lambda/get";
import { createHeadHandler, type HeadObjectResponse } from "./object-lambda/head";
import { settingsFromEnv } from "./shared/settings";

export type { S3ObjectLambdaEvent, S3ObjectLambdaHeadEvent } from "./object-lambda/event";
export type { HeadObjectResponse } from "./object-lambda/head";
export type { FunctionUrlEvent, FunctionUrlResponse };

type HandlerContext = Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">;

/** The container's configuration, memory and log sink: from the environment, read once for every handler. */
const settings = settingsFromEnv();
const objectLambdaHandler = createObjectLambdaHandler(settings);
const objectLambdaHeadHandler = createHeadHandler(settings);
const functionUrlHandler = createFunctionUrlHandler(FROM_ENVIRONMENT, settings);

export function bufferedHandler(event: S3ObjectLambdaEvent, context: HandlerContext): Promise<void>;
export function bufferedHandler(event: S3ObjectLambdaHeadEvent, context: HandlerContext): Promise<HeadObjectResponse>;
export function bufferedHandler(event: FunctionUrlEvent, context: HandlerContext): Promise<FunctionUrlResponse>;
export function bufferedHandler(event: unknown, context: HandlerContext): Promise<void | HeadObjectResponse | FunctionUrlResponse>;
export async function bufferedHandler(event: unknown, context: HandlerContext): Promise<void | HeadObjectResponse | FunctionUrlResponse> {
  if (hasObject(event, "getObjectContext")) return objectLambdaHandler(event as S3ObjectLambdaEvent, context);
  if (hasObject(event, "headObjectContext")) return objectLambdaHeadHandler(event as S3ObjectLambdaHeadEvent, context);
  if (isFunctionUrlEvent(event)) return functionUrlHandler(event, context);
  throw new Error(
    "the resizer received an event it does not handle: expected an S3 Object Lambda event (getObjectContext or " +
      "headObjectContext) or a Lambda function URL event (requestContext.http, payload format 2.0)",
  );
}

function hasObject(event: unknown, field: string): boolean {
  const value = (event as Record<string, unknown> | null)?.[field];
  return typeof value === "object" && value !== null;
}

const streaming = lambdaStreaming();
const streamingFunctionUrl = streaming === undefined ? undefined : createStreamingHandler(streaming, FROM_ENVIRONMENT, settings);

/** Function URL events stream; anything else answers as it would buffered, its result written to the stream. */
async function streamingDispatch(event: unknown, responseStream: Writable, context: Context): Promise<void> {
  if (streamingFunctionUrl !== undefined && isFunctionUrlEvent(event)) return streamingFunctionUrl(event, responseStream, context);
  const result = await bufferedHandler(event, context);
  responseStream.end(result === undefined ? undefined : JSON.stringify(result));
}

/** What the runtime calls: see the top of this file for which path runs. */
export const handler: typeof bufferedHandler = streaming !== undefined && Boolean(process.env[ORIGIN_BUCKET_ENV])
  ? (streaming.streamifyResponse(streamingDispatch) as typeof bufferedHandler)
  : bufferedHandler;
