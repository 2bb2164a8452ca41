import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { AVIF_EFFORT, avifQuality } from "../lambda-src/core/output";
import { BENCH_QUALITY, type BenchFormat, type BenchImage, type Variant } from "./inputs";
import { median } from "./report";

/**
 * The same variants made by libvips' own command-line tool, as the reference for the core's speed.
 * One vipsthumbnail process handles many files, so its start-up is shared the way a warm Lambda
 * container shares its own.
 */
export const VIPS_INSTALL_HINT = "apt-get update && apt-get install -y libvips-tools";

/**
 * The environment for the system's libvips: loading sharp sets VIPSHOME to its own bundled prefix,
 * which sends Debian's libvips looking for its loadable modules (heif, so AVIF) in the wrong place.
 */
function systemVipsEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VIPSHOME;
  return env;
}

/** The installed vipsthumbnail's version line, or undefined when it is not on PATH. */
export function vipsthumbnailVersion(): string | undefined {
  const probe = spawnSync("vipsthumbnail", ["--version"], { encoding: "utf8", env: systemVipsEnv() });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * Encoder settings that mirror what the core asks sharp for (lambda-src/core/transform.ts `encode`,
 * plus sharp's defaults for what it leaves unset), so both sides do the same work:
 * - WebP: sharp's default effort 4, no smart subsampling.
 * - AVIF: the core's quality mapping and effort, aom, 8 bits, sharp's default 4:4:4 chroma (subsample-mode=off).
 * - JPEG: sharp's defaults, optimised Huffman tables, baseline, 4:2:0 (libvips' auto below Q 90).
 * Metadata is stripped on both sides, except that Debian's libvips 8.14.1 ignores `strip` for WebP
 * (observed: EXIF/XMP stay in the file), which costs it bytes but next to no time.
 */
export function vipsOutputSuffix(format: BenchFormat): string {
  switch (format) {
    case "webp":
      return `webp[Q=${BENCH_QUALITY},effort=4,strip]`;
    case "avif":
      return `avif[Q=${avifQuality(BENCH_QUALITY)},compression=av1,encoder=aom,effort=${AVIF_EFFORT},bitdepth=8,subsample-mode=off,strip]`;
    case "jpeg":
      return `jpg[Q=${BENCH_QUALITY},optimize-coding,strip]`;
  }
}

/** vipsthumbnail's geometry flags: cover crops to fill the box from the centre, inside fits in it; neither enlarges. */
export function vipsGeometryArgs(variant: Variant): string[] {
  const size = ["-s", `${variant.width}x${variant.height}>`];
  return variant.fit === "cover" ? [...size, "-m", "centre"] : size;
}

export interface VipsRun {
  readonly ms: number;
  /** Output files in input order. */
  readonly outputs: readonly string[];
}

/**
 * One vipsthumbnail process over `files`. Each input is linked under a unique name first, so the
 * outputs do not overwrite each other and libvips' operation cache cannot hand back an earlier result.
 */
export function runVipsthumbnail(
  files: readonly string[],
  variant: Variant,
  format: BenchFormat,
  workDir: string,
  threads: number,
): VipsRun {
  fs.rmSync(workDir, { recursive: true, force: true });
  const inDir = path.join(workDir, "in");
  const outDir = path.join(workDir, "out");
  fs.mkdirSync(inDir, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  const links = files.map((file, i) => {
    const link = path.join(inDir, `${String(i).padStart(3, "0")}${path.extname(file)}`);
    fs.symlinkSync(file, link);
    return link;
  });
  const args = [
    ...links,
    ...vipsGeometryArgs(variant),
    `--vips-concurrency=${threads}`,
    "-o",
    `${outDir}/%s.${vipsOutputSuffix(format)}`,
  ];
  const start = process.hrtime.bigint();
  const run = spawnSync("vipsthumbnail", args, { encoding: "utf8", env: systemVipsEnv() });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`vipsthumbnail failed (${run.status}): ${run.stderr.trim()}`);
  const extension = format === "jpeg" ? "jpg" : format;
  return { ms, outputs: links.map((link) => path.join(outDir, `${path.parse(link).name}.${extension}`)) };
}

export interface VipsSetResult {
  readonly variant: Variant;
  readonly format: BenchFormat;
  /** Whole-set process wall time per run, ms. */
  readonly setSamples: readonly number[];
  readonly count: number;
  /** Median total / count: the amortized per-image time over the set, ms. */
  readonly perImageMs: number;
}

/** The whole set in one process, `runs` times: the amortized per-image time the target is about. */
export function measureSet(
  images: readonly BenchImage[],
  variant: Variant,
  format: BenchFormat,
  workDir: string,
  runs: number,
  threads: number,
): VipsSetResult {
  const setSamples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    setSamples.push(runVipsthumbnail(images.map((image) => image.path), variant, format, workDir, threads).ms);
  }
  return { variant, format, setSamples, count: images.length, perImageMs: median(setSamples) / images.length };
}

