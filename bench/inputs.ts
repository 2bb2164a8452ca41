/** What the bench measures on: where things are, the variants, the input images, and child scripts. */
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";
import sharp, { type CreateRaw, type JpegOptions } from "sharp";
import { FIXTURES_DIR } from "../fixtures";
import { DEFAULT_MEMORY_MB } from "../lambda-src/core/contract";
import { progress } from "./report";

/** The repository root (bench/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, "..");


/** Generated inputs, outputs and child scripts; .build/ is git-ignored and survives between runs as a cache. */
export const BENCH_DIR = path.join(REPO_ROOT, ".build", "bench");

/** The default function's memory and a 10 s timeout's deadline (10 s less the 1 s safety margin). */
export const BENCH_BUDGET = { memoryMb: DEFAULT_MEMORY_MB, seconds: 9 } as const;

/** A resize the bench measures: a box and how the image fits it. */
export interface Variant {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fit: "cover" | "inside";
}

/** The seed's two variants, each measured in the three output formats below. */
export const VARIANTS: readonly Variant[] = [
  { name: "150x150 cover", width: 150, height: 150, fit: "cover" },
  { name: "500x700 inside", width: 500, height: 700, fit: "inside" },
];

export const FORMATS = ["webp", "avif", "jpeg"] as const;
export type BenchFormat = (typeof FORMATS)[number];

/** Quality the bench asks for explicitly (the construct's default), so both tools encode at the same q. */
export const BENCH_QUALITY = 80;

/** The URL query the resizer receives for this cell, exactly as in the URL contract. */
export function variantQuery(variant: Variant, format: BenchFormat): URLSearchParams {
  return new URLSearchParams({
    w: String(variant.width),
    h: String(variant.height),
    fit: variant.fit,
    format,
    q: String(BENCH_QUALITY),
  });
}

export const WEBP_500x700 = VARIANTS[1] as Variant;

/**
 * The bench's inputs: the photo-like fixtures, plus 24-megapixel and ~16 MB JPEGs made here from a
 * real fixture (upscaled, with seeded grain so they compress like camera photos, not like smooth
 * gradients). Generated files are cached in .build/bench and are byte-identical between runs for a
 * given sharp version (the grain comes from a seeded PRNG, not from libvips' noise generator).
 */
export interface BenchImage {
  /** Short label for tables. */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly contentType: string;
  /** Real photo from the fixtures, or made by the bench. */
  readonly synthetic: boolean;
}

/**
 * Photo-like fixtures. Left out: p3.png (8x8 pixels), the PNG/GIF/SVG/alpha and broken or
 * pixel-bomb fixtures (not photos), and the other Landscape_/Portrait_ files (same photo as
 * Landscape_1, only the EXIF orientation differs).
 */
export const PHOTO_FIXTURES = [
  "2569067123_aca715a2ee_o.jpg",
  "gain-map.jpg",
  "flowers.jpeg",
  "4.webp",
  "Landscape_1.jpg",
  "Channel_digital_image_CMYK_color.jpg",
] as const;

const SOURCE_PHOTO = "2569067123_aca715a2ee_o.jpg";
const SYNTH_WIDTH = 6000;
const SYNTH_HEIGHT = 4000;
/** Grain amplitude in 8-bit levels: enough texture that JPEG sizes match a real 24 MP camera file. */
const GRAIN = 14;
const GRAIN_SEED = 20261123;
/** Bump when the recipe changes, so stale cached files are not reused. */
const RECIPE = `v1-sharp${sharp.versions.sharp}`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpeg: "image/jpeg",
  webp: "image/webp",
  png: "image/png",
  avif: "image/avif",
  heif: "image/avif",
};

export async function describe(name: string, file: string, synthetic: boolean): Promise<BenchImage> {
  const meta = await sharp(file).metadata();
  const format = meta.format ?? "unknown";
  return {
    name,
    path: file,
    bytes: fs.statSync(file).size,
    width: meta.autoOrient?.width ?? meta.width ?? 0,
    height: meta.autoOrient?.height ?? meta.height ?? 0,
    format,
    contentType: CONTENT_TYPES[format] ?? "application/octet-stream",
    synthetic,
  };
}

