import { WriteGetObjectResponseCommand } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { configFromEnv, type ResizerConfig } from "../core/config";
import { configureSharp, HttpError, parseResizeQuery, transformImage } from "../core";
import { fetchOriginal, innermostMessage, redactUrl } from "../origin";
import { s3Client } from "../s3-client";
import { Deadline } from "./deadline";
import { parseViewerRequest, type S3ObjectLambdaEvent } from "./event";
import { refuseOversized } from "./input-limit";
import { writeLog, type RequestLog } from "./log";
import { toWriteGetObjectResponse, type Outcome } from "./response";
import { ServerTiming } from "./server-timing";

let containerConfig: ResizerConfig | undefined;

/** Read once per container; a broken environment fails each request with a 500, not the init. */
function resizerConfig(): ResizerConfig {
  if (containerConfig === undefined) {
    configureSharp();
    containerConfig = configFromEnv();
  }
  return containerConfig;
}

/**
 * S3 Object Lambda GetObject handler. It always answers through WriteGetObjectResponse,
 * errors included, and before its own timeout; only a failing WriteGetObjectResponse
 * itself is thrown (there is nothing left to answer with).
 */
export async function handler(event: S3ObjectLambdaEvent, context: Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">): Promise<void> {
  const timing = new ServerTiming();
  const deadline = Deadline.fromRemainingTime(context.getRemainingTimeInMillis());
  const { inputS3Url, outputRoute, outputToken } = event.getObjectContext;
  const log: RequestLog = { requestId: context.awsRequestId, origin: redactUrl(inputS3Url) };
  let outcome: Outcome | undefined;
  try {
    outcome = await decide(event, deadline, timing, log);
    const input = toWriteGetObjectResponse({ RequestRoute: outputRoute, RequestToken: outputToken }, outcome, timing.header());
    Object.assign(log, { status: input.StatusCode, bytes: input.ContentLength, contentType: input.ContentType });
    await s3Client().send(new WriteGetObjectResponseCommand(input));
  } catch (error) {
    log.error = `WriteGetObjectResponse failed: ${innermostMessage(error)}`;
    throw error;
  } finally {
    // The passthrough's body streams during the send above: the deadline guards it until here.
    deadline.clear();
    // A send that failed before reading the passthrough body would leave the download open.
    if (outcome?.kind === "original") outcome.original.body.destroy();
    log.timings = timing.durations();
    writeLog(log);
  }
}

/** Parse, fetch, transform: every failure becomes an error outcome, so there is always an answer. */
async function decide(event: S3ObjectLambdaEvent, deadline: Deadline, timing: ServerTiming, log: RequestLog): Promise<Outcome> {
  try {
    const viewer = parseViewerRequest(event.userRequest);
    Object.assign(log, { key: viewer.key, params: viewer.query.toString() });
    const config = resizerConfig();
    const request = parseResizeQuery(viewer.query, config);

    const original = await deadline.race(
      timing.measure("fetch", () => fetchOriginal(event.getObjectContext.inputS3Url, deadline.signal)),
      "fetching the original",
    );
    if (request.original) return { kind: "original", original };

    refuseOversized(original, config.maxInputBytes);
    // The body goes in as it arrives: sharp decodes while the rest is still downloading.
    // (On failure the core destroys it; on the deadline the abort ends the download.)
    const variant = await deadline.race(
      timing.measure("transform", () =>
        transformImage(original.body, request, { accept: viewer.accept, sourceContentType: original.contentType, config }),
      ),
      "resizing the image",
    );
    return { kind: "variant", ...variant };
  } catch (error) {
    const httpError = asHttpError(error);
    Object.assign(log, { errorCode: httpError.code, error: logDetail(error, httpError) });
    return { kind: "error", error: httpError };
  }
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
