/** HTTP-mapped failures of the resizer core. The adapters turn them into responses. */
export type HttpErrorCode =
  | "InvalidParameter"
  | "PayloadTooLarge"
  | "UnsupportedMediaType"
  | "UnprocessableImage";

export const HTTP_ERROR_STATUS: Readonly<Record<HttpErrorCode, number>> = {
  InvalidParameter: 400,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  UnprocessableImage: 422,
};

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}

export const invalidParameter = (message: string): HttpError =>
  new HttpError(HTTP_ERROR_STATUS.InvalidParameter, "InvalidParameter", message);
export const payloadTooLarge = (message: string): HttpError =>
  new HttpError(HTTP_ERROR_STATUS.PayloadTooLarge, "PayloadTooLarge", message);
export const unsupportedMediaType = (message: string): HttpError =>
  new HttpError(HTTP_ERROR_STATUS.UnsupportedMediaType, "UnsupportedMediaType", message);
export const unprocessableImage = (message: string): HttpError =>
  new HttpError(HTTP_ERROR_STATUS.UnprocessableImage, "UnprocessableImage", message);
