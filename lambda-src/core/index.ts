/** The resizer core: the URL contract, parameter parsing, format negotiation and the sharp pipeline. */
export { DEFAULT_RESIZER_CONFIG, VARIANT_CACHE_CONTROL, errorCacheControl, type Fit, type ResizerConfig } from "./contract";
export { HttpError, httpError, type ErrorCode } from "./errors";
export { formatsOfAccept, formatsOfToken, negotiateFormat, type AcceptedFormats, type NegotiatedFormat, type SourceFormat } from "./output";
export { isOriginalRequest, parseResizeQuery, type ResizeRequest } from "./params";
export { configureSharp, transformImage, type TransformContext, type TransformResult } from "./transform";
