import { acceptedFormats, resizeParamsFromHeaders, type ViewerRequest } from "../shared/request";

/**
 * The S3 Object Lambda events (S3 user guide, "Event context format and usage") and how the resizer reads
 * the viewer's request from them.
 */

/** The caller's request as S3 Object Lambda passes it on (S3 user guide, "Event context format and usage"). */
export interface ObjectLambdaUserRequest {
  /** "The decoded URL of the request as received by S3 Object Lambda": never decoded again, never split. */
  readonly url: string;
  /** The caller's headers, in the caller's case; repeated ones comma-joined. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The part of the S3 Object Lambda GetObject event the resizer reads.
 * (@types/aws-lambda has no type for it.)
 */
export interface S3ObjectLambdaEvent {
  readonly xAmzRequestId?: string;
  readonly getObjectContext: {
    readonly inputS3Url: string;
    readonly outputRoute: string;
    readonly outputToken: string;
  };
  readonly userRequest: ObjectLambdaUserRequest;
  readonly configuration?: Readonly<Record<string, string>>;
}

/** HeadObject through the access point: answered by the handler's return value, not WriteGetObjectResponse. */
export interface S3ObjectLambdaHeadEvent {
  readonly xAmzRequestId?: string;
  /** A URL presigned for HeadObject on the supporting access point (a GET with it fails its signature). */
  readonly headObjectContext: { readonly inputS3Url: string };
  readonly userRequest: ObjectLambdaUserRequest;
  readonly configuration?: Readonly<Record<string, string>>;
}

/**
 * The viewer's request. The parameters come from the edge's x-resize-params header only: the URL is
 * documented as decoded, so a key holding '?', '#' or '%' cannot be told apart from a query in it. No
 * header means no parameters: the original. The key is kept for logs as S3 Object Lambda gave it (the
 * original itself comes from the presigned inputS3Url, which S3 built from the real key).
 */
export function parseViewerRequest(userRequest: ObjectLambdaUserRequest): ViewerRequest {
  return {
    key: pathOf(userRequest.url),
    query: resizeParamsFromHeaders(userRequest.headers) ?? new URLSearchParams(),
    accepted: acceptedFormats(userRequest.headers),
  };
}

/** Everything after the host, untouched (no decoding, no split at '?' or '#'). */
function pathOf(url: string): string {
  const hostStart = url.indexOf("://");
  const pathStart = url.indexOf("/", hostStart === -1 ? 0 : hostStart + 3);
  return pathStart === -1 ? "" : url.slice(pathStart + 1);
}
