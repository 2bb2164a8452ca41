/**
 * The sharp pipeline against the shared fixtures (see their README): each row's promise, checked on
 * the output's pixels and metadata. Variants are kept small so the file runs in seconds.
 */
import { createReadStream, readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import sharp from "sharp";
import { FIXTURES_DIR } from "../fixtures";
import { DEFAULT_RESIZER_CONFIG, type ResizerConfig } from "../lambda-src/core/contract";
import type { ResourceBudget } from "../lambda-src/core/limits";
import {
  HttpError,
  VARIANT_CACHE_CONTROL,
  configureSharp,
  formatsOfAccept,
  parseResizeQuery,
  transformImage,
  type TransformResult,
} from "../lambda-src/core";

const FIXTURES = FIXTURES_DIR;
const fixture = (name: string): string => path.join(FIXTURES, name);
const config: ResizerConfig = DEFAULT_RESIZER_CONFIG;

const BROWSER_ACCEPT = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8";

interface RunOptions {
  accept?: string;
  sourceContentType?: string;
  config?: ResizerConfig;
  budget?: ResourceBudget;
}

/** Room for every fixture here: the limits per format have their own tests (resizer-limits.test.ts). */
const AMPLE: ResourceBudget = { memoryMb: 10240, seconds: 60 };

function transform(input: NodeJS.ReadableStream, query: string, options: RunOptions = {}): Promise<TransformResult> {
  const cfg = options.config ?? config;
  return transformImage(input, parseResizeQuery(new URLSearchParams(query), cfg), {
    accepted: formatsOfAccept(options.accept),
    sourceContentType: options.sourceContentType,
    config: cfg,
    budget: options.budget ?? AMPLE,
  });
}

const run = (name: string, query: string, options: RunOptions = {}): Promise<TransformResult> =>
  transform(createReadStream(fixture(name)), query, options);

/** The HttpError a rejected transform carries; fails the test if it resolved or rejected otherwise. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const error = await promise.then(
    () => new Error("expected a refusal, got a result"),
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw error;
  return { status: error.status, code: error.code, message: error.message };
}

/** Fails instead of waiting for jest's timeout when a promise never settles. */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** A small greyscale thumbnail as numbers, for comparing shapes rather than bytes. */
async function greyThumb(input: Buffer | string, width: number, height: number): Promise<Buffer> {
  return sharp(input).resize(width, height, { fit: "fill" }).greyscale().raw().toBuffer();
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

describe("EXIF orientation: output is upright (pixels, not only tags)", () => {
  let upright: Buffer;
  beforeAll(async () => {
    const reference = await run("Landscape_1.jpg", "w=120&format=png");
    upright = await greyThumb(reference.body, 24, 18);
  });

  it.each(["Landscape_3.jpg", "Landscape_5.jpg", "Landscape_6.jpg", "Landscape_8.jpg"])(
    "%s looks like Landscape_1 and has its dimensions",
    async (name) => {
      const out = await run(name, "w=120&format=png");
      const meta = await sharp(out.body).metadata();
      expect([meta.width, meta.height, meta.orientation]).toEqual([120, 90, undefined]);
      expect(meanAbsDiff(await greyThumb(out.body, 24, 18), upright)).toBeLessThan(12);
    },
  );

  it("the comparison can tell: the stored (unrotated) pixels of Landscape_3 do not match", async () => {
    const stored = await greyThumb(fixture("Landscape_3.jpg"), 24, 18);
    expect(meanAbsDiff(stored, upright)).toBeGreaterThan(30);
  });

  it("Portrait_6 is the stored image turned 90 degrees clockwise, in portrait dimensions", async () => {
    const out = await run("Portrait_6.jpg", "w=90&format=png");
    const meta = await sharp(out.body).metadata();
    expect([meta.width, meta.height]).toEqual([90, 120]);
    // Stored 600x450 landscape; rotate its thumbnail by hand: displayed[r][c] = stored[H-1-c][r].
    const W = 16;
    const H = 12;
    const stored = await greyThumb(fixture("Portrait_6.jpg"), W, H);
    const turned = Buffer.alloc(W * H);
    for (let r = 0; r < W; r++) for (let c = 0; c < H; c++) turned[r * H + c] = stored[(H - 1 - c) * W + r] as number;
    const output = await greyThumb(out.body, H, W);
    expect(meanAbsDiff(output, turned)).toBeLessThan(12);
    expect(meanAbsDiff(output, await greyThumb(fixture("Portrait_6.jpg"), H, W))).toBeGreaterThan(30);
  });
});

describe("colour: output is sRGB", () => {
  it("a CMYK JPEG with an ICC profile becomes 3-channel sRGB without the profile", async () => {
    const source = await sharp(fixture("Channel_digital_image_CMYK_color.jpg")).metadata();
    expect([source.space, source.channels]).toEqual(["cmyk", 4]);
    const out = await run("Channel_digital_image_CMYK_color.jpg", "w=100&format=jpeg");
    const meta = await sharp(out.body).metadata();
    expect([meta.space, meta.channels, meta.icc]).toEqual(["srgb", 3, undefined]);
    // Not inverted or blank: the mean stays in the photo's mid-tones.
    const { channels } = await sharp(out.body).stats();
    for (const channel of channels) expect(channel.mean).toBeGreaterThan(30);
  });

  it("a Display P3 PNG is converted to sRGB values, not just relabelled", async () => {
    const stored = await sharp(fixture("p3.png"), { ignoreIcc: true }).raw().toBuffer();
    expect([...stored.subarray(0, 3)]).toEqual([241, 0, 0]);
    const out = await run("p3.png", "format=png");
    const meta = await sharp(out.body).metadata();
    expect([meta.space, meta.icc]).toEqual(["srgb", undefined]);
    const pixels = await sharp(out.body, { ignoreIcc: true }).raw().toBuffer();
    expect([...pixels.subarray(0, 3)]).toEqual([255, 0, 0]);
  });
});

describe("metadata is stripped", () => {
  it.each([
    ["Landscape_6.jpg", "w=50&format=jpeg"],
    ["Channel_digital_image_CMYK_color.jpg", "w=50&format=webp"],
    ["gain-map.jpg", "w=64&format=jpeg"],
    ["p3.png", "format=png"],
    ["16-bit-grey-alpha.png", "w=50&format=avif"],
  ])("%s %s", async (name, query) => {
    const source = await sharp(fixture(name)).metadata();
    expect(Boolean(source.exif || source.icc || source.xmp || source.gainMap)).toBe(true);
    const meta = await sharp((await run(name, query)).body).metadata();
    expect({ exif: meta.exif, icc: meta.icc, xmp: meta.xmp, iptc: meta.iptc, gainMap: meta.gainMap, orientation: meta.orientation }).toEqual({
      exif: undefined,
      icc: undefined,
      xmp: undefined,
      iptc: undefined,
      gainMap: undefined,
      orientation: undefined,
    });
  });
});

describe("alpha", () => {
  it.each(["webp", "avif", "png"])("with-alpha.png keeps its transparency as %s", async (format) => {
    const out = await run("with-alpha.png", `w=100&format=${format}`);
    expect(out.contentType).toBe(`image/${format}`);
    const { channels, isOpaque } = await sharp(out.body).stats();
    expect(channels).toHaveLength(4);
    expect(isOpaque).toBe(false);
  });

  it("grey-8bit-alpha.png keeps its alpha as PNG", async () => {
    const { isOpaque, channels } = await sharp((await run("grey-8bit-alpha.png", "w=80&format=png")).body).stats();
    expect(isOpaque).toBe(false);
    expect(channels.length).toBeGreaterThanOrEqual(2);
  });

  it("16-bit-grey-alpha.png decodes and keeps its alpha", async () => {
    const out = await run("16-bit-grey-alpha.png", "w=50&format=png");
    const meta = await sharp(out.body).metadata();
    expect([meta.format, meta.width, meta.hasAlpha]).toEqual(["png", 50, true]);
    expect((await sharp(out.body).stats()).isOpaque).toBe(false);
  });

  it("JPEG output is flattened on white, not black", async () => {
    const out = await run("full-transparent.png", "w=20&format=jpeg");
    const { channels } = await sharp(out.body).stats();
    expect(channels).toHaveLength(3);
    for (const channel of channels) expect(channel.min).toBeGreaterThanOrEqual(250);
  });
});

describe("animation", () => {
  async function frames(body: Buffer): Promise<{ format?: string; pages: number; pageHeight?: number; width?: number }> {
    const meta = await sharp(body, { animated: true }).metadata();
    return { format: meta.format, pages: meta.pages ?? 1, pageHeight: meta.pageHeight, width: meta.width };
  }

  it.each<[string, string, string | undefined, { format: string; pages: number }]>([
    ["animated-loop-3.gif", "w=60", BROWSER_ACCEPT, { format: "webp", pages: 10 }],
    ["animated-loop-3.gif", "w=60", undefined, { format: "gif", pages: 10 }],
    ["animated-loop-3.gif", "w=60&format=webp", undefined, { format: "webp", pages: 10 }],
    ["animated-loop-3.webp", "w=60", BROWSER_ACCEPT, { format: "webp", pages: 10 }],
    ["rotating-squares.gif", "w=60", BROWSER_ACCEPT, { format: "webp", pages: 9 }],
    // Formats without animation here take the first frame.
    ["animated-loop-3.gif", "w=60&format=png", undefined, { format: "png", pages: 1 }],
    ["animated-loop-3.webp", "w=60&format=jpeg", undefined, { format: "jpeg", pages: 1 }],
    ["animated-loop-3.gif", "w=60&format=avif", undefined, { format: "heif", pages: 1 }],
  ])("%s %s (Accept %j) -> %j", async (name, query, accept, expected) => {
    const out = await run(name, query, { accept });
    const { format, pages, width } = await frames(out.body);
    expect({ format, pages }).toEqual(expected);
    expect(width).toBeLessThanOrEqual(60);
  });

  it("resizes every frame to the requested box", async () => {
    const out = await run("animated-loop-3.gif", "w=40&h=30&format=webp");
    expect(await frames(out.body)).toEqual({ format: "webp", pages: 10, pageHeight: 30, width: 40 });
  });

  it("the pixel limit counts every frame when all frames are decoded, one frame otherwise", async () => {
    const source = await sharp(fixture("animated-loop-3.gif"), { animated: true }).metadata();
    const onePage = (source.width ?? 0) * (source.pageHeight ?? 0);
    expect(source.pages).toBe(10);
    const tight = { ...config, maxInputPixels: onePage * 2 };
    expect(await refusal(run("animated-loop-3.gif", "w=40&format=webp", { config: tight }))).toMatchObject({ status: 413 });
    const still = await run("animated-loop-3.gif", "w=40&format=png", { config: tight });
    expect((await frames(still.body)).pages).toBe(1);
  });
});

describe("other inputs", () => {
  it("AVIF input (pitm.avif) decodes with its aspect ratio", async () => {
    const out = await run("pitm.avif", "w=100&format=jpeg");
    const meta = await sharp(out.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 100, 20]);
  });

  it("gain-map.jpg (3840x2160) works", async () => {
    const out = await run("gain-map.jpg", "w=192", { accept: BROWSER_ACCEPT });
    const meta = await sharp(out.body).metadata();
    expect([out.contentType, meta.width, meta.height]).toEqual(["image/avif", 192, 108]);
  });

  it.each(["flowers.jpeg", "4.webp", "2569067123_aca715a2ee_o.jpg"])("%s becomes a WebP variant", async (name) => {
    const out = await run(name, "w=64&format=webp");
    const meta = await sharp(out.body).metadata();
    expect([meta.format, meta.width]).toEqual(["webp", 64]);
  });
});

describe("limits and broken inputs", () => {
  it.each(["giant-image.jpg", "65536-uint32-limit.png"])("%s is refused by the pixel limit (413)", async (name) => {
    expect(await refusal(run(name, "w=100&format=jpeg"))).toEqual({
      status: 413,
      code: "PayloadTooLarge",
      message: `image has more than ${config.maxInputPixels} pixels`,
    });
  });

  it("an input over maxInputBytes is refused (413) and the download is aborted", async () => {
    const input = createReadStream(fixture("2569067123_aca715a2ee_o.jpg"), { highWaterMark: 16 * 1024 });
    const small = { ...config, maxInputBytes: 100_000 };
    expect(await refusal(transform(input, "w=10", { config: small }))).toEqual({
      status: 413,
      code: "PayloadTooLarge",
      message: "image is larger than 100000 bytes",
    });
    expect(input.destroyed).toBe(true);
    expect(input.bytesRead).toBeLessThan(829_183);
  });

  it.each(["jpeg", "webp", "avif", "png"])("truncated.jpg is 422 as %s, never a half-grey success", async (format) => {
    const result = await refusal(run("truncated.jpg", `w=50&format=${format}`));
    expect([result.status, result.code]).toEqual([422, "UnprocessableImage"]);
    expect(result.message).toMatch(/^image cannot be decoded: /);
  });

  it("corrupt-header.jpg is 422", async () => {
    expect(await refusal(run("corrupt-header.jpg", "w=50"))).toMatchObject({ status: 422, code: "UnprocessableImage" });
  });

  it("random bytes behind a JPEG signature are 422", async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x5a)]);
    expect(await refusal(transform(Readable.from([garbage]), "w=50"))).toMatchObject({ status: 422 });
  });

  it("an empty input is 415", async () => {
    expect(await refusal(transform(Readable.from([]), "w=50"))).toEqual({
      status: 415,
      code: "UnsupportedMediaType",
      message: "input is empty, not an image",
    });
  });

  it("a TIFF (a decoder we do not admit) is 415", async () => {
    const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: "red" } }).tiff().toBuffer();
    expect(await refusal(transform(Readable.from([tiff]), "w=2"))).toEqual({
      status: 415,
      code: "UnsupportedMediaType",
      message: "input is not a supported image (jpeg, png, webp, gif, avif)",
    });
  });
});

