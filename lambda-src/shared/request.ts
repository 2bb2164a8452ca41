/**
 * What the viewer asked for, whichever front door it came through, read from the headers our edge function
 * sets (or, for a direct caller, from its query and Accept header).
 */
import { ACCEPT_TOKENS, RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER, type AcceptToken } from "../core/contract";
import { httpError } from "../core/errors";
import { formatsOfAccept, formatsOfToken, type AcceptedFormats } from "../core/output";

export interface ViewerRequest {
  /**
   * The object key, for the function-url origin's GetObject and for logs. In Object Lambda mode it is
   * only logged (the original is fetched from the presigned inputS3Url), as S3 Object Lambda gave it.
   */
  readonly key: string;
  readonly query: URLSearchParams;
  /** The formats the viewer takes, for `format=auto`. */
  readonly accepted: AcceptedFormats;
}

type Headers = Readonly<Record<string, string | undefined>> | undefined;

/** Header names arrive in whatever case the caller used (S3 Object Lambda keeps the caller's case). */
function header(headers: Headers, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The formats to negotiate with: the edge's token wins over the raw Accept header (what the cache key holds
 * must be what decides the format), and is taken as it is, not rebuilt into an Accept header.
 */
export function acceptedFormats(headers: Headers): AcceptedFormats {
  const token = header(headers, RESIZE_ACCEPT_HEADER)?.trim().toLowerCase();
  if (token !== undefined && (ACCEPT_TOKENS as readonly string[]).includes(token)) return formatsOfToken(token as AcceptToken);
  return formatsOfAccept(header(headers, "accept"));
}

/** The edge's normalized parameters, or undefined when the header is absent (no parameters: the original). */
export function resizeParamsFromHeaders(headers: Headers): URLSearchParams | undefined {
  const params = header(headers, RESIZE_PARAMS_HEADER);
  return params === undefined ? undefined : new URLSearchParams(params);
}

/**
 * The object key from a request path that is still percent-encoded, decoded exactly once:
 * '+' stays '+', "%2B" becomes '+', "%25" becomes '%' (and "%2541" stays "%41").
 */
export function objectKeyFromEncodedPath(encodedPath: string): string {
  let key: string;
  try {
    key = decodeURIComponent(encodedPath.replace(/^\//, ""));
  } catch {
    throw httpError("InvalidURI", "the object key is not valid percent-encoding");
  }
  // NUL, CR/LF and the other control characters are no part of an image's name, and a log or header
  // that echoed them could be split.
  if (/[\u0000-\u001f\u007f]/.test(key)) throw httpError("InvalidURI", "the object key holds a control character");
  return key;
}
