/**
 * The resizer Lambda's entry (`index.handler` in the bundle). One zip serves both origins;
 * the event's shape says which front door the request came through.
 */
import type { Context } from "aws-lambda";
import { handler as functionUrlHandler, isFunctionUrlEvent, type FunctionUrlEvent } from "./function-url/handler";
import type { FunctionUrlResponse } from "./function-url/response";
import type { S3ObjectLambdaEvent, S3ObjectLambdaHeadEvent } from "./object-lambda/event";
import { handler as objectLambdaHandler } from "./object-lambda/get";
import { headHandler as objectLambdaHeadHandler, type HeadObjectResponse } from "./object-lambda/head";

export type { S3ObjectLambdaEvent, S3ObjectLambdaHeadEvent } from "./object-lambda/event";
export type { HeadObjectResponse } from "./object-lambda/head";
export type { FunctionUrlEvent, FunctionUrlResponse };

type HandlerContext = Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">;

export function handler(event: S3ObjectLambdaEvent, context: HandlerContext): Promise<void>;
export function handler(event: S3ObjectLambdaHeadEvent, context: HandlerContext): Promise<HeadObjectResponse>;
export function handler(event: FunctionUrlEvent, context: HandlerContext): Promise<FunctionUrlResponse>;
export function handler(event: unknown, context: HandlerContext): Promise<void | HeadObjectResponse | FunctionUrlResponse>;
export async function handler(event: unknown, context: HandlerContext): Promise<void | HeadObjectResponse | FunctionUrlResponse> {
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
