import { WriteGetObjectResponseCommand } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { fetchOriginal, innermostMessage, redactUrl } from "../origin";
import { s3Client } from "../s3-client";
import { Deadline } from "../shared/deadline";
import { decide } from "../shared/decide";
import { writeLog, type RequestLog } from "../shared/log";
import type { Outcome } from "../shared/outcome";
import { ServerTiming } from "../shared/server-timing";
import { parseViewerRequest, type S3ObjectLambdaEvent } from "./event";
import { toWriteGetObjectResponse } from "./response";

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
    outcome = await decide(
      { parse: () => parseViewerRequest(event.userRequest), fetch: (_viewer, signal) => fetchOriginal(inputS3Url, signal) },
      deadline,
      timing,
      log,
    );
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
    writeLog("object-lambda", log);
  }
}
