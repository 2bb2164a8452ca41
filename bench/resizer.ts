/** Our resizer measured: the core per cell, peak RSS in a fresh child, and the bundle (zip size, load time). */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { unzip as extract } from "../__tests__/support/unzip";
import type * as CoreModule from "../lambda-src/core";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { formatsOfAccept } from "../lambda-src/core/output";
import type * as BundleModule from "../modules/bundle/build";
import { BENCH_BUDGET, compileChild, FORMATS, VARIANTS, variantQuery, type BenchFormat, type BenchImage, type Variant } from "./inputs";
import { progress, timed } from "./report";
import type { RssChildReport } from "./rss-child";

export type Core = typeof CoreModule;
export type Bundle = typeof BundleModule;

/** One cell of the core's measurement: its timed runs, its output and the peak RSS while it ran. */
export interface CellResult {
  readonly image: BenchImage;
  readonly variant: Variant;
  readonly format: BenchFormat;
  /** Wall-clock milliseconds of each timed run (warm-up excluded). */
  readonly samples: readonly number[];
  readonly outputBytes: number;
  readonly outputWidth: number;
  readonly outputHeight: number;
  /** Peak RSS sampled while this cell ran, bytes. */
  readonly peakRss: number;
}

export const BROWSER_ACCEPT = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8";

/** One transform, the way the handler runs it: a fresh read stream per request. */
export async function transformFile(core: Core, image: BenchImage, query: URLSearchParams): Promise<Buffer> {
  const request = core.parseResizeQuery(query, DEFAULT_RESIZER_CONFIG);
  const result = await core.transformImage(fs.createReadStream(image.path), request, {
    accepted: formatsOfAccept(BROWSER_ACCEPT),
    sourceContentType: image.contentType,
    config: DEFAULT_RESIZER_CONFIG,
    budget: BENCH_BUDGET,
  });
  return result.body;
}

export interface CoreMeasureOptions {
  readonly warmups: number;
  readonly runs: number;
  /**
   * Called after each timed run of a cell with the run's index, to measure a reference (vipsthumbnail)
   * in between, so both see the same machine load; its time is not counted in the core's samples.
   */
  readonly afterRun?: (image: BenchImage, variant: Variant, format: BenchFormat, run: number) => void;
}

/** Times the resizer core (transformImage fed from a file stream), cell by cell. */
export async function measureCore(core: Core, images: readonly BenchImage[], options: CoreMeasureOptions): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const image of images) {
    const started = Date.now();
    for (const variant of VARIANTS) {
      for (const format of FORMATS) {
        const query = variantQuery(variant, format);
        for (let i = 0; i < options.warmups; i += 1) await transformFile(core, image, query);
        const samples: number[] = [];
        let body: Buffer = Buffer.alloc(0);
        let peakRss = 0;
        for (let i = 0; i < options.runs; i += 1) {
          const sampler = new RssSampler();
          const run = await timed(() => transformFile(core, image, query));
          peakRss = Math.max(peakRss, sampler.stop());
          samples.push(run.ms);
          body = run.result;
          options.afterRun?.(image, variant, format, i);
        }
        const meta = await sharp(body).metadata();
        results.push({
          image,
          variant,
          format,
          samples,
          outputBytes: body.length,
          outputWidth: meta.width ?? 0,
          outputHeight: meta.height ?? 0,
          peakRss,
        });
      }
    }
    progress(`core: ${image.name} done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return results;
}

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

/** How the child sets sharp up: as the resizer does (configureSharp), or sharp's defaults. */
export type SharpSettings = "production" | "default";

/**
 * Peak RSS of consecutive big resizes, each measurement in a fresh child process. `env` adds variables to the
 * child's environment (e.g. allocator tuning), on top of this process's.
 */
export function measurePeakRss(
  image: BenchImage,
  settings: SharpSettings,
  count: number,
  env: Readonly<Record<string, string>> = {},
): RssChildReport {
  const script = compileChild(path.join(__dirname, "rss-child.ts"));
  const run = spawnSync(process.execPath, [script, settings, image.path, String(count), image.contentType], {
    encoding: "utf8",
    // No ts-node or other preloads in the child: only what the Lambda would load.
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  if (run.status !== 0) throw new Error(`rss child (${settings}) failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as RssChildReport;
}

// The Lambda bundle: zip size per architecture, and how long the handler module takes to load.

export type Architecture = "arm64" | "x86_64";

export interface BundleSize {
  readonly architecture: Architecture;
  readonly zipPath: string;
  readonly sizeBytes: number;
  readonly buildMs: number;
}

export function measureBundle(builder: Bundle, architecture: Architecture): BundleSize {
  const start = process.hrtime.bigint();
  const bundle = builder.buildResizerBundle({ architecture });
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { architecture, zipPath: bundle.zipPath, sizeBytes: fs.statSync(bundle.zipPath).size, buildMs };
}

/** A fresh `targetDir` holding the zip's files (the tests' one unzip, fflate's). */
export function unzip(zipPath: string, targetDir: string): void {
  fs.rmSync(targetDir, { recursive: true, force: true });
  fs.mkdirSync(targetDir, { recursive: true });
  extract(zipPath, targetDir);
}

/** Timed inside the fresh process, so node's own start-up is reported apart from the module load. */
const LOAD_PROBE = `
const start = process.hrtime.bigint();
const mod = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, handler: typeof mod.handler }) + "\\n");
`;

export interface LoadTime {
  /** require(<module>) inside a fresh process, ms. */
  readonly samples: readonly number[];
  /** The whole process, spawn to exit (node start-up included), ms. */
  readonly processSamples: readonly number[];
  /** typeof the module's `handler` export. */
  readonly handlerType: string;
}

/** Loads `modulePath` in `runs` fresh node processes started in the bundle's folder. */
export function measureModuleLoad(bundleDir: string, modulePath: string, runs: number): LoadTime {
  const samples: number[] = [];
  const processSamples: number[] = [];
  let handlerType = "missing";
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    // The env Lambda provides, and nothing that could resolve modules from the repo instead of the bundle.
    const run = spawnSync(process.execPath, ["-e", LOAD_PROBE, modulePath], {
      cwd: bundleDir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", NODE_PATH: "" },
    });
    processSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`loading ${modulePath} failed: ${run.stderr.trim()}`);
    const probe = JSON.parse(run.stdout.trim()) as { ms: number; handler: string };
    samples.push(probe.ms);
    handlerType = probe.handler;
  }
  return { samples, processSamples, handlerType };
}
