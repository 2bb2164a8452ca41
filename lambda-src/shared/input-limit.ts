import { HttpError } from "../core";
import type { Original } from "./original";

/**
 * Refuses, before a byte of the body is read, an original whose declared size is over the
 * limit. (The core counts the bytes that do arrive, for origins that declare no length.)
 */
export function refuseOversized(original: Original, maxBytes: number): void {
  if (original.contentLength === undefined || original.contentLength <= maxBytes) return;
  original.body.destroy();
  throw new HttpError(413, "PayloadTooLarge", `the original is larger than the ${maxBytes}-byte limit`);
}
