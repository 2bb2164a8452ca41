/**
 * The responsive-images parameters on real pixels: dpr's exact sizes (never enlarged, capped), crops that keep an
 * off-centre subject (pos=attention|entropy|a gravity, and a focal point), rotate/flip/flop after the EXIF
 * orientation, blur and sharpen, and bg for contain's bars and a JPEG's flattened alpha. Each is checked on the
 * output's pixels or size, not on a 200.
 */
import { Readable } from "node:stream";
import sharp, { type OutputInfo } from "sharp";
import { DEFAULT_RESIZER_CONFIG, type ResizerConfig } from "../lambda-src/core/contract";
import type { ResourceBudget } from "../lambda-src/core/limits";
import { configureSharp, formatsOfAccept, HttpError, parseResizeQuery, transformImage } from "../lambda-src/core";
import { FIXTURES_DIR } from "../fixtures";
import path from "node:path";
import { readFileSync } from "node:fs";

const AMPLE: ResourceBudget = { memoryMb: 10240, seconds: 60 };
const config: ResizerConfig = { ...DEFAULT_RESIZER_CONFIG, maxWidth: 1000, maxHeight: 1000 };

beforeAll(() => configureSharp());

async function variant(input: Buffer, query: string, cfg: ResizerConfig = config): Promise<{ data: Buffer; info: OutputInfo }> {
  const result = await transformImage(Readable.from([input]), parseResizeQuery(new URLSearchParams(query), cfg), { accepted: formatsOfAccept(undefined), config: cfg, budget: AMPLE });
  return sharp(result.body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
}

/** The box of the pixels that are clearly red (the subject), or undefined when none is in frame. */
function redBox({ data, info }: { data: Buffer; info: OutputInfo }): { left: number; top: number; right: number; bottom: number } | undefined {
  let box: { left: number; top: number; right: number; bottom: number } | undefined;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * info.channels;
      if (data[i]! > 180 && data[i + 1]! < 80 && data[i + 2]! < 80) {
        box = box === undefined ? { left: x, top: y, right: x, bottom: y } : { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) };
      }
    }
  }
  return box;
}

const pixel = ({ data, info }: { data: Buffer; info: OutputInfo }, x: number, y: number): number[] => {
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
};

/** 800x400 textured grey with a red 80x80 subject at (660, 60): far from the centre, which a centre crop loses. */
let offCentre: Buffer;
/** 300x200: left half red, right half blue. */
let halves: Buffer;

beforeAll(async () => {
  const noise = await sharp({ create: { width: 800, height: 400, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 6 } } }).png().toBuffer();
  const subject = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#e01010" } }).png().toBuffer();
  offCentre = await sharp(noise).composite([{ input: subject, left: 660, top: 60 }]).png().toBuffer();
  const red = await sharp({ create: { width: 150, height: 200, channels: 3, background: "#ff0000" } }).png().toBuffer();
  halves = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#0000ff" } }).composite([{ input: red, left: 0, top: 0 }]).png().toBuffer();
});

describe("dpr", () => {
  it("multiplies w and h: w=100&dpr=2 is 200 wide, dpr=1.5 150", async () => {
    expect((await variant(halves, "w=100&dpr=2&format=png")).info.width).toBe(200);
    expect((await variant(halves, "w=100&dpr=1.5&format=png")).info.width).toBe(150);
    expect((await variant(offCentre, "w=100&h=50&dpr=3&format=png")).info).toMatchObject({ width: 300, height: 150 });
  });

  it("never enlarges, and stops at the configured maximum", async () => {
    expect((await variant(halves, "w=200&dpr=4&format=png")).info.width).toBe(300);
    const big = await sharp({ create: { width: 2400, height: 100, channels: 3, background: "#808080" } }).png().toBuffer();
    expect((await variant(big, "w=600&dpr=2&format=png")).info.width).toBe(1000);
  });
});

