/** What the viewer asked for, whichever front door it came through. */
export interface ViewerRequest {
  /**
   * The object key, for the function-url origin's GetObject and for logs. In Object Lambda mode it is
   * only logged (the original is fetched from the presigned inputS3Url), as S3 Object Lambda gave it.
   */
  readonly key: string;
  readonly query: URLSearchParams;
  /** An Accept value for format negotiation, when the viewer sent any. */
  readonly accept?: string;
}

/**
 * The normalized resize parameters, set by our viewer-request CloudFront Function in canonical form
 * ("fit=inside&w=500"). The cache policy keys on this header, not on the query string, so the origin
 * never has to split a URL whose object key may itself hold '?', '#' or '%'.
 */
export const RESIZE_PARAMS_HEADER = "x-resize-params";
/** The normalized Accept token (avif, webp or none), set by the same function. */
export const RESIZE_ACCEPT_HEADER = "x-resize-accept";

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

type Headers = Readonly<Record<string, string | undefined>> | undefined;

/** Header names arrive in whatever case the caller used (S3 Object Lambda keeps the caller's case). */
function header(headers: Headers, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The Accept value to negotiate with: our normalized `x-resize-accept` hint wins over the
 * raw Accept header (what the cache key holds must be what decides the format).
 */
export function acceptFromHeaders(headers: Headers): string | undefined {
  const hint = header(headers, RESIZE_ACCEPT_HEADER)?.trim().toLowerCase();
  if (hint !== undefined && Object.hasOwn(FORMAT_HINTS, hint)) return FORMAT_HINTS[hint];
  return header(headers, "accept");
}

/** The edge's normalized parameters, or undefined when the header is absent (no parameters: the original). */
export function resizeParamsFromHeaders(headers: Headers): URLSearchParams | undefined {
  const params = header(headers, RESIZE_PARAMS_HEADER);
  return params === undefined ? undefined : new URLSearchParams(params);
}
