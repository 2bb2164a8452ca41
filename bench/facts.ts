/**
 * Image facts (lambda-src/core/facts.ts) per bench image: the time to compute them from the original in memory
 * (the header, one <= 100 px thumbnail, its dominant colour and ThumbHash) and the size of the JSON body.
 */
import fs from "node:fs";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { factsBody, imageFacts, type FactsLimits } from "../lambda-src/core/facts";
import { BENCH_BUDGET, type BenchImage } from "./inputs";
import { fixed, median, p95, printTable, progress } from "./report";

const LIMITS: FactsLimits = { ...DEFAULT_RESIZER_CONFIG, budget: BENCH_BUDGET };

export async function factsSection(images: readonly BenchImage[], runs: number, warmups: number): Promise<void> {
  const rows: string[][] = [];
  for (const image of images) {
    progress(`facts: ${image.name}`);
    // The original is read once: the time is the facts' own, not the disk's.
    const original = fs.readFileSync(image.path);
    let body = "";
    const samples: number[] = [];
    for (let run = 0; run < warmups + runs; run += 1) {
      const start = process.hrtime.bigint();
      body = factsBody(await imageFacts(original, LIMITS));
      if (run >= warmups) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const facts = JSON.parse(body) as { displayWidth: number; displayHeight: number };
    rows.push([image.name, `${facts.displayWidth}x${facts.displayHeight}`, fixed(median(samples)), fixed(p95(samples)), String(Buffer.byteLength(body))]);
  }
  printTable(`Facts of an original in memory (median and p95 of ${runs} runs after ${warmups} warm-up; JSON body bytes)`, ["image", "displayed", "median ms", "p95 ms", "JSON bytes"], rows, 2);
}
