/**
 * Every failure the resizer answers with, in one table: the HTTP status a function URL (and the preview)
 * sends, and the one S3 Object Lambda sends. WriteGetObjectResponse accepts only the statuses its API
 * reference lists (200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503), so there the
 * nearest documented status travels with the exact reason in ErrorCode (S3's <Code>, ^[A-Z][a-zA-Z]+$).
 * `when` is the README's wording (its error table is generated from this one: npm run docs).
 */
export const ERRORS = {
  InvalidParameter: { status: 400, objectLambdaStatus: 400, when: "a malformed or disallowed parameter (the body names it); answered at the edge, so the resizer sees it only from a direct caller" },
  InvalidURI: { status: 400, objectLambdaStatus: 400, when: "a key with a control character or broken percent-encoding" },
  AccessDenied: { status: 403, objectLambdaStatus: 403, when: "the resizer may not read the original" },
  NoSuchKey: { status: 404, objectLambdaStatus: 404, when: "the original of a variant does not exist" },
  MethodNotAllowed: { status: 405, objectLambdaStatus: 405, when: "a method other than GET and HEAD" },
  PayloadTooLarge: { status: 413, objectLambdaStatus: 400, when: "an original over the pixel or byte limit, or a decode or variant the function's memory or time cannot afford (the reason names `resizer.memorySize`)" },
  UnsupportedMediaType: { status: 415, objectLambdaStatus: 400, when: "not an image the resizer reads; SVG is never rasterized" },
  UnprocessableImage: { status: 422, objectLambdaStatus: 400, when: "an image that cannot be decoded (truncated, corrupt)" },
  InternalError: { status: 500, objectLambdaStatus: 500, when: "a failure of the resizer itself (logged)" },
  OriginError: { status: 502, objectLambdaStatus: 500, when: "the bucket answered with an error" },
  OriginUnreachable: { status: 502, objectLambdaStatus: 500, when: "the bucket could not be reached, or the connection broke" },
  Timeout: { status: 504, objectLambdaStatus: 503, when: "the original or the variant took too long (answered before the function's own timeout)" },
} as const satisfies Record<string, { status: number; objectLambdaStatus: number; when: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A failure with its code; made by `httpError` only, so every code is in the table above. */
export class HttpError extends Error {
  readonly status: number;
  readonly objectLambdaStatus: number;

  private constructor(readonly code: ErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "HttpError";
    this.status = ERRORS[code].status;
    this.objectLambdaStatus = ERRORS[code].objectLambdaStatus;
  }

  /** The only factory. `cause` is kept for the log (a socket error behind a 502), never shown to viewers. */
  static of(this: void, code: ErrorCode, message: string, cause?: unknown): HttpError {
    return new HttpError(code, message, cause);
  }
}

export const httpError = HttpError.of;
