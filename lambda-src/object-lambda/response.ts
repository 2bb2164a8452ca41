import type { WriteGetObjectResponseCommandInput } from "@aws-sdk/client-s3";
import { ERROR_CACHE_CONTROL, VARIANT_CACHE_CONTROL } from "../core";
import type { Outcome } from "../shared/outcome";

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
        CacheControl: VARIANT_CACHE_CONTROL,
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
        CacheControl: original.cacheControl ?? VARIANT_CACHE_CONTROL,
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
        StatusCode: objectLambdaStatus(outcome.error.status),
        ErrorCode: headerSafe(outcome.error.code, 64),
        ErrorMessage: headerSafe(outcome.error.message, 256),
        CacheControl: ERROR_CACHE_CONTROL,
      };
  }
}

/** The status codes WriteGetObjectResponse documents for StatusCode (API reference, x-amz-fwd-status). */
export const WRITE_GET_OBJECT_RESPONSE_STATUSES: readonly number[] = [200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503];

/**
 * The documented status nearest to the resizer's own: 413, 415 and 422 are the viewer's problem (400),
 * 504 means try again (503), other failures are 500. The exact reason travels in ErrorCode
 * (PayloadTooLarge, UnsupportedMediaType, UnprocessableImage, OriginError, Timeout), which S3 returns
 * in the <Code> of the XML error body.
 */
export function objectLambdaStatus(status: number): number {
  if (WRITE_GET_OBJECT_RESPONSE_STATUSES.includes(status)) return status;
  if (status === 504) return 503;
  return status >= 500 ? 500 : 400;
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
