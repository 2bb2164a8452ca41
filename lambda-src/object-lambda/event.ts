import { HttpError } from "../core";

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

/** What the viewer asked for, decoded from the user request. */
export interface ViewerRequest {
  /** The object key, percent-decoded ("photos/my photo+1 100%.jpg"). */
  readonly key: string;
  readonly query: URLSearchParams;
  /** An Accept value for format negotiation, when the viewer sent any. */
  readonly accept?: string;
}

/**
 * Our CloudFront viewer-request function reduces Accept to one of these tokens, the best
 * format the viewer takes. Every browser that decodes AVIF also decodes WebP, and an
 * animated source is better served as WebP than as a still AVIF, so "avif" means both.
 */
const FORMAT_HINTS: Readonly<Record<string, string>> = {
  avif: "image/avif,image/webp",
  webp: "image/webp",
  none: "",
};

export function parseViewerRequest(userRequest: S3ObjectLambdaEvent["userRequest"]): ViewerRequest {
  let url: URL;
  try {
    url = new URL(userRequest.url);
  } catch {
    throw new HttpError(400, "InvalidURI", "the request URL cannot be parsed");
  }
  let key: string;
  try {
    // The path is percent-encoded as a whole: '+' stays '+', "%2B" becomes '+'.
    key = decodeURIComponent(url.pathname.slice(1));
  } catch {
    throw new HttpError(400, "InvalidURI", "the object key is not valid percent-encoding");
  }
  return { key, query: url.searchParams, accept: acceptFromHeaders(userRequest.headers) };
}

/**
 * The Accept value to negotiate with: our normalized `x-resize-accept` hint wins over the
 * raw Accept header (what the cache key holds must be what decides the format). Header
 * names arrive in whatever case the caller used.
 */
export function acceptFromHeaders(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  const lower = new Map(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const hint = lower.get("x-resize-accept")?.trim().toLowerCase();
  if (hint !== undefined && Object.hasOwn(FORMAT_HINTS, hint)) return FORMAT_HINTS[hint];
  return lower.get("accept");
}
