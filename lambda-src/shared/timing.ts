/** The time a request may take: the deadline that answers before Lambda's timeout, and Server-Timing. */
import { performance } from "node:perf_hooks";
import { httpError, type HttpError } from "../core/errors";

/** What the function keeps back from its remaining time to send its own 504 and log. */
export function safetyMarginMs(remainingMs: number): number {
  return Math.min(1000, remainingMs * 0.1);
}

/**
 * The point after which the function stops waiting and answers 504 itself, before Lambda
 * kills it and leaves the caller with no answer at all. Its `signal` (AbortSignal.timeout)
 * cancels the origin request (headers or body) when it passes.
 */
export class Deadline {
  readonly signal: AbortSignal;
  /** When it passes, epoch ms. */
  readonly endsAt: number;

  constructor(readonly ms: number) {
    this.endsAt = Date.now() + Math.max(0, ms);
    // Whole milliseconds, as setTimeout counts them. Its timer holds no process open, and what the request started
    // has settled by the time it could fire in a later invocation (the frame releases an unread original): there is
    // nothing to clear.
    this.signal = AbortSignal.timeout(Math.max(0, Math.floor(ms)));
  }

  static fromRemainingTime(remainingMs: number): Deadline {
    return new Deadline(remainingMs - safetyMarginMs(remainingMs));
  }

  /** Settles as `work` does, or rejects with a 504 as soon as the deadline passes. */
  race<T>(work: Promise<T>, whatTimedOut: string): Promise<T> {
    const timeout = (): HttpError => httpError("Timeout", `${whatTimedOut} did not finish in time`);
    if (this.signal.aborted) return Promise.reject(timeout());
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(timeout());
      this.signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener("abort", onAbort));
    });
  }
}

/**
 * Collects named step durations as the request goes and renders a Server-Timing value.
 * A step measured more than once (a download resumed after its headers) adds up.
 */
export class ServerTiming {
  private readonly startedAt = performance.now();
  private readonly steps: Array<{ name: string; ms: number }> = [];

  /** Runs `step` and records how long it took, whether it succeeded or not. */
  async measure<T>(name: string, step: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      return await step();
    } finally {
      this.steps.push({ name, ms: performance.now() - startedAt });
    }
  }

  durations(): Record<string, number> {
    const result: Record<string, number> = {};
    const sums = new Map<string, number>();
    for (const { name, ms } of this.steps) sums.set(name, (sums.get(name) ?? 0) + ms);
    for (const [name, ms] of sums) result[name] = round(ms);
    result.total = round(performance.now() - this.startedAt);
    return result;
  }

  /** e.g. `fetch;dur=12.3, transform;dur=40.1, total;dur=55.0` */
  header(): string {
    return Object.entries(this.durations())
      .map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`)
      .join(", ");
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
