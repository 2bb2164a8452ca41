import { performance } from "node:perf_hooks";

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