describe("SVG is never rasterized: refused with 415 when resize parameters are given", () => {
  it.each(["check.svg", "struct-image-04-t.svg"])("%s is refused by content, whatever the Content-Type says", async (name) => {
    const input = createReadStream(fixture(name));
    expect(await refusal(transform(input, "w=50", { sourceContentType: "image/png" }))).toEqual({
      status: 415,
      code: "UnsupportedMediaType",
      message: "SVG is not resized",
    });
    expect(input.destroyed).toBe(true);
  });

  it("an SVG Content-Type is refused even before the bytes are read", async () => {
    const input = createReadStream(fixture("flowers.jpeg"));
    expect(await refusal(transform(input, "w=50", { sourceContentType: "Image/SVG+XML; charset=utf-8" }))).toMatchObject({
      status: 415,
      message: "SVG is not resized",
    });
  });

  describe("configureSharp leaves only the admitted decoders enabled", () => {
    afterAll(() => {
      // The block list is process-wide: give other test files in this worker their libvips back.
      sharp.unblock({ operation: ["VipsForeignLoad"] });
    });

    it("sharp itself can no longer load SVG or TIFF, and still loads the admitted formats", async () => {
      const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: "red" } }).tiff().toBuffer();
      const svg = readFileSync(fixture("check.svg"));
      // Start from libvips' full decoder set: an earlier test in this worker may have configured sharp already.
      sharp.unblock({ operation: ["VipsForeignLoad"] });
      await expect(sharp(svg).metadata()).resolves.toMatchObject({ format: "svg" });
      configureSharp();
      await expect(sharp(svg).png().toBuffer()).rejects.toThrow(/unsupported image format/);
      await expect(sharp(tiff).png().toBuffer()).rejects.toThrow(/unsupported image format/);
      for (const name of ["flowers.jpeg", "with-alpha.png", "4.webp", "animated-loop-3.gif", "pitm.avif"]) {
        await expect(sharp(readFileSync(fixture(name))).resize(8).png().toBuffer()).resolves.toBeInstanceOf(Buffer);
      }
    });
  });
});

