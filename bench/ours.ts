/** Times the resizer core (transformImage fed from a file stream), cell by cell. */
import fs from "node:fs";
import sharp from "sharp";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/config";
import { formatsOfAccept } from "../lambda-src/core/output";
import type { Core } from "./core";
import type { BenchImage } from "./inputs";
import { RssSampler } from "./rss-sampler";
import { timed } from "./stats";
import { progress } from "./table";
import { FORMATS, VARIANTS, variantQuery, type BenchFormat, type Variant } from "./variants";

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
