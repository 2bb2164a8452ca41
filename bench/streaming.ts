/**
 * A big original fetched over a throttled local HTTP origin (per connection, as S3 paces one GET) and
 * resized to 500x700 WebP: by the production path (parallel byte ranges, the adapters' fetchInRanges),
 * streamed into the core as one download, or downloaded fully first. And the function URL's passthrough:
 * time to first byte and total, streamed (the production path) against buffered, and the peak RSS of
 * streaming a 50 MB original, each in a fresh child.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { createInterface } from "node:readline";
import sharp from "sharp";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { formatsOfAccept } from "../lambda-src/core/output";
import { fetchRange } from "../lambda-src/object-lambda/get";
import { fetchInRanges } from "../lambda-src/shared/origin";
import { BENCH_BUDGET, BENCH_QUALITY, compileChild, variantQuery, WEBP_500x700, type BenchImage } from "./inputs";
import { median, progress, timed } from "./report";
import { BROWSER_ACCEPT, type Core } from "./resizer";

export const ORIGIN_BYTES_PER_SECOND = 50 * 1024 * 1024;

export interface Origin {
  readonly baseUrl: string;
  close(): void;
}

export async function startThrottledOrigin(folder: string, bytesPerSecond: number): Promise<Origin> {
  const script = compileChild(path.join(__dirname, "throttled-origin.ts"));
  const child: ChildProcess = spawn(process.execPath, [script, folder, String(bytesPerSecond)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as Readable });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`origin exited with ${code}`)));
  });
  lines.close();
  const { port } = JSON.parse(first) as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

const agent = new http.Agent({ keepAlive: false });

function get(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
      } else resolve(res);
    }).on("error", reject);
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function download(url: string): Promise<Buffer> {
  return readAll(await get(url));
}


/** Without the core: shows whether sharp itself overlaps decoding with the download. */
function rawSharpStreamed(response: http.IncomingMessage): Promise<Buffer> {
  const resizer = sharp({ sequentialRead: true })
    .resize({ width: WEBP_500x700.width, height: WEBP_500x700.height, fit: WEBP_500x700.fit, withoutEnlargement: true })
    .webp({ quality: BENCH_QUALITY });
  response.pipe(resizer);
  return resizer.toBuffer();
}

export interface StreamingRow {
  readonly image: BenchImage;
  readonly mode: string;
  /** Counted in the target (the two ways the brief compares) or shown for context. */
  readonly compared: boolean;
  readonly samples: readonly number[];
}

export interface StreamingResult {
  readonly rows: readonly StreamingRow[];
  /** production path (ranged) / download-then-resize, per image. */
  readonly ratios: ReadonlyMap<BenchImage, number>;
  /** max(download only, resize only) / download-then-resize: the best any overlap could do, per image. */
  readonly idealRatios: ReadonlyMap<BenchImage, number>;
}

export const MODE_RANGED = "production: parallel byte ranges (fetchInRanges), then resized";
export const MODE_STREAMED = "streamed into the core as it arrives";
export const MODE_DOWNLOAD_FIRST = "downloaded fully, then resized";
const MODE_DOWNLOAD_ONLY = "download only (no resize)";
const MODE_RESIZE_ONLY = "resize only (original already in memory)";

export async function measureStreaming(
  core: Core,
  origin: Origin,
  images: readonly BenchImage[],
  options: { readonly warmups: number; readonly runs: number },
): Promise<StreamingResult> {
  const request = core.parseResizeQuery(variantQuery(WEBP_500x700, "webp"), DEFAULT_RESIZER_CONFIG);
  const transform = (input: NodeJS.ReadableStream, image: BenchImage): Promise<unknown> =>
    core.transformImage(input, request, {
      accepted: formatsOfAccept(BROWSER_ACCEPT),
      sourceContentType: image.contentType,
      config: DEFAULT_RESIZER_CONFIG,
      budget: BENCH_BUDGET,
    });
  const rows: StreamingRow[] = [];
  const ratios = new Map<BenchImage, number>();
  const idealRatios = new Map<BenchImage, number>();
  for (const image of images) {
    const url = `${origin.baseUrl}/${encodeURIComponent(path.basename(image.path))}`;
    const inMemory = await download(url);
    const modes: { mode: string; compared: boolean; forEveryOriginal: boolean; run: () => Promise<unknown> }[] = [
      {
        mode: MODE_RANGED,
        compared: true,
        forEveryOriginal: true,
        run: async () => transform((await fetchInRanges((range, signal) => fetchRange(url, range, signal), new AbortController().signal)).body, image),
      },
      { mode: MODE_STREAMED, compared: false, forEveryOriginal: true, run: async () => transform(await get(url), image) },
      { mode: MODE_DOWNLOAD_FIRST, compared: true, forEveryOriginal: true, run: async () => transform(Readable.from([await download(url)]), image) },
      { mode: MODE_DOWNLOAD_ONLY, compared: false, forEveryOriginal: true, run: () => download(url) },
      { mode: MODE_RESIZE_ONLY, compared: false, forEveryOriginal: true, run: () => transform(Readable.from([inMemory]), image) },
      {
        mode: "raw sharp({ sequentialRead: true }) piped from the response",
        compared: false,
        forEveryOriginal: false,
        run: async () => rawSharpStreamed(await get(url)),
      },
    ];
    // The costly context rows (raw sharp, ranged GETs) only for the first original, to keep the run short.
    const selected = modes.filter((entry) => entry.forEveryOriginal || image === images[0]);
    for (let i = 0; i < options.warmups; i += 1) for (const entry of selected) await entry.run();
    const samples = new Map(selected.map((entry) => [entry.mode, [] as number[]]));
    // Round-robin over the modes, so a burst of load from elsewhere hits them all alike.
    for (let i = 0; i < options.runs; i += 1) {
      for (const entry of selected) samples.get(entry.mode)?.push((await timed(entry.run)).ms);
      progress(`streaming: ${image.name}: round ${i + 1}/${options.runs} of ${selected.length} modes`);
    }
    for (const entry of selected) {
      const modeSamples = samples.get(entry.mode) ?? [];
      rows.push({ image, mode: entry.mode, compared: entry.compared, samples: modeSamples });
    }
    const byMode = (mode: string): number => median(rows.find((row) => row.image === image && row.mode === mode)?.samples ?? [NaN]);
    ratios.set(image, byMode(MODE_RANGED) / byMode(MODE_DOWNLOAD_FIRST));
    idealRatios.set(image, Math.max(byMode(MODE_DOWNLOAD_ONLY), byMode(MODE_RESIZE_ONLY)) / byMode(MODE_DOWNLOAD_FIRST));
  }
  return { rows, ratios, idealRatios };
}

export interface StreamChildReport {
  readonly ttfbMs: number;
  readonly totalMs: number;
  readonly bytes: number;
  readonly maxRssBytes: number;
}

/** One passthrough by the function URL's streamed handler, in a fresh child (S3 GetObject against `origin`). */
export function streamThroughHandler(origin: Origin, file: string): StreamChildReport {
  const script = compileChild(path.join(__dirname, "stream-child.ts"));
  const run = spawnSync(process.execPath, [script, origin.baseUrl, "originals", path.basename(file)], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  if (run.status !== 0) throw new Error(`stream child failed: ${run.stderr.trim().slice(-500)}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as StreamChildReport;
}

/** The buffered alternative: nothing can be sent before the whole original is in (time to first byte = total). */
export async function bufferedPassthrough(origin: Origin, file: string): Promise<number> {
  return (await timed(() => download(`${origin.baseUrl}/${encodeURIComponent(path.basename(file))}`))).ms;
}
