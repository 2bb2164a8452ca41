/**
 * Every failure the resizer answers with, in one table: the HTTP status a function URL (and the preview)
 * sends, and the one S3 Object Lambda sends. WriteGetObjectResponse accepts only the statuses its API
 * reference lists (200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503), so there the
 * nearest documented status travels with the exact reason in ErrorCode (S3's <Code>, ^[A-Z][a-zA-Z]+$).
 */
export const ERRORS = {
  InvalidParameter: { status: 400, objectLambdaStatus: 400 },
  InvalidURI: { status: 400, objectLambdaStatus: 400 },
  AccessDenied: { status: 403, objectLambdaStatus: 403 },
  NoSuchKey: { status: 404, objectLambdaStatus: 404 },
  MethodNotAllowed: { status: 405, objectLambdaStatus: 405 },
  PayloadTooLarge: { status: 413, objectLambdaStatus: 400 },
  UnsupportedMediaType: { status: 415, objectLambdaStatus: 400 },
  UnprocessableImage: { status: 422, objectLambdaStatus: 400 },
  InternalError: { status: 500, objectLambdaStatus: 500 },
  OriginError: { status: 502, objectLambdaStatus: 500 },
  OriginUnreachable: { status: 502, objectLambdaStatus: 500 },
  Timeout: { status: 504, objectLambdaStatus: 503 },
} as const satisfies Record<string, { status: number; objectLambdaStatus: number }>;

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
  static of(code: ErrorCode, message: string, cause?: unknown): HttpError {
    return new HttpError(code, message, cause);
  }
}

export const httpError = HttpError.of;
