import { HttpError } from "../core";
import { objectKeyFromEncodedPath } from "../shared/object-key";
import { acceptFromHeaders, resizeParamsFromHeaders, type ViewerRequest } from "../shared/viewer-request";

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

export const SERVED_METHODS = ["GET", "HEAD"] as const;

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
    throw new HttpError(405, "MethodNotAllowed", `${method.slice(0, 16)} is not served; use ${SERVED_METHODS.join(" or ")}`);
  }
  const key = objectKeyFromEncodedPath(event.rawPath);
  if (key === "") throw new HttpError(400, "InvalidURI", "the path names no object key");
  return {
    key,
    // Through CloudFront the edge's x-resize-params header (the query is not forwarded); a direct
    // caller's query otherwise.
    query: resizeParamsFromHeaders(event.headers) ?? new URLSearchParams(event.rawQueryString ?? ""),
    accept: acceptFromHeaders(event.headers),
  };
}
