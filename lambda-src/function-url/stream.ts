/**
 * The function URL adapter with response streaming (invoke mode RESPONSE_STREAM), the production path:
 * Lambda's Node.js runtime provides the `awslambda` global, whose streamifyResponse hands the handler a
 * response stream, and HttpResponseStream.from writes the status and headers before the body. Originals
 * pass through as they download, variants are written once encoded; up to 200 MB instead of 6 MB.
 * Errors found before the first byte keep their exact status; an error after it ends the stream (the
 * runtime reports it in the response's trailers) and is logged.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Context } from "aws-lambda";
import { cacheControls } from "../core/contract";
import { httpError } from "../core/errors";
import { renderWorkInFlight } from "../core/transform";
import { deliveryOf, endContainerIfWorkRemains } from "../shared/container";
import { innermostMessage } from "../shared/origin";
import { errorOutcome, type Outcome, type RequestLog } from "../shared/pipeline";
import { settingsFromEnv, type ResizerSettings } from "../shared/settings";
import { FROM_ENVIRONMENT, serveRequest, type FunctionUrlEvent, type HandlerContext, type OriginalsSource } from "./handler";
import { errorBody, overResponseLimit, responseHead, STREAMED_LIMIT } from "./response";

/** What the Node.js runtime puts on `globalThis.awslambda` (absent elsewhere: tests, other runtimes). */
export interface LambdaStreamingGlobal {
  streamifyResponse<E>(handler: (event: E, responseStream: Writable, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string> }): Writable };
}

export function lambdaStreaming(): LambdaStreamingGlobal | undefined {
  const candidate = (globalThis as { awslambda?: Partial<LambdaStreamingGlobal> }).awslambda;
  return typeof candidate?.streamifyResponse === "function" && candidate.HttpResponseStream !== undefined ? (candidate as LambdaStreamingGlobal) : undefined;
}

export type StreamingHandler = (event: FunctionUrlEvent, responseStream: Writable, context: HandlerContext) => Promise<void>;

/** How long a delivered answer waits for the Runtime API's acknowledgement before the container ends. */
const ACKNOWLEDGEMENT_WAIT_MS = 200;

export function createStreamingHandler(streaming: LambdaStreamingGlobal, origin: OriginalsSource = FROM_ENVIRONMENT, settings: ResizerSettings = settingsFromEnv()): StreamingHandler {
  return async (event, responseStream, context) => {
    const delivery = deliveryOf(responseStream);
    await answer(streaming, origin, settings, event, responseStream, context);
    // A deadline answer that left pixel work running: the container ends once the viewer has the answer.
    if (renderWorkInFlight() > 0) {
      await delivery.delivered(ACKNOWLEDGEMENT_WAIT_MS);
      endContainerIfWorkRemains("function-url", context.awsRequestId);
    }
  };
}

function answer(streaming: LambdaStreamingGlobal, origin: OriginalsSource, settings: ResizerSettings, event: FunctionUrlEvent, responseStream: Writable, context: HandlerContext): Promise<void> {
  return serveRequest(event, context, origin, settings, async (fetched, { head, deadline, timing, log }) => {
    try {
      const outcome = withinStreamedLimit(fetched, log);
      const body = outcome.kind === "error" ? errorBody(outcome.error) : outcome.kind === "variant" ? outcome.body : undefined;
      const length = head ? undefined : body?.length ?? (outcome.kind === "original" ? outcome.original.contentLength : undefined);
      const { statusCode, headers } = responseHead(outcome.kind === "original" ? { kind: "original", original: outcome.original } : outcome, timing.header(), length, cacheControls(settings.config()));
      Object.assign(log, { status: statusCode, contentType: headers["Content-Type"], bytes: length });
      const out = streaming.HttpResponseStream.from(responseStream, { statusCode, headers });
      // The runtime writes the status and headers before the first write(), and end(chunk) is no write:
      // an empty write first, so that even a HEAD or an empty original sends them.
      out.write(Buffer.alloc(0));
      if (head || outcome.kind !== "original") {
        if (!head && body !== undefined) out.write(body);
        out.end();
        return;
      }
      // The original streams on as it downloads, under the same deadline, held to the streamed limit.
      const source = outcome.original.body;
      await deadline.race(timing.measure("stream", () => copy(source, out, STREAMED_LIMIT.bytes)), "streaming the original");
      out.end();
    } catch (error) {
      // After the first byte the status is sent: the stream ends with the runtime's error trailer.
      log.error = `streaming the response failed: ${innermostMessage(error)}`;
      throw error;
    }
  });
}

/** Decided before the first byte: what the streamed response cannot carry is a 413 with the reason. */
function withinStreamedLimit(outcome: Outcome, log: RequestLog): Outcome {
  if (outcome.kind === "variant" && outcome.body.length > STREAMED_LIMIT.bytes) {
    return errorOutcome(overResponseLimit("variant", STREAMED_LIMIT, outcome.body.length), log);
  }
  if (outcome.kind === "original" && (outcome.original.contentLength ?? 0) > STREAMED_LIMIT.bytes) {
    outcome.original.body.destroy();
    return errorOutcome(overResponseLimit("original", STREAMED_LIMIT, outcome.original.contentLength), log);
  }
  return outcome;
}

/**
 * Writes the original's bytes as they arrive, waiting when the response stream asks to, and fails past
 * `maxBytes` (an original of undeclared length is held to the limit too). Not pipeline(): that would destroy
 * the runtime's response stream with the error, where the runtime wants the handler to fail so that it
 * can end the response with its error trailer.
 */
async function copy(source: NodeJS.ReadableStream, out: Writable, maxBytes: number): Promise<void> {
  let sent = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    sent += chunk.length;
    if (sent > maxBytes) throw httpError("PayloadTooLarge", `the original is more than ${maxBytes} bytes, over ${STREAMED_LIMIT.name}`);
    if (!out.write(chunk)) await once(out, "drain");
  }
}