export async function photoFixtures(): Promise<BenchImage[]> {
  return Promise.all(PHOTO_FIXTURES.map((file) => describe(file, path.join(FIXTURES_DIR, file), false)));
}

export interface SyntheticInputs {
  /** 6000x4000 baseline JPEG, q90 4:2:0 (a typical camera file). */
  readonly baseline24mp: BenchImage;
  /** The same pixels as a progressive JPEG. */
  readonly progressive24mp: BenchImage;
  /** ~16 MB original for the streaming test: 6000x4000 baseline JPEG, q97 4:4:4. */
  readonly baseline16mb: BenchImage;
  /** The same pixels as a progressive JPEG (about the same size). */
  readonly progressive16mb: BenchImage;
}

interface Recipe {
  readonly key: keyof SyntheticInputs;
  readonly label: string;
  readonly options: JpegOptions;
}

const RECIPES: readonly Recipe[] = [
  { key: "baseline24mp", label: "24MP-baseline.jpg", options: { quality: 90, progressive: false, chromaSubsampling: "4:2:0" } },
  { key: "progressive24mp", label: "24MP-progressive.jpg", options: { quality: 90, progressive: true, chromaSubsampling: "4:2:0" } },
  { key: "baseline16mb", label: "16MB-baseline.jpg", options: { quality: 97, progressive: false, chromaSubsampling: "4:4:4" } },
  { key: "progressive16mb", label: "16MB-progressive.jpg", options: { quality: 97, progressive: true, chromaSubsampling: "4:4:4" } },
];

export async function syntheticInputs(): Promise<SyntheticInputs> {
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const fileFor = (recipe: Recipe): string => path.join(BENCH_DIR, `${recipe.key}-${RECIPE}.jpg`);
  const missing = RECIPES.filter((recipe) => !fs.existsSync(fileFor(recipe)));
  if (missing.length > 0) {
    progress(`making ${missing.map((r) => r.label).join(", ")} from ${SOURCE_PHOTO} (cached in ${BENCH_DIR})`);
    const grained = await grainedPixels();
    for (const recipe of missing) {
      const file = fileFor(recipe);
      const tmp = `${file}.${process.pid}.tmp`;
      await sharp(grained.data, { raw: grained.info })
        .jpeg({ ...recipe.options, optimiseCoding: true, mozjpeg: false })
        .toFile(tmp);
      fs.renameSync(tmp, file);
    }
  }
  const entries = await Promise.all(
    RECIPES.map(async (recipe) => [recipe.key, await describe(recipe.label, fileFor(recipe), true)] as const),
  );
  return Object.fromEntries(entries) as unknown as SyntheticInputs;
}

async function grainedPixels(): Promise<{ data: Buffer; info: CreateRaw }> {
  const { data, info } = await sharp(path.join(FIXTURES_DIR, SOURCE_PHOTO))
    .resize(SYNTH_WIDTH, SYNTH_HEIGHT, { fit: "cover" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const random = seededRandom(GRAIN_SEED);
  for (let i = 0; i < data.length; i += 3) {
    // Mostly luminance grain (shared by the channels) with a little chroma noise, like a sensor.
    const luma = (random() + random() - 1) * GRAIN;
    for (let c = 0; c < 3; c += 1) {
      const value = (data[i + c] as number) + luma + (random() - 0.5) * GRAIN * 0.5;
      data[i + c] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
  return { data, info: { width: info.width, height: info.height, channels: 3 } };
}

/** mulberry32: tiny, fast and good enough for grain; deterministic for a given seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 16x16 JPEG: thumbnailing it costs next to nothing, so a process doing only that measures start-up and exit. */
export async function tinyImage(): Promise<string> {
  const file = path.join(BENCH_DIR, "tiny.jpg");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 90, g: 120, b: 150 } } })
      .jpeg()
      .toFile(file);
  }
  return file;
}

/**
 * Child processes run plain JavaScript bundled by esbuild, not ts-node: loading the TypeScript
 * compiler would add tens of megabytes to the RSS being measured and seconds to start-up.
 */
export function compileChild(entry: string): string {
  const outfile = path.join(BENCH_DIR, "children", `${path.parse(entry).name}.js`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // sharp's native binding must be loaded from node_modules, as the bundle does.
    external: ["sharp"],
    logLevel: "error",
  });
  return outfile;
}
