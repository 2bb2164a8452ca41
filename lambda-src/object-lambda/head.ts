import { errorCacheControl, formatOfMimeType, IMAGE_FORMATS, OBJECT_LAMBDA_METADATA_HEADERS, OTHER_ANSWERS, variantCacheControl, variantVary, type ResizerConfig } from "../core/contract";
import { httpError } from "../core/errors";
import { negotiateFormat, type AcceptedFormats } from "../core/output";
import { parseResizeQuery } from "../core/params";
import { originRefusal, originUnreachable } from "../shared/origin";
import { inRequestFrame, type InvocationContext } from "../shared/frame";
import { errorOutcome, oversized } from "../shared/pipeline";
import { settingsFromEnv, type ResizerSettings } from "../shared/settings";
import { parseViewerRequest, type S3ObjectLambdaHeadEvent } from "./event";
import { redactUrl } from "./get";

/**
 * What a HeadObject transformation returns to S3 Object Lambda (S3 user guide, "Working with HeadObject
 * requests in Lambda"): a status, the headers of the answer, or an error code and message.
 */
export interface HeadObjectResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string | number>;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * HEAD through the Object Lambda access point. The presigned URL is for HeadObject only, so the original's
 * bytes cannot be read: the answer comes from the original's headers and the request's plan.
 * - No parameters: the original's own headers (Content-Length, Content-Type, ETag, Last-Modified).
 * - A variant: the status GET would have for the parameters and the original's size and type, the
 *   variant's Content-Type and Cache-Control, and no Content-Length: it is only known once encoded.
 */
export type HeadHandler = (event: S3ObjectLambdaHeadEvent, context: InvocationContext) => Promise<HeadObjectResponse>;

export function createHeadHandler(settings: ResizerSettings = settingsFromEnv()): HeadHandler {
  return (event, context) => {
    const url = event.headObjectContext.inputS3Url;
    // No original's body is read and no step timed: the frame's deadline and log line only.
    return inRequestFrame(context, { adapter: "object-lambda", settings, log: { method: "HEAD", origin: redactUrl(url) }, timed: false }, async ({ deadline, log }) => {
      try {
        const viewer = parseViewerRequest(event.userRequest);
        Object.assign(log, { key: viewer.key, params: viewer.query.toString() });
        const config = settings.config();
        const request = parseResizeQuery(viewer.query, config);
        const original = await deadline.race(headOriginal(url, deadline.signal, variantCacheControl(config)), "asking for the original");
        const answer = request.original
          ? { statusCode: 200, headers: original }
          : { statusCode: 200, headers: variantHeaders(original, request.format, viewer.accepted, config) };
        log.status = answer.statusCode;
        return answer;
      } catch (error) {
        const { error: failure } = errorOutcome(error, log);
        log.status = failure.objectLambdaStatus;
        return { statusCode: log.status, errorCode: failure.code, errorMessage: failure.message, headers: { "Cache-Control": errorCacheControl(settings.config()) } };
      }
    });
  };
}

export const headHandler: HeadHandler = createHeadHandler();

async function headOriginal(url: string, signal: AbortSignal, defaultCacheControl: string): Promise<Record<string, string | number>> {
  let response: Response;
  try {
    response = await fetch(url, { method: "HEAD", signal, redirect: "manual" });
  } catch (error) {
    if (signal.aborted) throw error;
    throw originUnreachable(error);
  }
  if (!response.ok) throw originRefusal(response.status);
  const headers: Record<string, string | number> = {};
  for (const [name, header] of [["Content-Type", "content-type"], ["ETag", "etag"], ["Last-Modified", "last-modified"], ["Cache-Control", "cache-control"]]) {
    const value = response.headers.get(header as string);
    if (value !== null) headers[name as string] = value;
  }
  const length = response.headers.get("content-length");
  if (length !== null) headers["Content-Length"] = Number(length);
  headers["Cache-Control"] ??= defaultCacheControl;
  return headers;
}

function variantHeaders(
  original: Record<string, string | number>,
  format: ReturnType<typeof parseResizeQuery>["format"],
  accepted: AcceptedFormats,
  config: ResizerConfig,
): Record<string, string> {
  const sourceType = String(original["Content-Type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (sourceType === "image/svg+xml") throw httpError("UnsupportedMediaType", "SVG is not resized");
  const length = original["Content-Length"];
  const tooLarge = oversized(length === undefined ? undefined : Number(length), config.maxInputBytes);
  if (tooLarge !== undefined) throw tooLarge;
  const headers: Record<string, string> = { "Cache-Control": variantCacheControl(config) };
  const source = formatOfMimeType(sourceType);
  // GET identifies the original by its bytes; HEAD has only the uploader's Content-Type to go by.
  if (format === OTHER_ANSWERS.facts.format) return { ...headers, "Content-Type": OTHER_ANSWERS.facts.mime };
  const output = format !== "auto" ? format : source !== undefined ? negotiateFormat(accepted, source) : undefined;
  if (output !== undefined) headers["Content-Type"] = IMAGE_FORMATS[output].mime;
  const vary = variantVary(format === "auto", config);
  if (vary !== undefined) headers[OBJECT_LAMBDA_METADATA_HEADERS.vary] = vary;
  return headers;
}