describe("format negotiation and headers", () => {
  it.each<[string, string | undefined, string, string | undefined]>([
    ["w=40", BROWSER_ACCEPT, "image/avif", "Accept"],
    ["w=40", "image/webp,*/*", "image/webp", "Accept"],
    ["w=40", "*/*", "image/jpeg", "Accept"],
    ["w=40", undefined, "image/jpeg", "Accept"],
    ["w=40&format=auto", "image/avif;q=0,image/webp", "image/webp", "Accept"],
    ["w=40&format=png", BROWSER_ACCEPT, "image/png", undefined],
    ["w=40&format=jpeg", BROWSER_ACCEPT, "image/jpeg", undefined],
    ["w=40&format=webp", undefined, "image/webp", undefined],
    ["w=40&format=avif", undefined, "image/avif", undefined],
  ])("flowers.jpeg %s with Accept %j -> %s, Vary %j", async (query, accept, contentType, vary) => {
    const out = await run("flowers.jpeg", query, { accept });
    expect(out.contentType).toBe(contentType);
    expect(out.headers).toEqual(vary === undefined ? { "Cache-Control": VARIANT_CACHE_CONTROL } : { "Cache-Control": VARIANT_CACHE_CONTROL, Vary: vary });
    const meta = await sharp(out.body).metadata();
    expect(`image/${meta.format === "heif" ? meta.compression : meta.format}`).toBe(contentType.replace("avif", "av1"));
  });
});

