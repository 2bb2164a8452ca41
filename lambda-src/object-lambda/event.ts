import { HttpError } from "../core";
import { objectKeyFromEncodedPath } from "../shared/object-key";
import { acceptFromHeaders, type ViewerRequest } from "../shared/viewer-request";

export type { ViewerRequest } from "../shared/viewer-request";
export { acceptFromHeaders } from "../shared/viewer-request";

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
  readonly userRequest: {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly configuration?: Readonly<Record<string, string>>;
}

export function parseViewerRequest(userRequest: S3ObjectLambdaEvent["userRequest"]): ViewerRequest {
  let url: URL;
  try {
    url = new URL(userRequest.url);
  } catch {
    throw new HttpError(400, "InvalidURI", "the request URL cannot be parsed");
  }
  // The path is percent-encoded as a whole.
  const key = objectKeyFromEncodedPath(url.pathname);
  return { key, query: url.searchParams, accept: acceptFromHeaders(userRequest.headers) };
}