export interface VipsImageSample {
  /** Time per copy of the image inside one process, start-up removed, ms. */
  readonly marginalMs: number;
  /** The start-up (and exit) measured right before, with a tiny image, ms. */
  readonly startupMs: number;
  readonly outputBytes: number;
}

/**
 * One image's share of a vipsthumbnail process: a process with the image `copies` times, minus
 * the start-up of a process that thumbnails only a tiny image, measured just before under the same
 * machine load, divided by `copies`.
 */
export function sampleImage(
  image: BenchImage,
  variant: Variant,
  format: BenchFormat,
  options: { readonly workDir: string; readonly tinyImage: string; readonly copies: number; readonly threads: number },
): VipsImageSample {
  const startupMs = runVipsthumbnail([options.tinyImage], variant, format, options.workDir, options.threads).ms;
  const run = runVipsthumbnail(Array(options.copies).fill(image.path), variant, format, options.workDir, options.threads);
  return {
    marginalMs: Math.max(0, run.ms - startupMs) / options.copies,
    startupMs,
    outputBytes: fs.statSync(run.outputs[0] as string).size,
  };
}

/** One cell's vipsthumbnail reference time and output size. */
export interface VipsCellResult {
  /** Median marginal time plus the median start-up shared across the set, ms. */
  readonly amortizedMs: number;
  readonly marginalMs: number;
  readonly outputBytes: number;
}

/** Collects vipsthumbnail samples per cell while the core is measured, and reduces them to amortized times. */
export class VipsReference {
  private readonly samples = new Map<string, VipsImageSample[]>();

  constructor(
    private readonly options: { readonly workDir: string; readonly tinyImage: string; readonly copies: number; readonly threads: number },
    /** Images in the set: each carries start-up / setSize. */
    private readonly setSize: number,
  ) {}

  sample(image: BenchImage, variant: Variant, format: BenchFormat): void {
    const key = cellKey(image, variant, format);
    const list = this.samples.get(key) ?? [];
    list.push(sampleImage(image, variant, format, this.options));
    this.samples.set(key, list);
  }

  /** Median start-up over every sample taken. */
  startupMs(): number {
    return median([...this.samples.values()].flat().map((sample) => sample.startupMs));
  }

  result(image: BenchImage, variant: Variant, format: BenchFormat): VipsCellResult | undefined {
    const list = this.samples.get(cellKey(image, variant, format));
    if (list === undefined || list.length === 0) return undefined;
    const marginalMs = median(list.map((sample) => sample.marginalMs));
    return {
      marginalMs,
      amortizedMs: marginalMs + this.startupMs() / this.setSize,
      outputBytes: (list[list.length - 1] as VipsImageSample).outputBytes,
    };
  }
}

const cellKey = (image: BenchImage, variant: Variant, format: BenchFormat): string => `${image.path}|${variant.name}|${format}`;