describe("Vary with client hints on", () => {
  const hinted = { ...DEFAULT_RESIZER_CONFIG, clientHints: { widths: [320, 640], fallbackWidth: 640 } };
  it.each<[string, string]>([
    ["w=40", "Accept, Sec-CH-Width, Sec-CH-Viewport-Width, Sec-CH-DPR"],
    ["w=40&format=webp", "Sec-CH-Width, Sec-CH-Viewport-Width, Sec-CH-DPR"],
  ])("flowers.jpeg %s: Vary %j (a hinted and a given width are one cache entry: every variant names the hints)", async (query, vary) => {
    const out = await run("flowers.jpeg", query, { accept: BROWSER_ACCEPT, config: hinted });
    expect(out.headers.Vary).toBe(vary);
    expect((await sharp(out.body).metadata()).width).toBe(40);
  });
});

describe("sizes and fits", () => {
  // Landscape_1.jpg is 600x450.
  it.each<[string, number, number]>([
    ["w=120", 120, 90],
    ["h=90", 120, 90],
    ["w=90", 90, 68],
    ["w=100&h=100", 100, 100],
    ["w=100&h=100&fit=cover", 100, 100],
    ["w=100&h=100&fit=contain", 100, 100],
    ["w=100&h=100&fit=fill", 100, 100],
    ["w=100&h=100&fit=inside", 100, 75],
    ["w=100&h=100&fit=outside", 133, 100],
    ["fit=contain", 600, 450],
    // Never enlarged beyond the original.
    ["w=1200", 600, 450],
    ["h=900", 600, 450],
    ["w=1200&h=1200&fit=inside", 600, 450],
    ["w=1200&h=1200&fit=fill", 600, 450],
  ])("%s -> %ix%i", async (query, width, height) => {
    const meta = await sharp((await run("Landscape_1.jpg", `${query}&format=jpeg`)).body).metadata();
    expect([meta.width, meta.height]).toEqual([width, height]);
  });

  it.each<[string, number, number]>([
    ["w=1200&h=100&fit=cover", 600, 50],
    ["w=1000&h=1000&fit=contain", 450, 450],
    ["w=1200&h=100&fit=fill", 600, 100],
  ])("a box beyond the original keeps its shape without enlarging: %s -> %ix%i", async (query, width, height) => {
    const meta = await sharp((await run("Landscape_1.jpg", `${query}&format=jpeg`)).body).metadata();
    expect([meta.width, meta.height]).toEqual([width, height]);
  });

  it("contain pads with transparency where the format has alpha, with white in JPEG", async () => {
    const png = await sharp((await run("Landscape_1.jpg", "w=100&h=100&fit=contain&format=png")).body).ensureAlpha().raw().toBuffer();
    expect(png[3]).toBe(0);
    const jpeg = await sharp((await run("Landscape_1.jpg", "w=100&h=100&fit=contain&format=jpeg")).body).raw().toBuffer();
    expect(Math.min(jpeg[0] as number, jpeg[1] as number, jpeg[2] as number)).toBeGreaterThanOrEqual(250);
  });
});

