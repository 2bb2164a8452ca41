/**
 * Ending the container after a deadline answer that left pixel work running. libvips' kill flag (sharp's
 * timeout) stops most work, but not libheif's AVIF encode nor one GIF frame's quantization; and Lambda freezes
 * the sandbox between invocations, so work left running resumes in the next one, which pays for it and may time
 * out in turn. So once the viewer's answer is delivered, and only then, the process exits: Lambda starts a fresh
 * execution environment for the next request ("Lambda execution environment lifecycle": a runtime that exits is
 * not reused). The exit happens before the handler returns, while the invocation is still open, never later: a
 * pending exit would otherwise fire when the frozen sandbox thaws, inside the next viewer's invocation.
 */
import type { Writable } from "node:stream";
import type { Environment } from "../core/contract";
import { renderWorkInFlight } from "../core/transform";
import type { Adapter } from "./pipeline";

/** Lambda's runtime API address: set in every Lambda execution environment, never in tests in process or the preview. */
const RUNTIME_API_ENV = "AWS_LAMBDA_RUNTIME_API";
/** Set where one environment serves several invocations at once (Lambda Managed Instances): exiting would cut them off. */
const MULTI_CONCURRENCY_ENV = "AWS_LAMBDA_MAX_CONCURRENCY";

export type ContainerDecision = "kept" | "ended" | "kept: other invocations share it";

/**
 * Call when the answer has been delivered. Exits the process when pixel work is still running and this is a Lambda
 * execution environment of one invocation at a time; says what it decided otherwise (for tests and logs).
 */
export function endContainerIfWorkRemains(adapter: Adapter, requestId: string | undefined, env: Environment = process.env): ContainerDecision {
  const running = renderWorkInFlight();
  if (running === 0 || env[RUNTIME_API_ENV] === undefined) return "kept";
  if (env[MULTI_CONCURRENCY_ENV] !== undefined) return "kept: other invocations share it";
  // Synchronous on Linux for pipes and files (Node's "A note on process I/O"), so the line is out before the exit.
  process.stdout.write(`${JSON.stringify({ source: "resizer", adapter, requestId, event: "container-ended", reason: "the deadline answer left pixel work running", workInFlight: running })}\n`);
  // Not process.exit(): its exit handlers wait for libvips' threads, that is for the very work to finish (measured:
  // 1.8 s after a 504 at one vCPU). SIGKILL ends the process at once; Lambda reports it as Runtime.ExitError.
  process.kill(process.pid, "SIGKILL");
  return "ended";
}

/**
 * Resolves once a streamed response has been handed to the runtime and, where the runtime's stream is an HTTP
 * request to the Runtime API (aws-lambda-ric's is), once the API has answered it, or after `maxWaitMs`.
 * Listen from the start: `acknowledged` must be created before the stream ends.
 */
export function deliveryOf(stream: Writable): { delivered(maxWaitMs: number): Promise<void> } {
  let acknowledged = false;
  const ack = new Promise<void>((resolve) => {
    stream.once("response", () => {
      acknowledged = true;
      resolve();
    });
  });
  return {
    delivered: async (maxWaitMs) => {
      if (!stream.writableFinished) await new Promise<void>((resolve) => stream.once("finish", resolve).once("close", resolve));
      if (acknowledged) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ack, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
      clearTimeout(timer);
    },
  };
}
