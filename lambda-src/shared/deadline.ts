import { HttpError } from "../core";

/** What the function keeps back from its remaining time to send its own 504 and log. */
export function safetyMarginMs(remainingMs: number): number {
  return Math.min(1000, remainingMs * 0.1);
}

/**
 * The point after which the function stops waiting and answers 504 itself, before Lambda
 * kills it and leaves the caller with no answer at all. Aborting `signal` cancels the
 * origin request (headers or body).
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => this.controller.abort(), Math.max(0, ms));
  }

  static fromRemainingTime(remainingMs: number): Deadline {
    return new Deadline(remainingMs - safetyMarginMs(remainingMs));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Settles as `work` does, or rejects with a 504 as soon as the deadline passes. */
  race<T>(work: Promise<T>, whatTimedOut: string): Promise<T> {
    const timeout = (): HttpError => new HttpError(504, "Timeout", `${whatTimedOut} did not finish in time`);
    if (this.signal.aborted) return Promise.reject(timeout());
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(timeout());
      this.signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener("abort", onAbort));
    });
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
