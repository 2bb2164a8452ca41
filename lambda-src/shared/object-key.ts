import { HttpError } from "../core";

/**
 * The object key from a request path that is still percent-encoded, decoded exactly once:
 * '+' stays '+', "%2B" becomes '+', "%25" becomes '%' (and "%2541" stays "%41").
 */
export function objectKeyFromEncodedPath(encodedPath: string): string {
  try {
    return decodeURIComponent(encodedPath.replace(/^\//, ""));
  } catch {
    throw new HttpError(400, "InvalidURI", "the object key is not valid percent-encoding");
  }
}
