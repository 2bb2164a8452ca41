/**
 * lambda-src/core/facts.ts: an original's facts from its header and one thumbnail, on the real fixtures, and the
 * ThumbHash decoded back (thumbhash's own decoder) to check the placeholder is the displayed image's shape.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import sharp, { type Color } from "sharp";
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from "thumbhash";
import { FIXTURES_DIR, HOSTILE_FIXTURES_DIR } from "../fixtures";
import { DEFAULT_RESIZER_CONFIG, IMAGE_FORMAT_NAMES } from "../lambda-src/core/contract";
import { HttpError, type ErrorCode } from "../lambda-src/core/errors";
import { FACTS_VERSION, THUMBNAIL_MAX_SIDE, factsBody, imageFacts, uprightThumbnail, type FactsLimits, type ImageFacts } from "../lambda-src/core/facts";
import { configureSharp, transformImage } from "../lambda-src/core/transform";
import { formatsOfAccept } from "../lambda-src/core/output";
import { parseResizeQuery } from "../lambda-src/core/params";
import { Readable } from "node:stream";

const LIMITS: FactsLimits = { ...DEFAULT_RESIZER_CONFIG, budget: { memoryMb: 512, seconds: 10 } };
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES_DIR, name));
const factsOf = (name: string): Promise<ImageFacts> => imageFacts(fixture(name), LIMITS);
const hashBytes = (facts: ImageFacts): Buffer => Buffer.from(facts.thumbhash, "base64");

/**
 * ThumbHash stores the aspect ratio only as the number of its cosine terms along each side (at most 7), so it is
 * coarse: 4:3 decodes as 1.40, 3:4 as 0.71 (measured). 15% tells a portrait from a landscape and a square.
 */
const ASPECT_TOLERANCE = 0.15;

/**
 * sharp's dominant is quantized: 16 bins a channel, answered as bin * 16 + 8 (measured: #3366cc gives #3868c8,
 * #e01010 gives #d80808), so a solid colour comes back within a bin's width of itself.
 */
const DOMINANT_TOLERANCE = 16;

async function expectHttpError(work: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error: unknown = await work.then(() => undefined, (rejection: unknown) => rejection);
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).code).toBe(code);
  if (message !== undefined) expect((error as HttpError).message).toMatch(message);
}

function channels(hex: string): number[] {
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
}

beforeAll(() => configureSharp());

describe("imageFacts: sizes from the header", () => {
  const STILLS = ["flowers.jpeg", "2569067123_aca715a2ee_o.jpg", "Channel_digital_image_CMYK_color.jpg", "4.webp", "with-alpha.png", "16-bit-grey-alpha.png", "grey-8bit-alpha.png", "p3.png", "full-transparent.png"];

  it.each(STILLS)("%s: width, height, format and bytes are sharp's header and the file's size", async (name) => {
    const facts = await factsOf(name);
    const meta = await sharp(fixture(name)).metadata();
    expect(facts.version).toBe(FACTS_VERSION);
    expect(IMAGE_FORMAT_NAMES).toContain(facts.format);
    expect(facts.format).toBe(meta.format);
    expect([facts.width, facts.height]).toEqual([meta.width, meta.height]);
    expect(facts.bytes).toBe(statSync(path.join(FIXTURES_DIR, name)).size);
    expect(facts.hasAlpha).toBe(meta.hasAlpha);
    expect([facts.animated, facts.frames, facts.orientation]).toEqual([false, 1, 1]);
    expect([facts.displayWidth, facts.displayHeight]).toEqual([facts.width, facts.height]);
  });

  it("an AVIF is named avif (sharp says heif), and its container's other images are not frames", async () => {
    const facts = await factsOf("pitm.avif");
    expect(facts.format).toBe("avif");
    expect([facts.animated, facts.frames]).toEqual([false, 1]);
  });
});

