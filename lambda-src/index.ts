/**
 * The resizer Lambda's entry (`index.handler` in the bundle). One zip serves both origins;
 * the event's shape says which front door the request came through.
 */
import type { Context } from "aws-lambda";
import { handler as functionUrlHandler, isFunctionUrlEvent, type FunctionUrlEvent, type FunctionUrlResponse } from "./function-url";
import type { S3ObjectLambdaEvent } from "./object-lambda/event";
import { handler as objectLambdaHandler } from "./object-lambda/handler";

export type { S3ObjectLambdaEvent } from "./object-lambda/event";
export type { FunctionUrlEvent, FunctionUrlResponse } from "./function-url";

type HandlerContext = Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">;

export function handler(event: S3ObjectLambdaEvent, context: HandlerContext): Promise<void>;
export function handler(event: FunctionUrlEvent, context: HandlerContext): Promise<FunctionUrlResponse>;
export function handler(event: unknown, context: HandlerContext): Promise<void | FunctionUrlResponse>;
export async function handler(event: unknown, context: HandlerContext): Promise<void | FunctionUrlResponse> {
  if (isObjectLambdaEvent(event)) return objectLambdaHandler(event, context);
  if (isFunctionUrlEvent(event)) return functionUrlHandler(event, context);
  throw new Error(
    "the resizer received an event it does not handle: expected an S3 Object Lambda event (getObjectContext) " +
      "or a Lambda function URL event (requestContext.http, payload format 2.0)",
  );
}

function isObjectLambdaEvent(event: unknown): event is S3ObjectLambdaEvent {
  const context = (event as { getObjectContext?: unknown } | null)?.getObjectContext;
  return typeof context === "object" && context !== null;
}
