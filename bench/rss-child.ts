/**
 * Child process: N consecutive resizes of one original (500x700 WebP), then prints its peak RSS.
 * A fresh process per measurement, because the peak never goes down within a process.
 * Usage: node rss-child.js <production|default> <file> <count> <contentType>
 */
import fs from "node:fs";
import sharp, { type CacheResult } from "sharp";
import { configureSharp, parseResizeQuery, transformImage } from "../lambda-src/core";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { BENCH_BUDGET, variantQuery, WEBP_500x700 } from "./inputs";
import { peakResidentBytes } from "./peak-rss";

export interface RssChildReport {
  readonly mode: string;
  readonly count: number;
  /** RSS once node, sharp and the core are loaded, before the first resize, bytes. */
  readonly rssBeforeBytes: number;
  readonly maxRssBytes: number;
  readonly concurrency: number;
  readonly cache: CacheResult;
}

async function main(): Promise<void> {
  const [mode, file, countArg, contentType] = process.argv.slice(2);
  if ((mode !== "production" && mode !== "default") || file === undefined || contentType === undefined) {
    throw new Error("usage: rss-child <production|default> <file> <count> <contentType>");
  }
  if (mode === "production") configureSharp();
  const rssBeforeBytes = process.memoryUsage.rss();
  const count = Number(countArg);
  const request = parseResizeQuery(variantQuery(WEBP_500x700, "webp"), DEFAULT_RESIZER_CONFIG);
  for (let i = 0; i < count; i += 1) {
    await transformImage(fs.createReadStream(file), request, {
      accepted: { avif: false, webp: false },
      sourceContentType: contentType,
      config: DEFAULT_RESIZER_CONFIG,
      budget: BENCH_BUDGET,
    });
  }
  const report: RssChildReport = {
    mode,
    count,
    rssBeforeBytes,
    maxRssBytes: peakResidentBytes(),
    concurrency: sharp.concurrency(),
    cache: sharp.cache(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