describe("quality", () => {
  it("applies to lossy formats", async () => {
    const low = await run("flowers.jpeg", "w=200&format=jpeg&q=10");
    const high = await run("flowers.jpeg", "w=200&format=jpeg&q=90");
    expect(low.body.length).toBeLessThan(high.body.length);
    const lowAvif = await run("flowers.jpeg", "w=200&format=avif&q=10");
    const highAvif = await run("flowers.jpeg", "w=200&format=avif&q=90");
    expect(lowAvif.body.length).toBeLessThan(highAvif.body.length);
  });

  it("does not quantize PNG to a palette", async () => {
    const low = await run("flowers.jpeg", "w=100&format=png&q=1");
    const high = await run("flowers.jpeg", "w=100&format=png&q=100");
    expect(low.body.equals(high.body)).toBe(true);
    const meta = await sharp(low.body).metadata();
    expect([meta.isPalette, meta.channels]).toEqual([false, 3]);
  });
});

describe("streaming input", () => {
  it("works when the bytes arrive in many small chunks", async () => {
    const bytes = readFileSync(fixture("with-alpha.png"));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const out = await transform(Readable.from(chunks), "w=40&format=png");
    expect((await sharp(out.body).metadata()).width).toBe(40);
  });

  it.each([
    ["after the head was identified", 6000],
    ["before the head was complete", 10],
  ])("rejects promptly with the stream's own error when the input fails %s", async (_label, bytesBeforeFailure) => {
    const input = new PassThrough();
    input.write(readFileSync(fixture("flowers.jpeg")).subarray(0, bytesBeforeFailure));
    const pending = transform(input, "w=10");
    setTimeout(() => input.destroy(new Error("socket reset by origin")), 20);
    await expect(settlesWithin(pending, 5000)).rejects.toThrow("socket reset by origin");
    await expect(pending).rejects.not.toBeInstanceOf(HttpError);
  });

  it("rejects when the input ends prematurely without an error", async () => {
    const input = new PassThrough();
    input.write(readFileSync(fixture("flowers.jpeg")).subarray(0, 100));
    const pending = transform(input, "w=10");
    setTimeout(() => input.destroy(), 20);
    await expect(settlesWithin(pending, 5000)).rejects.toThrow();
  });
});
