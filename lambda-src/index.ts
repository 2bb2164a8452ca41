/** The resizer Lambda's entry (`index.handler` in the bundle): S3 Object Lambda GetObject events. */
export { handler } from "./object-lambda/handler";
export type { S3ObjectLambdaEvent } from "./object-lambda/event";
