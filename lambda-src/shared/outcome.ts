import { HttpError } from "../core";
import type { RequestLog } from "./log";
import { innermostMessage, type Original } from "./original";

/** What the function answers, decided before anything is written back. */
export type Outcome =
  | { readonly kind: "variant"; readonly body: Buffer; readonly contentType: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: "original"; readonly original: Original }
  | { readonly kind: "error"; readonly error: HttpError };

/** Any failure as the answer it deserves (unexpected ones are a 500), noted in the log. */
export function errorOutcome(error: unknown, log: RequestLog): Outcome & { kind: "error" } {
  const httpError = asHttpError(error);
  Object.assign(log, { errorCode: httpError.code, error: logDetail(error, httpError) });
  return { kind: "error", error: httpError };
}

/** The stack only for the unexpected; an expected refusal is its message plus any low-level cause. */
function logDetail(error: unknown, httpError: HttpError): string {
  if (error !== httpError) return error instanceof Error ? (error.stack ?? error.message) : String(error);
  return httpError.cause === undefined ? httpError.message : `${httpError.message}: ${innermostMessage(httpError.cause)}`;
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(500, "InternalError", "the resizer failed unexpectedly");
}
