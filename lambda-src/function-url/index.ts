/** The function URL adapter: CloudFront (OAC, SigV4) -> function URL (AWS_IAM) -> the resizer core. */
export { handler, createFunctionUrlHandler, originBucketFromEnv, ORIGIN_BUCKET_ENV } from "./handler";
export type { FunctionUrlHandler, FunctionUrlOrigin } from "./handler";
export { isFunctionUrlEvent } from "./event";
export type { FunctionUrlEvent } from "./event";
export type { FunctionUrlResponse } from "./response";
export { FUNCTION_URL_RESPONSE_LIMIT_BYTES, MAX_RESPONSE_BODY_BYTES } from "./response-limit";
