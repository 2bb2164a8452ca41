/**
 * A big original fetched over a throttled local HTTP origin and resized to 500x700 WebP, two ways:
 * streamed into the core as the bytes arrive, or downloaded fully first. Streaming can only win
 * if decoding makes progress while bytes are still arriving.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { createInterface } from "node:readline";
import sharp from "sharp";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/config";
import { formatsOfAccept } from "../lambda-src/core/output";
import { BENCH_QUALITY, compileChild, variantQuery, WEBP_500x700, type BenchImage } from "./inputs";
import { median, progress, timed } from "./report";
import { BROWSER_ACCEPT, type Core } from "./resizer";

export const ORIGIN_BYTES_PER_SECOND = 50 * 1024 * 1024;
export const RANGED_PARTS = 4;

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

/** The original in `parts` concurrent byte ranges: the usual way to get more than one connection's throughput from S3. */
async function downloadRanged(url: string, size: number, parts: number): Promise<Buffer> {
  const step = Math.ceil(size / parts);
  const pieces = await Promise.all(
    Array.from({ length: parts }, async (_, i) => {
      const first = i * step;
      const last = Math.min(size, first + step) - 1;
      return readAll(await get(url, { Range: `bytes=${first}-${last}` }));
    }),
  );
  return Buffer.concat(pieces);
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
  /** streamed / download-then-resize, per image. */
  readonly ratios: ReadonlyMap<BenchImage, number>;
  /** max(download only, resize only) / download-then-resize: the best any overlap could do, per image. */
  readonly idealRatios: ReadonlyMap<BenchImage, number>;
}

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
    });
  const rows: StreamingRow[] = [];
  const ratios = new Map<BenchImage, number>();
  const idealRatios = new Map<BenchImage, number>();
  for (const image of images) {
    const url = `${origin.baseUrl}/${encodeURIComponent(path.basename(image.path))}`;
    const inMemory = await download(url);
    const modes: { mode: string; compared: boolean; forEveryOriginal: boolean; run: () => Promise<unknown> }[] = [
      { mode: MODE_STREAMED, compared: true, forEveryOriginal: true, run: async () => transform(await get(url), image) },
      { mode: MODE_DOWNLOAD_FIRST, compared: true, forEveryOriginal: true, run: async () => transform(Readable.from([await download(url)]), image) },
      { mode: MODE_DOWNLOAD_ONLY, compared: false, forEveryOriginal: true, run: () => download(url) },
      { mode: MODE_RESIZE_ONLY, compared: false, forEveryOriginal: true, run: () => transform(Readable.from([inMemory]), image) },
      {
        mode: "raw sharp({ sequentialRead: true }) piped from the response",
        compared: false,
        forEveryOriginal: false,
        run: async () => rawSharpStreamed(await get(url)),
      },
      {
        mode: `${RANGED_PARTS} parallel range GETs, then resized`,
        compared: false,
        forEveryOriginal: false,
        run: async () => transform(Readable.from([await downloadRanged(url, image.bytes, RANGED_PARTS)]), image),
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
    ratios.set(image, byMode(MODE_STREAMED) / byMode(MODE_DOWNLOAD_FIRST));
    idealRatios.set(image, Math.max(byMode(MODE_DOWNLOAD_ONLY), byMode(MODE_RESIZE_ONLY)) / byMode(MODE_DOWNLOAD_FIRST));
  }
  return { rows, ratios, idealRatios };
}
