/**
 * Child process: one transform of one original with an unlimited budget, then its peak RSS and CPU time.
 * A fresh process per measurement, because the peak never goes down within a process.
 * Usage: node format-cost-child.js <file> <query>
 */
import fs from "node:fs";
import { configureSharp, parseResizeQuery, transformImage } from "../lambda-src/core";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { peakResidentBytes } from "./peak-rss";

export interface FormatCostReport {
  readonly maxRssBytes: number;
  readonly cpuSeconds: number;
  readonly contentType: string;
}

async function main(): Promise<void> {
  const [file, query] = process.argv.slice(2);
  if (file === undefined || query === undefined) throw new Error("usage: format-cost-child <file> <query>");
  configureSharp();
  const request = parseResizeQuery(new URLSearchParams(query), DEFAULT_RESIZER_CONFIG);
  const cpu = process.cpuUsage();
  const result = await transformImage(fs.createReadStream(file), request, {
    accepted: { avif: true, webp: true },
    config: DEFAULT_RESIZER_CONFIG,
    // Unlimited: the model is what is being measured, so it must not refuse.
    budget: { memoryMb: 1_000_000, seconds: 1_000_000 },
  });
  const used = process.cpuUsage(cpu);
  const report: FormatCostReport = { maxRssBytes: peakResidentBytes(), cpuSeconds: (used.user + used.system) / 1e6, contentType: result.contentType };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
