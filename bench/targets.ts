/** The report's closing summary: each target, the measured value, PASS / MISS (or SKIP with the reason). */
import { printTable } from "./table";

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