describe("crops that keep an off-centre subject (fit=cover, 200x200 of 800x400)", () => {
  it("a centre crop loses it (the control)", async () => {
    expect(redBox(await variant(offCentre, "w=200&h=200&format=png"))).toBeUndefined();
  });

  it.each(["attention", "entropy", "east", "northeast"])("pos=%s keeps it whole", async (pos) => {
    const box = redBox(await variant(offCentre, `w=200&h=200&pos=${pos}&format=png`));
    expect(box).toBeDefined();
    // 80 px at half scale: 40, the whole subject in frame.
    expect(box!.right - box!.left).toBeGreaterThanOrEqual(36);
    expect(box!.bottom - box!.top).toBeGreaterThanOrEqual(36);
  });

  it("a focal point on the subject keeps it, as central as the edges allow", async () => {
    // Subject centre (700, 100) is fx 0.875, fy 0.25: the crop is clamped to the right edge (x 200..400 of 400 wide).
    const box = redBox(await variant(offCentre, "w=200&h=200&fx=0.875&fy=0.25&format=png"))!;
    expect(box).toMatchObject({ left: expect.closeTo(130, -0.7) as number, top: expect.closeTo(30, -0.7) as number });
    // Room on both sides: a 100x200 crop of the 400x200 cover is centred on the point (the subject's centre).
    const centred = redBox(await variant(offCentre, "w=100&h=200&fx=0.875&fy=0.5&format=png"))!;
    expect(Math.abs((centred.left + centred.right) / 2 - 50)).toBeLessThanOrEqual(2);
  });

  it("the focal point at the middle equals a centre crop", async () => {
    const middle = await variant(offCentre, "w=200&h=200&fx=0.5&fy=0.5&format=png");
    const centre = await variant(offCentre, "w=200&h=200&format=png");
    expect(middle.data.equals(centre.data)).toBe(true);
  });
});

describe("rotate, flip, flop", () => {
  it("rotate=90 turns clockwise; w refers to the rotated output", async () => {
    const turned = await variant(halves, "rotate=90&format=png");
    expect(turned.info).toMatchObject({ width: 200, height: 300 });
    expect(pixel(turned, 100, 10)).toEqual([255, 0, 0]);
    expect(pixel(turned, 100, 290)).toEqual([0, 0, 255]);
    expect((await variant(halves, "rotate=90&w=100&format=png")).info).toMatchObject({ width: 100, height: 150 });
  });

  it("flop mirrors left to right, flip top to bottom, both after rotate", async () => {
    const flopped = await variant(halves, "flop=1&format=png");
    expect(pixel(flopped, 10, 100)).toEqual([0, 0, 255]);
    const turnedFlipped = await variant(halves, "rotate=90&flip=1&format=png");
    expect(pixel(turnedFlipped, 100, 10)).toEqual([0, 0, 255]);
  });

  it("after the EXIF orientation: Landscape_6 (orientation 6) turned back by rotate=270 stands as stored", async () => {
    const file = readFileSync(path.join(FIXTURES_DIR, "Landscape_6.jpg"));
    const stored = await sharp(file).metadata();
    const upright = await variant(file, "w=120&format=png");
    expect(upright.info.width).toBe(120);
    expect(upright.info.height).toBeLessThan(120);
    const back = await variant(file, "rotate=270&format=png");
    expect([back.info.width, back.info.height]).toEqual([stored.width, stored.height]);
  });

  it("an animation keeps its frames through rotate=180, and becomes its first frame for a quarter turn or a mirror (sharp's own limits)", async () => {
    const gif = readFileSync(path.join(FIXTURES_DIR, "animated-loop-3.gif"));
    const frames = async (query: string): Promise<number> => {
      const result = await transformImage(Readable.from([gif]), parseResizeQuery(new URLSearchParams(query), config), { accepted: formatsOfAccept("image/webp"), config, budget: AMPLE });
      return (await sharp(result.body).metadata()).pages ?? 1;
    };
    expect(await frames("w=50&rotate=180")).toBeGreaterThan(1);
    expect(await frames("w=50&rotate=90")).toBe(1);
    expect(await frames("w=50&flop=1")).toBe(1);
  });
});