describe("imageFacts: EXIF orientation", () => {
  // sharp's test images: the same 600x450 landscape stored in each orientation, and a portrait stored on its side.
  it.each([
    ["Landscape_1.jpg", 1, [600, 450], [600, 450]],
    ["Landscape_3.jpg", 3, [600, 450], [600, 450]],
    ["Landscape_5.jpg", 5, [450, 600], [600, 450]],
    ["Landscape_6.jpg", 6, [450, 600], [600, 450]],
    ["Landscape_8.jpg", 8, [450, 600], [600, 450]],
    ["Portrait_6.jpg", 6, [600, 450], [450, 600]],
  ] as const)("%s: orientation %i, stored %j, displayed %j", async (name, orientation, stored, displayed) => {
    const facts = await factsOf(name);
    expect(facts.orientation).toBe(orientation);
    expect([facts.width, facts.height]).toEqual(stored);
    expect([facts.displayWidth, facts.displayHeight]).toEqual(displayed);
  });

  it("the landscape's placeholders agree whatever the orientation it is stored in (the thumbnail is upright)", async () => {
    const upright = thumbHashToRGBA(hashBytes(await factsOf("Landscape_1.jpg")));
    for (const name of ["Landscape_3.jpg", "Landscape_5.jpg", "Landscape_6.jpg", "Landscape_8.jpg"]) {
      const turned = thumbHashToRGBA(hashBytes(await factsOf(name)));
      expect([turned.w, turned.h]).toEqual([upright.w, upright.h]);
      // The same picture, each file its own JPEG encode: a few levels apart on average (turned 180°: ~44).
      const meanDifference = upright.rgba.reduce((sum, value, i) => sum + Math.abs(value - turned.rgba[i]!), 0) / upright.rgba.length;
      expect(meanDifference).toBeLessThan(8);
    }
  });
});

describe("imageFacts: animations", () => {
  it.each([
    ["animated-loop-3.gif", "gif", 10, [370, 285]],
    ["animated-loop-3.webp", "webp", 10, [370, 285]],
    ["rotating-squares.gif", "gif", 30, [80, 80]],
  ] as const)("%s: %s of %i frames, one frame's size", async (name, format, frames, size) => {
    const facts = await factsOf(name);
    const all = await sharp(fixture(name), { animated: true }).metadata();
    expect(facts.format).toBe(format);
    expect([facts.animated, facts.frames]).toEqual([true, frames]);
    expect(all.pages).toBe(frames);
    expect([facts.width, facts.height]).toEqual(size);
    expect([facts.displayWidth, facts.displayHeight]).toEqual([all.width, all.pageHeight]);
  });
});

describe("imageFacts: the placeholder", () => {
  it.each(["flowers.jpeg", "2569067123_aca715a2ee_o.jpg", "4.webp", "Landscape_6.jpg", "Portrait_6.jpg", "animated-loop-3.gif", "with-alpha.png", "rotating-squares.gif"])(
    "%s: the ThumbHash decodes to the displayed aspect ratio",
    async (name) => {
      const facts = await factsOf(name);
      const displayed = facts.displayWidth / facts.displayHeight;
      const decoded = thumbHashToRGBA(hashBytes(facts));
      expect(decoded.rgba.length).toBe(decoded.w * decoded.h * 4);
      expect(Math.abs(decoded.w / decoded.h / displayed - 1)).toBeLessThan(ASPECT_TOLERANCE);
      expect(Math.abs(thumbHashToApproximateAspectRatio(hashBytes(facts)) / displayed - 1)).toBeLessThan(ASPECT_TOLERANCE);
    },
  );

  it("a portrait stored on its side (EXIF 6) gets a portrait placeholder", async () => {
    const facts = await factsOf("Portrait_6.jpg");
    expect(facts.width).toBeGreaterThan(facts.height);
    expect(thumbHashToApproximateAspectRatio(hashBytes(facts))).toBeLessThan(1);
  });

  it("the thumbnail stays within 100 px, upright, never enlarged, RGBA", async () => {
    expect(THUMBNAIL_MAX_SIDE).toBe(100);
    for (const [name, expected] of [
      ["gain-map.jpg", [100, 56]],
      ["Portrait_6.jpg", [75, 100]],
      ["Landscape_8.jpg", [100, 75]],
      ["p3.png", [8, 8]],
      ["16-bit-grey-alpha.png", [100, 88]],
    ] as const) {
      const thumbnail = await uprightThumbnail(sharp(fixture(name)));
      expect([thumbnail.width, thumbnail.height]).toEqual(expected);
      expect(thumbnail.rgba.length).toBe(thumbnail.width * thumbnail.height * 4);
    }
  });

  it("the base64 is standard and round-trips; a ThumbHash is a few dozen bytes", async () => {
    const facts = await factsOf("flowers.jpeg");
    expect(facts.thumbhash).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(hashBytes(facts).toString("base64")).toBe(facts.thumbhash);
    expect(hashBytes(facts).length).toBeLessThanOrEqual(25);
  });
});

