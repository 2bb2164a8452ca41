/**
 * The per-format cost model (lambda-src/core/limits.ts) on what sharp and real files say: the decode class read
 * from real headers, the AVIF-to-WebP fallback and the 413 it replaces, and libvips' stop at the deadline.
 * The memory each class takes is measured in hostile-memory.test.ts and by `npm run bench` ("format costs").
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import sharp from "sharp";
import { DEFAULT_RESIZER_CONFIG, parseResizeQuery, transformImage, type TransformContext } from "../lambda-src/core";
import { webpDecodesWhole, SNIFF_BYTES } from "../lambda-src/core/input";
import {
  AVIF_ENCODE_SECONDS_PER_PIXEL,
  avifEncodeSecondsPerPixel,
  decodeClass,
  decodeRefusal,
  outputRefusal,
  type DecodeClass,
  type SourceShape,
} from "../lambda-src/core/limits";
import { noisePixels } from "../fixtures/hostile/make";
import { FIXTURES_DIR } from "./support/e2e-common";

const solid = (channels: 3 | 4 = 3) => sharp({ create: { width: 64, height: 64, channels, background: "#33669980" } });
const PHOTO = readFileSync(path.join(FIXTURES_DIR, "2569067123_aca715a2ee_o.jpg")); // 2725x2225

async function classOf(bytes: Buffer): Promise<DecodeClass> {
  const meta = await sharp(bytes).metadata();
  const format = meta.format === "heif" ? "avif" : (meta.format as "jpeg" | "png" | "webp" | "gif");
  return decodeClass(format, meta, format === "webp" && webpDecodesWhole(bytes.subarray(0, SNIFF_BYTES)));
}

describe("the decode class, from real headers", () => {
  it.each<[string, () => Promise<Buffer>, DecodeClass]>([
    ["baseline JPEG", () => solid().jpeg().toBuffer(), "jpeg"],
    ["progressive JPEG", () => solid().jpeg({ progressive: true }).toBuffer(), "jpeg-progressive"],
    ["PNG", () => solid().png().toBuffer(), "png"],
    ["Adam7-interlaced PNG", () => solid().png({ progressive: true }).toBuffer(), "png-interlaced"],
    ["lossy WebP", () => solid().webp().toBuffer(), "webp"],
    ["lossy WebP with alpha (VP8X, ALPH + VP8)", () => solid(4).webp().toBuffer(), "webp"],
    ["lossless WebP (VP8L)", () => solid().webp({ lossless: true }).toBuffer(), "webp-lossless"],
    ["lossless WebP with alpha", () => solid(4).webp({ lossless: true }).toBuffer(), "webp-lossless"],
    ["animated WebP (every frame may be lossless)", async () => readFileSync(path.join(FIXTURES_DIR, "animated-loop-3.webp")), "webp-lossless"],
    ["GIF", () => solid().gif().toBuffer(), "gif"],
    ["8-bit AVIF", () => solid().avif({ effort: 0 }).toBuffer(), "avif"],
    ["10-bit AVIF", () => solid().avif({ effort: 0, bitdepth: 10 }).toBuffer(), "avif-high-bit-depth"],
  ])("%s", async (_name, make, expected) => {
    expect(await classOf(await make())).toBe(expected);
  });

  it("a WebP head cut before its chunks counts as decoded whole (the cautious answer)", () => {
    expect(webpDecodesWhole(Buffer.from("RIFF\0\0\0\0WEBP", "latin1"))).toBe(true);
  });
});

describe("the AVIF encode's time by quality", () => {
  it("rises with quality, from the table's first entry at q=1 to its last at q=100", () => {
    const seconds = Array.from({ length: 100 }, (_, i) => avifEncodeSecondsPerPixel(i + 1));
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]).toBeGreaterThanOrEqual(seconds[i - 1]!);
    expect(seconds[0]).toBeCloseTo(AVIF_ENCODE_SECONDS_PER_PIXEL[0]![1], 12);
    expect(seconds[99]).toBeCloseTo(AVIF_ENCODE_SECONDS_PER_PIXEL.at(-1)![1], 12);
  });
});

describe("the model's answers for the field's photo (2725x2225 JPEG), w=1920 (1920x1568)", () => {
  const photo: SourceShape = { decode: "jpeg", width: 2725, frameHeight: 2225, fileBytes: PHOTO.length };
  const avif1920 = { format: "avif" as const, width: 1920, frameHeight: 1568, frames: 1, quality: 80 };

  it("at 512 MB and the default 10 s timeout (9 s to work), AVIF would outlast the request; WebP fits", () => {
    expect(outputRefusal(photo, avif1920, { memoryMb: 512, seconds: 9 })).toMatch(/^a 1920x1568 AVIF variant may take \d+\.\d s at 512 MB \(0\.29 vCPU\), past the 9\.0 s a request has/);
    expect(outputRefusal(photo, { ...avif1920, format: "webp" }, { memoryMb: 512, seconds: 9 })).toBeUndefined();
  });

  it("at 1769 MB (one vCPU) AVIF fits", () => {
    expect(outputRefusal(photo, avif1920, { memoryMb: 1769, seconds: 9 })).toBeUndefined();
  });

  it("the decode of a 100-million-pixel AVIF fits no memory below about 2.2 GB", () => {
    const bomb: SourceShape = { decode: "avif", width: 10_000, frameHeight: 10_000, fileBytes: 1932 };
    expect(decodeRefusal(bomb, { memoryMb: 1769, seconds: 9 })).toMatch(/needs about 1812 MB to decode; a 1769 MB function has 1424 MB/);
    expect(decodeRefusal(bomb, { memoryMb: 2240, seconds: 9 })).toBeUndefined();
  });
});

describe("the transform under a budget (the real encoders)", () => {
  const PHOTO_BUDGET_SECONDS = 1; // a 640x523 AVIF takes ~0.3 s of CPU: > 1 s at 512 MB's 0.29 vCPU, < 1 s at one vCPU
  const context = (memoryMb: number, accepted = { avif: true, webp: true }): TransformContext => ({
    accepted,
    config: DEFAULT_RESIZER_CONFIG,
    budget: { memoryMb, seconds: PHOTO_BUDGET_SECONDS },
  });
  const transform = (query: string, ctx: TransformContext) =>
    transformImage(Readable.from([PHOTO]), parseResizeQuery(new URLSearchParams(query), DEFAULT_RESIZER_CONFIG), ctx);

  it("format=auto falls back from AVIF to WebP where AVIF is unaffordable, and says so only through the type", async () => {
    const small = await transform("w=640", context(512));
    expect(small.contentType).toBe("image/webp");
    expect(small.headers["Vary"]).toBe("Accept");
    expect((await sharp(small.body).metadata()).format).toBe("webp");
  });

  it("format=auto keeps AVIF where it fits", async () => {
    const large = await transform("w=640", context(1769));
    expect(large.contentType).toBe("image/avif");
  });

  it("an explicit format=avif that would outlast the request is a 413 with the reason, not a WebP", async () => {
    await expect(transform("w=640&format=avif", context(512))).rejects.toMatchObject({
      status: 413,
      message: expect.stringMatching(/^a 640x523 AVIF variant may take \d+\.\d s at 512 MB/),
    });
  });

  it("a variant that fits the request's time but not what a slow download left of it is the timeout at once, not started", async () => {
    const ctx = { ...context(512), budget: { memoryMb: 512, seconds: 9 }, stopBy: Date.now() + 400 };
    await expect(transform("w=640&format=avif", ctx)).rejects.toMatchObject({
      status: 504,
      message: expect.stringMatching(/^the original arrived late: its AVIF variant needs about \d+\.\d s, 0\.\d s were left$/),
    });
    // With the time it has, the same request is made.
    expect((await transform("w=640&format=avif", { ...ctx, stopBy: Date.now() + 9000 })).contentType).toBe("image/avif");
  });

  it("sharp's timeout stops a long encode at the deadline: it rejects, having spent less CPU than an uncapped one", async () => {
    const side = 2500; // a q=100 WebP of 6 Mpx of noise: ~2.7 s of CPU, past the 1 s timeout
    const noise = await sharp(noisePixels(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const big = { ...context(10_240), budget: { memoryMb: 10_240, seconds: 60 } };
    const request = parseResizeQuery(new URLSearchParams("format=webp&q=100"), DEFAULT_RESIZER_CONFIG);
    const cpuSeconds = async (work: () => Promise<unknown>): Promise<number> => {
      const before = process.cpuUsage();
      await work().catch(() => undefined);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1e6;
    };
    const stopped = transformImage(Readable.from([noise]), request, { ...big, stopBy: Date.now() + 1 });
    await expect(stopped).rejects.toMatchObject({ message: expect.stringMatching(/timeout/) });
    const stoppedCpu = await cpuSeconds(() => transformImage(Readable.from([noise]), request, { ...big, stopBy: Date.now() + 1 }));
    let finished: Buffer | undefined;
    const finishedCpu = await cpuSeconds(async () => (finished = (await transformImage(Readable.from([noise]), request, big)).body));
    expect((await sharp(finished).metadata()).width).toBe(side);
    expect(stoppedCpu).toBeLessThan(finishedCpu * 0.75);
  }, 60_000);
});

