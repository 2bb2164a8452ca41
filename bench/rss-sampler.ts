/**
 * Peak resident set size over a stretch of work in this process. process.resourceUsage().maxRSS
 * only ever grows, so per-cell peaks come from sampling RSS while the cell runs (sharp works on
 * the libuv pool, so the event loop stays free to sample).
 */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 5) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Stops sampling; returns the peak RSS in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }

  private sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
}