describe("imageFacts: dominant colour", () => {
  const solid = (channelCount: 3 | 4, background: Color, width = 300, height = 200): Promise<Buffer> =>
    sharp({ create: { width, height, channels: channelCount, background } }).png().toBuffer();

  it("a 300x200 #3366cc PNG is #3366cc within sharp's bin (it answers the bin's centre, #3868c8)", async () => {
    const facts = await imageFacts(await solid(3, "#3366cc"), LIMITS);
    expect(facts.dominant).toMatch(/^#[0-9a-f]{6}$/);
    channels(facts.dominant).forEach((value, i) => expect(Math.abs(value - [0x33, 0x66, 0xcc][i]!)).toBeLessThanOrEqual(DOMINANT_TOLERANCE));
    expect(facts.dominant).toBe("#3868c8");
  });

  it("the most common colour wins: two thirds red, one third blue", async () => {
    const red = await solid(3, "#e01010", 200, 200);
    const image = await sharp(red).extend({ right: 100, background: "#1010e0" }).png().toBuffer();
    expect((await imageFacts(image, LIMITS)).dominant).toBe("#d80808");
  });

  it("an image with alpha is taken over white: a fully transparent one is white, not its hidden black", async () => {
    const facts = await factsOf("full-transparent.png");
    expect(facts.hasAlpha).toBe(true);
    expect(facts.dominant).toBe("#f8f8f8");
  });
});

describe("imageFacts: refusals are the kit's errors", () => {
  it.each([
    ["truncated.jpg", /cannot be decoded/],
    ["corrupt-header.jpg", /cannot be decoded/],
  ])("%s -> 422 UnprocessableImage", async (name, message) => {
    await expectHttpError(factsOf(name), "UnprocessableImage", message);
  });

  it("a JPEG cut in half -> 422 UnprocessableImage", async () => {
    const whole = fixture("flowers.jpeg");
    await expectHttpError(imageFacts(whole.subarray(0, whole.length >> 1), LIMITS), "UnprocessableImage");
  });

  it.each(["check.svg", "README.md"])("%s -> 415 UnsupportedMediaType, no decoder run", async (name) => {
    await expectHttpError(factsOf(name), "UnsupportedMediaType");
  });

  it("an empty input -> 415", async () => {
    await expectHttpError(imageFacts(Buffer.alloc(0), LIMITS), "UnsupportedMediaType", /empty/);
  });

  it("over the pixel limit -> 413 from the header", async () => {
    await expectHttpError(factsOf("giant-image.jpg"), "PayloadTooLarge", /more than 100000000 pixels/);
    await expectHttpError(imageFacts(fixture("flowers.jpeg"), { ...LIMITS, maxInputPixels: 1000 }), "PayloadTooLarge", /more than 1000 pixels/);
  });

  it("over the byte limit -> 413 before sniffing", async () => {
    await expectHttpError(imageFacts(fixture("flowers.jpeg"), { ...LIMITS, maxInputBytes: 1000 }), "PayloadTooLarge", /larger than 1000 bytes/);
  });

  it("with the request's deadline passed -> 504 Timeout before any pixel; with time left, the facts", async () => {
    await expectHttpError(imageFacts(fixture("flowers.jpeg"), { ...LIMITS, stopBy: Date.now() - 1 }), "Timeout", /no time was left to read the original's facts/);
    expect((await imageFacts(fixture("flowers.jpeg"), { ...LIMITS, stopBy: Date.now() + 10_000 })).format).toBe("jpeg");
  });

  it.each(["avif-10000.avif", "gif-10000.gif", "webp-lossless-10000.webp"])(
    "memory bomb %s -> 413 naming resizer.memorySize, before any pixel",
    async (name) => {
      await expectHttpError(imageFacts(readFileSync(path.join(HOSTILE_FIXTURES_DIR, name)), LIMITS), "PayloadTooLarge", /resizer\.memorySize/);
    },
  );
});

describe("factsBody", () => {
  it("is JSON in one key order, whatever order the object was built in", async () => {
    const facts = await factsOf("Portrait_6.jpg");
    const shuffled = Object.fromEntries(Object.entries(facts).reverse()) as unknown as ImageFacts;
    const body = factsBody(shuffled);
    expect(body).toBe(factsBody(facts));
    expect(Object.keys(JSON.parse(body) as object)).toEqual([
      "version", "format", "bytes", "width", "height", "orientation", "displayWidth", "displayHeight",
      "animated", "frames", "hasAlpha", "dominant", "thumbhash",
    ]);
    expect(JSON.parse(body)).toEqual(facts);
  });

  it("carries nothing else", async () => {
    const facts = { ...(await factsOf("flowers.jpeg")), extra: "not in the body" } as ImageFacts;
    expect(factsBody(facts)).not.toContain("extra");
  });
});

describe("format=json: the resizer answers the facts, cached like a variant", () => {
  const config = { ...DEFAULT_RESIZER_CONFIG };
  const answer = (name: string, query: string) =>
    transformImage(Readable.from([fixture(name)]), parseResizeQuery(new URLSearchParams(query), config), {
      accepted: formatsOfAccept("image/avif,image/webp"),
      config,
      budget: { memoryMb: 512, seconds: 10 },
    });

  it("JSON of the original's facts, no Vary (it does not depend on Accept), the variant's Cache-Control", async () => {
    const result = await answer("Landscape_6.jpg", "format=json");
    expect(result.contentType).toBe("application/json");
    expect(result.headers).toEqual({ "Cache-Control": "public, max-age=31536000, immutable" });
    const facts = JSON.parse(result.body.toString("utf8")) as { version: number; format: string; orientation: number; displayWidth: number; displayHeight: number; bytes: number };
    expect(facts).toMatchObject({ version: FACTS_VERSION, format: "jpeg", orientation: 6, bytes: fixture("Landscape_6.jpg").length });
    expect(facts.displayWidth).toBeGreaterThan(facts.displayHeight);
    expect(result.body.toString("utf8")).toBe(factsBody(await imageFacts(fixture("Landscape_6.jpg"), LIMITS)));
  });

  it("no Vary with client hints on either: the facts do not depend on the hints", async () => {
    const hinted = { ...config, clientHints: { widths: [320], fallbackWidth: 320 } };
    const result = await transformImage(Readable.from([fixture("flowers.jpeg")]), parseResizeQuery(new URLSearchParams("format=json"), hinted), {
      accepted: formatsOfAccept("image/avif"),
      config: hinted,
      budget: { memoryMb: 512, seconds: 10 },
      stopBy: Date.now() + 10_000,
    });
    expect(result.headers).toEqual({ "Cache-Control": "public, max-age=31536000, immutable" });
  });

  it("describes the original only: with another parameter it is a 400", () => {
    expect(() => parseResizeQuery(new URLSearchParams("format=json&w=100"), config)).toThrow("format=json describes the original: give it alone");
  });

  it("a broken original is the same 422 as for a variant", async () => {
    await expect(answer("truncated.jpg", "format=json")).rejects.toMatchObject({ code: "UnprocessableImage" });
  });
});
