/** The report's plumbing: summary statistics over real samples, plain-text tables and the targets summary. */


// Summary statistics over real samples (milliseconds, bytes...). No interpolation: every value reported was observed.

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function p95(samples: readonly number[]): number {
  return percentile(samples, 95);
}

/** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("percentile of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean of no values");
  return sum(values) / values.length;
}

/** Wall-clock milliseconds of one async call, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

export const MB = 1024 * 1024;

// Plain-text tables and progress lines for the bench report.

/** A table cell: text or a number. */
export type Cell = string | number;

/** The first `leftColumns` columns are labels (left-aligned); the rest are numbers (right-aligned). */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  leftColumns = 1,
): void {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((header, i) => Math.max(header.length, ...text.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of text) console.log(line(row));
}

export function progress(message: string): void {
  const clock = new Date().toISOString().slice(11, 19);
  console.log(`[${clock}] ${message}`);
}

export function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}

/** Fixed decimals, for table cells. */
export const fixed = (value: number, digits = 1): string => value.toFixed(digits);
export const mb = (bytes: number, digits = 1): string => (bytes / (1024 * 1024)).toFixed(digits);
export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
export const ratio = (value: number): string => `${value.toFixed(2)}x`;
export const percent = (value: number, digits = 1): string => `${value.toFixed(digits)} %`;

/** The report's closing summary: each target, the measured value, PASS / MISS (or SKIP with the reason). */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured (the reason is in `measured`). */
  readonly pass: boolean | undefined;
}

export class Targets {
  private readonly results: TargetResult[] = [];

  record(target: string, measured: string, pass: boolean): void {
    this.results.push({ target, measured, pass });
  }

  skip(target: string, reason: string): void {
    this.results.push({ target, measured: reason, pass: undefined });
  }

  print(): void {
    printTable(
      "Targets",
      ["target", "measured", "result"],
      this.results.map((r) => [r.target, r.measured, r.pass === undefined ? "SKIP" : r.pass ? "PASS" : "MISS"]),
      3,
    );
  }
}