describe("blur, sharpen", () => {
  const edgeContrast = ({ data, info }: { data: Buffer; info: OutputInfo }): number => Math.abs(pixel({ data, info }, 148, 100)[0]! - pixel({ data, info }, 151, 100)[0]!);

  it("blur softens the red/blue edge; sharpen does not soften it", async () => {
    const plain = edgeContrast(await variant(halves, "format=png"));
    expect(plain).toBe(255);
    expect(edgeContrast(await variant(halves, "blur=3&format=png"))).toBeLessThan(200);
    const photo = readFileSync(path.join(FIXTURES_DIR, "flowers.jpeg"));
    const stats = async (q: string) => (await sharp((await variant(photo, q)).data, { raw: { width: 200, height: 200, channels: 3 } }).stats()).sharpness;
    expect(await stats("w=200&h=200&sharpen=2&format=png")).toBeGreaterThan(await stats("w=200&h=200&format=png"));
  });
});

describe("bg", () => {
  it("colours contain's bars", async () => {
    // A 200x300 box for a 300x200 original shrinks to 133x200 (no more pixels than the original): bars above and below.
    const barred = await variant(halves, "w=200&h=300&fit=contain&bg=00ff00&format=png");
    expect(barred.info).toMatchObject({ width: 133, height: 200 });
    expect(pixel(barred, 66, 5)).toEqual([0, 255, 0]);
    expect(pixel(barred, 20, 100)).toEqual([255, 0, 0]);
  });

  it("is what alpha flattens onto in a JPEG (white without it)", async () => {
    const clear = readFileSync(path.join(FIXTURES_DIR, "full-transparent.png"));
    const onBlue = await variant(clear, "w=50&bg=00f&format=jpeg");
    const [r, g, b] = pixel(onBlue, 10, 10);
    expect([r! < 20, g! < 20, b! > 230]).toEqual([true, true, true]);
    expect(pixel(await variant(clear, "w=50&format=jpeg"), 10, 10).every((channel) => channel > 240)).toBe(true);
  });
});

describe("the parser: one spelling per value", () => {
  const parse = (query: string) => parseResizeQuery(new URLSearchParams(query), config);
  it.each([
    ["dpr=2.625&w=100", { width: 250 }],
    ["dpr=1.2&w=100", { width: 100 }],
    ["fx=0.333", { focal: { x: 0.35, y: 0.5 } }],
    ["fy=1", { focal: { x: 0.5, y: 1 } }],
    ["bg=FF0000", { background: "#f00" }],
    ["bg=ff8000", { background: "#f80" }],
    ["bg=3d3", { background: "#3d3" }],
    ["rotate=180", { rotate: 180 }],
    ["pos=center", {}],
    ["blur=1.74", { blur: 1.5 }],
  ])("%s", (query, expected) => {
    expect(parse(query)).toMatchObject(expected);
  });

  it.each([
    ["dpr=5", "dpr must be a number from 1 to 4"],
    ["dpr=0.5", "dpr must be a number from 1 to 4"],
    ["dpr=1e0", "dpr must be a number from 1 to 4"],
    ["fx=-0.1", "fx must be a number from 0 to 1"],
    ["rotate=45", "rotate must be one of 90, 180, 270"],
    ["flip=yes", "flip must be one of 1"],
    ["bg=%23ff0000", "bg must be 3 or 6 hex digits"],
    ["bg=red", "bg must be 3 or 6 hex digits"],
    ["pos=attention&fit=inside", "pos, fx and fy apply to fit=cover only"],
    ["pos=north&fx=0.5", "pos and fx/fy exclude each other"],
  ])("%s is a 400", (query, reason) => {
    let error: unknown;
    try {
      parse(query);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toContain(reason);
  });

  it("w from the edge, already times dpr, passes the allow-list its CSS width is on", () => {
    const listed = { ...config, allowedWidths: [150, 300] };
    expect(parseResizeQuery(new URLSearchParams("w=600"), listed).width).toBe(600);
    expect(() => parseResizeQuery(new URLSearchParams("w=500"), listed)).toThrow("w must be one of 150, 300");
  });
});
