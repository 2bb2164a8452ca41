/**
 * One request, for every adapter entry (function URL buffered or streamed, Object Lambda GET and HEAD): the
 * deadline and timing set up from the invocation, the log line begun; however the adapter's work ends, an
 * original passed through but left unread is destroyed and the one log line written.
 */
import type { Readable } from "node:stream";
import type { Context } from "aws-lambda";
import { fetchAndTransform, type Outcome, type RequestSteps } from "./pipeline";
import type { Adapter, RequestLog, ResizerSettings } from "./settings";
import { Deadline, ServerTiming } from "./timing";

/** What the frame reads of Lambda's context object. */
export type InvocationContext = Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">;

export interface RequestFrame {
  readonly deadline: Deadline;
  readonly timing: ServerTiming;
  readonly log: RequestLog;
  readonly settings: ResizerSettings;
  /**
   * The request's outcome (pipeline.ts, fetchAndTransform). An original it passes through is the frame's to
   * release: refused by size, answered to a HEAD, or cut off mid-send, it was never read to the end.
   */
  readonly decide: (steps: RequestSteps) => Promise<Outcome>;
}

export interface FrameOptions {
  readonly adapter: Adapter;
  readonly settings: ResizerSettings;
  /** The log line's first fields, after the request id. */
  readonly log?: RequestLog;
  /** Whether the log line carries the step timings (a HEAD through Object Lambda times none). @default true */
  readonly timed?: boolean;
}

export async function inRequestFrame<T>(context: InvocationContext, options: FrameOptions, work: (frame: RequestFrame) => Promise<T>): Promise<T> {
  const timing = new ServerTiming();
  const deadline = Deadline.fromRemainingTime(context.getRemainingTimeInMillis());
  const log: RequestLog = { requestId: context.awsRequestId, ...options.log };
  const { settings } = options;
  let unread: Readable | undefined;
  const decide = async (steps: RequestSteps): Promise<Outcome> => {
    const outcome = await fetchAndTransform(steps, deadline, timing, log, settings);
    if (outcome.kind === "original") unread = outcome.original.body;
    return outcome;
  };
  try {
    return await work({ deadline, timing, log, settings, decide });
  } finally {
    unread?.destroy();
    if (options.timed !== false) log.timings = timing.durations();
    settings.log(options.adapter, log);
  }
}
