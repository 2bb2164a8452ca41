/**
 * What content-aware cropping costs: a 400x400 cover crop of each bench image, centred, with libvips' attention and
 * entropy strategies (pos=), and around a focal point (fx/fy), through the resizer's own transform (WebP).
 */
import fs from "node:fs";
import { Readable } from "node:stream";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { formatsOfAccept, parseResizeQuery, transformImage } from "../lambda-src/core";
import { BENCH_BUDGET, type BenchImage } from "./inputs";
import { fixed, median, printTable, progress } from "./report";

const CROPS = [
  ["centre", "w=400&h=400&format=webp"],
  ["pos=attention", "w=400&h=400&pos=attention&format=webp"],
  ["pos=entropy", "w=400&h=400&pos=entropy&format=webp"],
  ["fx=0.3&fy=0.3", "w=400&h=400&fx=0.3&fy=0.3&format=webp"],
] as const;

export async function cropsSection(images: readonly BenchImage[], runs: number, warmups: number): Promise<void> {
  const rows: string[][] = [];
  for (const image of images) {
    progress(`crops: ${image.name}`);
    const original = fs.readFileSync(image.path);
    const medians = [];
    for (const [, query] of CROPS) {
      const samples: number[] = [];
      for (let run = 0; run < warmups + runs; run += 1) {
        const start = process.hrtime.bigint();
        await transformImage(Readable.from([original]), parseResizeQuery(new URLSearchParams(query), DEFAULT_RESIZER_CONFIG), {
          accepted: formatsOfAccept(undefined),
          config: DEFAULT_RESIZER_CONFIG,
          budget: BENCH_BUDGET,
        });
        if (run >= warmups) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      medians.push(median(samples));
    }
    const centre = medians[0]!;
    rows.push([image.name, ...medians.map((ms, i) => (i === 0 ? fixed(ms) : `${fixed(ms)} (${fixed(ms / centre, 2)}x)`))]);
  }
  printTable(`400x400 cover crops, WebP, median ms of ${runs} runs after ${warmups} warm-up (x: against the centre crop)`, ["image", ...CROPS.map(([label]) => label)], rows, 1);
}
