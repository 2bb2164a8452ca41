/**
 * "Format costs": re-measures the figures the resizer's cost model (lambda-src/core/limits.ts) refuses by, so that
 * a sharp or libvips upgrade that moves them shows. Decode: the peak RSS of one fresh process per original at two
 * sizes; the slope between them is the bytes per pixel, start-up and file cancel out. AVIF encode: CPU seconds
 * per pixel of a noise image (the worst case) at the URL's q=80 and q=100.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { avifEncodeSecondsPerPixel, DECODE_BYTES_PER_PIXEL, type DecodeClass } from "../lambda-src/core/limits";
import { noisePixels, steppedGradient } from "../fixtures/hostile/make";
import type { FormatCostReport } from "./format-cost-child";
import { BENCH_DIR, compileChild } from "./inputs";
import { fixed, MB, printTable, progress, type Targets } from "./report";

const DIR = path.join(BENCH_DIR, "format-costs");
const SIDES = [2500, 5000] as const;
const NOISE_SIDE = 2000;
/** CPU time on a shared machine moves by a third from run to run; past the model, the container end bounds the rest. */
const AVIF_TIME_TOLERANCE = 1.5;

/** How each decode class's original is made (the stepped gradient: small files, every pixel decoded). */
const ORIGINALS: Readonly<Record<DecodeClass, { ext: string; encode: (image: Sharp) => Sharp }>> = {
  jpeg: { ext: "jpg", encode: (i) => i.jpeg({ quality: 90 }) },
  "jpeg-progressive": { ext: "jpg", encode: (i) => i.jpeg({ quality: 90, progressive: true }) },
  png: { ext: "png", encode: (i) => i.png() },
  "png-interlaced": { ext: "png", encode: (i) => i.png({ progressive: true }) },
  webp: { ext: "webp", encode: (i) => i.webp({ quality: 80 }) },
  "webp-lossless": { ext: "webp", encode: (i) => i.webp({ lossless: true }) },
  gif: { ext: "gif", encode: (i) => i.gif({ dither: 0 }) },
  avif: { ext: "avif", encode: (i) => i.avif({ quality: 50, effort: 0 }) },
  "avif-high-bit-depth": { ext: "avif", encode: (i) => i.avif({ quality: 50, effort: 0, bitdepth: 10 }) },
};

async function original(decode: DecodeClass, side: number): Promise<string> {
  const { ext, encode } = ORIGINALS[decode];
  const file = path.join(DIR, `${decode}-${side}.${ext}`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DIR, { recursive: true });
    await encode(steppedGradient(side)).toFile(`${file}.tmp`);
    fs.renameSync(`${file}.tmp`, file);
  }
  return file;
}

async function noiseOriginal(): Promise<string> {
  const file = path.join(DIR, `noise-${NOISE_SIDE}.png`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DIR, { recursive: true });
    await sharp(noisePixels(NOISE_SIDE * NOISE_SIDE * 3), { raw: { width: NOISE_SIDE, height: NOISE_SIDE, channels: 3 } }).png({ compressionLevel: 1 }).toFile(file);
  }
  return file;
}

function measure(file: string, query: string): FormatCostReport {
  const script = compileChild(path.join(__dirname, "format-cost-child.ts"));
  const run = spawnSync(process.execPath, [script, file, query], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  if (run.status !== 0) throw new Error(`format-cost child failed on ${path.basename(file)}: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as FormatCostReport;
}

export async function formatCostsSection(targets: Targets): Promise<void> {
  const rows: (string | number)[][] = [];
  const [small, large] = SIDES;
  for (const decode of Object.keys(ORIGINALS) as DecodeClass[]) {
    progress(`format costs: decode ${decode}`);
    // w=100 as WebP: the encode is negligible, the peak is the decode's.
    const [a, b] = [measure(await original(decode, small), "w=100&format=webp"), measure(await original(decode, large), "w=100&format=webp")];
    const slope = (b.maxRssBytes - a.maxRssBytes) / (large * large - small * small);
    const model = DECODE_BYTES_PER_PIXEL[decode];
    rows.push([decode, fixed(model, 1), fixed(slope, 2), fixed(b.maxRssBytes / MB, 0)]);
    targets.record(`decode ${decode}: at most the model's ${model} B/px`, `${fixed(slope, 2)} B/px`, slope <= model);
  }
  printTable(`Decode: peak bytes per pixel (slope between ${small}² and ${large}² stepped gradients, w=100 WebP)`, ["decode class", "model B/px", "measured B/px", `peak at ${large}², MB`], rows, 1);

  const noise = await noiseOriginal();
  const avifRows: (string | number)[][] = [];
  for (const q of [80, 100]) {
    progress(`format costs: AVIF encode q=${q}`);
    const run = measure(noise, `format=avif&q=${q}`);
    const perPixel = run.cpuSeconds / (NOISE_SIDE * NOISE_SIDE);
    const model = avifEncodeSecondsPerPixel(q);
    avifRows.push([q, fixed(model * 1e6, 2), fixed(perPixel * 1e6, 2), fixed(run.cpuSeconds, 2)]);
    targets.record(`AVIF encode q=${q}: at most ${AVIF_TIME_TOLERANCE}x the model's ${fixed(model * 1e6, 2)} µs/px`, `${fixed(perPixel * 1e6, 2)} µs/px`, perPixel <= model * AVIF_TIME_TOLERANCE);
  }
  printTable(`AVIF encode of ${NOISE_SIDE}² noise (CPU, decode included)`, ["URL q", "model µs/px", "measured µs/px", "CPU s"], avifRows, 1);
}
