/** The resizer core: pure parameter parsing, format negotiation and the sharp pipeline. */
export { HttpError, isHttpError, HTTP_ERROR_STATUS } from "./errors";
export type { HttpErrorCode } from "./errors";
export { parseResizeQuery, isOriginalRequest } from "./params";
export type { ResizeRequest, Fit, OutputFormat } from "./params";
export { transformImage } from "./transform";
export type { TransformContext, TransformResult } from "./transform";
export { negotiateFormat } from "./negotiate";
export type { NegotiatedFormat, SourceFormat } from "./negotiate";
export { VARIANT_CACHE_CONTROL, ERROR_CACHE_CONTROL } from "./cache-control";
export { configureSharp } from "./sharp-setup";
