/**
 * `npm run bench`: speed, size and memory of the resizer against the design targets.
 * Prints progress, then tables, then a PASS / MISS summary. A report, not a test: it exits 0
 * whatever the numbers, and non-zero only when something crashed.
 *
 * Knobs (environment): BENCH_RUNS timed runs per cell (default 5, after 1 warm-up);
 * BENCH_ONLY=core,vips,streaming,rss,formats,facts,crops,bundle to run some sections (vips needs core and runs it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import * as core from "../lambda-src/core";
import * as bundleBuilder from "../modules/bundle/build";
import { parseCommandLine, runCommand } from "../modules/cli/command-line";
import { cropsSection } from "./crops";
import { factsSection } from "./facts";
import { formatCostsSection } from "./format-costs";
import { BENCH_DIR, FORMATS, photoFixtures, syntheticInputs, tinyImage, VARIANTS, WEBP_500x700, type BenchFormat, type BenchImage, type SyntheticInputs, type Variant } from "./inputs";
import { fixed, kb, mb, mean, MB, median, p95, percent, printTable, progress, ratio, section, Targets } from "./report";
import { measureBundle, measureCore, measureModuleLoad, measurePeakRss, unzip, type Architecture, type BundleSize, type CellResult, type Core, type SharpSettings } from "./resizer";
import type { RssChildReport } from "./rss-child";
import { bufferedPassthrough, measureStreaming, ORIGIN_BYTES_PER_SECOND, startThrottledOrigin, streamThroughHandler } from "./streaming";
import { measureSet, VipsReference, vipsthumbnailVersion, VIPS_INSTALL_HINT, type VipsCellResult } from "./vips";

const RUNS = positiveInteger("BENCH_RUNS", process.env.BENCH_RUNS ?? "5");
const WARMUPS = 1;
/** vipsthumbnail samples per cell (taken after the first core runs) and whole-set runs per variant and format. */
const VIPS_RUNS = 3;
const VIPS_WORK_DIR = path.join(BENCH_DIR, "vips");
/** Copies of one image in a per-image vipsthumbnail process (its marginal time is (total - start-up) / copies). */
const VIPS_COPIES = 2;
const STREAMING_RUNS = 5;
const RSS_RESIZES = 20;
const LOAD_RUNS = 7;

const TARGET_VIPS_RATIO = 1.0;
const TARGET_RANGED_RATIO = 0.6;
/** Streaming a 50 MB original must stay this far below the function's default memory. */
const TARGET_STREAM_RSS_MB = 384;
const DEFAULT_MEMORY_MB = 512;
const TARGET_AVIF_RATIO = 2.0;
const TARGET_SAVED_PERCENT = 99;
const TARGET_RSS_MB = 300;
const TARGET_ZIP_MB = 12;
const TARGET_LOAD_MS = 200;

const SECTIONS = ["core", "vips", "streaming", "rss", "formats", "facts", "crops", "bundle"] as const;
type Section = (typeof SECTIONS)[number];
const only = new Set((process.env.BENCH_ONLY ?? SECTIONS.join(",")).split(",").map((name) => name.trim()));
const wanted = (name: Section): boolean => only.has(name) || (name === "core" && only.has("vips"));

const targets = new Targets();

const USAGE = `usage: npm run bench   (no flags; knobs in the environment)
  Speed, size and memory of the resizer against the design targets: prints tables, then PASS / MISS per target.
  A report, not a test: exit 0 whatever the numbers, 1 when something crashed.
  BENCH_RUNS=N                timed runs per cell (default 5, after 1 warm-up)
  BENCH_ONLY=core,vips,...    only these sections: ${SECTIONS.join(", ")} (vips runs core too)`;

async function main(): Promise<number> {
  const started = Date.now();
  console.log(`resizer bench: node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${os.cpus().length} CPUs, ${RUNS} timed runs per cell after ${WARMUPS} warm-up`);
  console.log("Timings are wall-clock; on a shared machine they are only as quiet as the machine.");

  section("Inputs");
  const photos = await photoFixtures();
  const synthetic = await syntheticInputs();
  const images = [...photos, synthetic.baseline24mp, synthetic.progressive24mp];
  printInputs([...images, synthetic.baseline16mb, synthetic.progressive16mb]);

  core.configureSharp();
  console.log(`\nProduction sharp settings (configureSharp): concurrency ${sharp.concurrency()}, cache ${JSON.stringify(sharp.cache())}`);
  await coreSections(core, images, synthetic);

  if (wanted("formats")) {
    section("Format costs: the resizer's cost model re-measured (lambda-src/core/limits.ts)");
    await formatCostsSection(targets);
  }
  if (wanted("facts")) {
    section("Image facts: header, one thumbnail, ThumbHash (lambda-src/core/facts.ts)");
    await factsSection(images, RUNS, WARMUPS);
  }
  if (wanted("crops")) {
    section("Content-aware crops: pos=attention|entropy and a focal point against a centre crop");
    await cropsSection(images, RUNS, WARMUPS);
  }
  if (wanted("bundle")) bundleSection();

  section("Summary");
  targets.print();
  console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

async function coreSections(core: Core, images: readonly BenchImage[], synthetic: SyntheticInputs): Promise<void> {
  if (wanted("core")) {
    const vips = wanted("vips") ? await prepareVips(images.length) : undefined;
    section("Core: transformImage from a file stream");
    if (vips !== undefined) console.log(`(vipsthumbnail samples are taken between the core's runs of each cell, so both see the same machine load)`);
    const rssBefore = process.memoryUsage.rss();
    const cells = await measureCore(core, images, {
      warmups: WARMUPS,
      runs: RUNS,
      afterRun: (image, variant, format, run) => {
        if (vips !== undefined && run < VIPS_RUNS) vips.sample(image, variant, format);
      },
    });
    printCoreTable(cells, rssBefore);

    if (vips !== undefined) {
      section("vipsthumbnail reference");
      vipsComparison(cells, images, vips);
    }

    section("AVIF vs WebP, bytes saved");
    avifAndSavings(cells, images);
  }
  if (wanted("streaming")) {
    section("Streaming a big original from a throttled origin");
    await streamingSection(core, [synthetic.baseline16mb, synthetic.progressive16mb]);
  }
  if (wanted("rss")) {
    section("Peak RSS over consecutive 24 MP resizes (fresh child process)");
    rssSection(synthetic.progressive24mp);
  }
}

function printInputs(images: readonly BenchImage[]): void {
  printTable(
    "Inputs (photo-like fixtures, plus JPEGs made by the bench from 2569067123_aca715a2ee_o.jpg, upscaled with seeded grain)",
    ["image", "format", "pixels", "MP", "bytes"],
    images.map((image) => [image.name, image.format, `${image.width}x${image.height}`, fixed((image.width * image.height) / 1e6), image.bytes]),
    2,
  );
}

function printCoreTable(cells: readonly CellResult[], rssBefore: number): void {
  printTable(
    `Core (production settings; ${RUNS} runs per cell; peak RSS sampled in this process while the cell ran, from ${mb(rssBefore, 0)} MB before the first cell with ts-node loaded)`,
    ["image", "variant", "format", "median ms", "p95 ms", "output", "out bytes", "saved", "peak RSS MB"],
    cells.map((cell) => [
      cell.image.name,
      cell.variant.name,
      cell.format,
      fixed(median(cell.samples)),
      fixed(p95(cell.samples)),
      `${cell.outputWidth}x${cell.outputHeight}`,
      cell.outputBytes,
      percent(savedPercent(cell), 2),
      mb(cell.peakRss, 0),
    ]),
    3,
  );
}

function savedPercent(cell: CellResult): number {
  return 100 * (1 - cell.outputBytes / cell.image.bytes);
}

/** The vipsthumbnail reference, or undefined (with install instructions printed) when it is not installed. */
async function prepareVips(setSize: number): Promise<VipsReference | undefined> {
  const version = vipsthumbnailVersion();
  if (version === undefined) {
    console.log(`\nvipsthumbnail is not installed: the comparison is skipped. Install it with:\n  ${VIPS_INSTALL_HINT}`);
    targets.skip(`core <= ${TARGET_VIPS_RATIO}x vipsthumbnail amortized, per image`, "vipsthumbnail missing");
    return undefined;
  }
  const threads = sharp.concurrency();
  console.log(`\nReference: ${version} (Debian's libvips; sharp ships its own ${sharp.versions.vips}), ${threads} thread(s) like the core.`);
  return new VipsReference({ workDir: VIPS_WORK_DIR, tinyImage: await tinyImage(), copies: VIPS_COPIES, threads }, setSize);
}

function vipsComparison(cells: readonly CellResult[], images: readonly BenchImage[], vips: VipsReference): void {
  const startupMs = vips.startupMs();
  console.log(`vipsthumbnail start-up and exit: ${fixed(startupMs)} ms (median, a process thumbnailing a 16x16 image)`);
  const ratios: number[] = [];
  const rows = cells.map((cell) => {
    const reference = vips.result(cell.image, cell.variant, cell.format) as VipsCellResult;
    const ours = median(cell.samples);
    ratios.push(ours / reference.amortizedMs);
    return [
      cell.image.name,
      cell.variant.name,
      cell.format,
      fixed(ours),
      fixed(reference.amortizedMs),
      ratio(ours / reference.amortizedMs),
      cell.outputBytes,
      reference.outputBytes,
    ];
  });
  printTable(
    `Per image: core median vs vipsthumbnail amortized = (process with the image x${VIPS_COPIES} - tiny-image process) / ${VIPS_COPIES} + start-up / ${images.length} images; median of ${VIPS_RUNS}`,
    ["image", "variant", "format", "core ms", "vips ms", "core/vips", "core bytes", "vips bytes"],
    rows,
    3,
  );

  const threads = sharp.concurrency();
  const setRows = VARIANTS.flatMap((variant) =>
    FORMATS.map((format) => {
      const set = measureSet(images, variant, format, VIPS_WORK_DIR, VIPS_RUNS, threads);
      progress(`vipsthumbnail: ${variant.name} ${format}: whole set ${fixed(median(set.setSamples), 0)} ms for ${set.count} images`);
      const ourMean = mean(
        cells.filter((cell) => cell.variant === variant && cell.format === format).map((cell) => median(cell.samples)),
      );
      return [variant.name, format, fixed(ourMean), fixed(set.perImageMs), ratio(ourMean / set.perImageMs), fixed(median(set.setSamples), 0)];
    }),
  );
  printTable(
    `Whole set: one vipsthumbnail process over all ${images.length} images (total / count, median of ${VIPS_RUNS} runs, measured after the core) vs the core's mean of per-image medians`,
    ["variant", "format", "core ms/image", "vips ms/image", "core/vips", "vips total ms"],
    setRows,
    2,
  );
  console.log(
    [
      "Same on both sides: output size and centre crop, format, quality (AVIF through the core's q mapping), effort, chroma",
      "subsampling, bit depth, thread count, no enlargement. Differences not removed: different libvips builds (sharp's",
      "bundled one vs Debian's 8.14.1, with different SIMD paths and codec versions); Debian's 8.14.1 keeps EXIF/XMP in WebP",
      "despite strip (bytes, not time); the core also sniffs the input, passes it through a byte-limit guard, checks the",
      "pixel limit and applies EXIF orientation and sRGB conversion (vipsthumbnail also auto-rotates and exports sRGB).",
    ].join("\n"),
  );
  const medianRatio = median(ratios);
  targets.record(
    `core <= ${TARGET_VIPS_RATIO}x vipsthumbnail amortized, per image`,
    `median ratio ${ratio(medianRatio)} (range ${ratio(Math.min(...ratios))}..${ratio(Math.max(...ratios))}, ${ratios.length} cells)`,
    medianRatio <= TARGET_VIPS_RATIO,
  );
}

function avifAndSavings(cells: readonly CellResult[], images: readonly BenchImage[]): void {
  const find = (image: BenchImage, variant: Variant, format: BenchFormat): CellResult =>
    cells.find((cell) => cell.image === image && cell.variant === variant && cell.format === format) as CellResult;
  const avifRatios: number[] = [];
  const rows = images.map((image) => {
    const avif = find(image, WEBP_500x700, "avif");
    const webp = find(image, WEBP_500x700, "webp");
    const timeRatio = median(avif.samples) / median(webp.samples);
    avifRatios.push(timeRatio);
    return [
      image.name,
      fixed(median(webp.samples)),
      fixed(median(avif.samples)),
      ratio(timeRatio),
      kb(webp.outputBytes),
      kb(avif.outputBytes),
      percent(savedPercent(webp), 2),
      percent(savedPercent(avif), 2),
    ];
  });
  printTable(
    "500x700 inside: AVIF vs WebP",
    ["image", "webp ms", "avif ms", "avif/webp", "webp KiB", "avif KiB", "webp saved", "avif saved"],
    rows,
  );
  const medianAvif = median(avifRatios);
  targets.record(
    `AVIF <= ${TARGET_AVIF_RATIO}x WebP time (500x700)`,
    `median ${ratio(medianAvif)} (max ${ratio(Math.max(...avifRatios))})`,
    medianAvif <= TARGET_AVIF_RATIO,
  );

  const savings = cells.filter((cell) => cell.format !== "jpeg");
  const short = savings.filter((cell) => savedPercent(cell) < TARGET_SAVED_PERCENT);
  const worst = savings.reduce((a, b) => (savedPercent(a) <= savedPercent(b) ? a : b));
  printTable(
    `Bytes saved under ${TARGET_SAVED_PERCENT} % (WebP and AVIF, both variants): ${short.length} of ${savings.length} cells`,
    ["image", "variant", "format", "original bytes", "out bytes", "saved"],
    short.map((cell) => [cell.image.name, cell.variant.name, cell.format, cell.image.bytes, cell.outputBytes, percent(savedPercent(cell), 2)]),
    3,
  );
  targets.record(
    `bytes saved >= ${TARGET_SAVED_PERCENT} % (photos, both variants, WebP and AVIF)`,
    `min ${percent(savedPercent(worst), 2)} (${worst.image.name} ${worst.variant.name} ${worst.format}); ${savings.length - short.length}/${savings.length} cells reach it`,
    short.length === 0,
  );
}

async function streamingSection(core: Core, originals: readonly BenchImage[]): Promise<void> {
  const origin = await startThrottledOrigin(BENCH_DIR, ORIGIN_BYTES_PER_SECOND);
  try {
    console.log(`origin: ${origin.baseUrl}, paced at ${mb(ORIGIN_BYTES_PER_SECOND, 0)} MiB/s per connection; 500x700 inside WebP`);
    const result = await measureStreaming(core, origin, originals, { warmups: WARMUPS, runs: STREAMING_RUNS });
    printTable(
      `Streamed vs download-then-resize (median and p95 of ${STREAMING_RUNS} runs)`,
      ["image", "mode", "median ms", "p95 ms"],
      result.rows.map((row) => [
        `${row.image.name} (${mb(row.image.bytes)} MiB, ${row.image.width}x${row.image.height})`,
        row.compared ? row.mode : `(context) ${row.mode}`,
        fixed(median(row.samples), 0),
        fixed(p95(row.samples), 0),
      ]),
      2,
    );
    for (const [image, value] of result.ratios) {
      const ideal = result.idealRatios.get(image) ?? NaN;
      console.log(`${image.name}: ranged / download-then-resize = ${ratio(value)} (the floor, max(download, resize) / download-then-resize, is ${ratio(ideal)})`);
    }
    console.log(
      [
        "Why ranges: sharp collects a Stream input in memory and starts decoding only at the stream's end, so bytes",
        "arriving early cannot overlap with decoding; what cuts the wall time is more transfer bandwidth, several",
        "connections at once where the origin paces each one, as S3 does. The production path fetches originals over",
        "4 MiB in parallel 4 MiB-plus ranges (up to 8) before resizing; a passthrough streams as one download.",
      ].join("\n"),
    );
    const worst = Math.max(...result.ratios.values());
    const detail = [...result.ratios].map(([image, value]) => `${image.name} ${ratio(value)}`).join(", ");
    targets.record(`ranged fetch <= ${TARGET_RANGED_RATIO}x download-then-resize (16 MB)`, detail, worst <= TARGET_RANGED_RATIO);
    await passthroughRows(origin);
  } finally {
    origin.close();
  }
}

/** The function URL's passthrough, streamed against buffered, and the peak RSS of streaming 50 MB. */
async function passthroughRows(origin: Awaited<ReturnType<typeof startThrottledOrigin>>): Promise<void> {
  const file20 = path.join(BENCH_DIR, "passthrough-20mb.bin");
  const file50 = path.join(BENCH_DIR, "passthrough-50mb.bin");
  for (const [file, size] of [[file20, 20], [file50, 50]] as const) {
    if (!fs.existsSync(file) || fs.statSync(file).size !== size * MB) fs.writeFileSync(file, crypto.randomBytes(size * MB));
  }
  const streamed = Array.from({ length: STREAMING_RUNS }, () => streamThroughHandler(origin, file20));
  const buffered: number[] = [];
  for (let i = 0; i < STREAMING_RUNS; i += 1) buffered.push(await bufferedPassthrough(origin, file20));
  printTable(
    `20 MiB original passed through (the function URL's streamed handler in a fresh child; ${STREAMING_RUNS} runs, origin paced at ${mb(ORIGIN_BYTES_PER_SECOND, 0)} MiB/s)`,
    ["mode", "time to first byte ms", "total ms"],
    [
      ["streamed (production)", fixed(median(streamed.map((r) => r.ttfbMs)), 0), fixed(median(streamed.map((r) => r.totalMs)), 0)],
      ["buffered (all in before a byte goes out)", fixed(median(buffered), 0), fixed(median(buffered), 0)],
    ],
  );
  const big = streamThroughHandler(origin, file50);
  const rssMb = big.maxRssBytes / MB;
  console.log(`streaming ${mb(big.bytes, 0)} MiB: peak RSS ${fixed(rssMb, 0)} MB of the function's ${DEFAULT_MEMORY_MB} MB`);
  targets.record(`peak RSS streaming a 50 MB original <= ${TARGET_STREAM_RSS_MB} MB (of ${DEFAULT_MEMORY_MB})`, `${fixed(rssMb, 0)} MB`, rssMb <= TARGET_STREAM_RSS_MB);
}

interface RssRun {
  readonly label: string;
  readonly settings: SharpSettings;
  readonly env: Readonly<Record<string, string>>;
  /** Fresh children: the peak varies from child to child with allocator timing, so the target takes the worst. */
  readonly children: number;
}

const RSS_RUNS: readonly RssRun[] = [
  { label: "production (configureSharp)", settings: "production", env: {}, children: 3 },
  { label: "sharp defaults", settings: "default", env: {}, children: 1 },
  // glibc's per-thread malloc arenas fragment under libvips; capping them is a function env setting away.
  { label: "(context) production + MALLOC_ARENA_MAX=2", settings: "production", env: { MALLOC_ARENA_MAX: "2" }, children: 1 },
];

function rssSection(image: BenchImage): void {
  const rows = RSS_RUNS.map((run) => {
    progress(`RSS: ${run.children} child(ren), each ${RSS_RESIZES} x ${image.name} -> 500x700 webp, ${run.label}`);
    const reports = Array.from({ length: run.children }, () => measurePeakRss(image, run.settings, RSS_RESIZES, run.env));
    return { run, reports, worst: Math.max(...reports.map((report) => report.maxRssBytes)) };
  });
  printTable(
    `Peak RSS (VmHWM of the child), ${RSS_RESIZES} consecutive resizes of ${image.name} (${image.width}x${image.height}) to 500x700 WebP`,
    ["sharp settings", "concurrency", "cache", "RSS before MB", "peak RSS MB (worst child)", "each child MB"],
    rows.map(({ run, reports, worst }) => {
      const first = reports[0] as RssChildReport;
      return [
        run.label,
        first.concurrency,
        `${first.cache.memory.max} MB / ${first.cache.files.max} files / ${first.cache.items.max} items`,
        mb(first.rssBeforeBytes, 0),
        mb(worst, 0),
        reports.map((report) => mb(report.maxRssBytes, 0)).join(", "),
      ];
    }),
    3,
  );
  const production = rows[0];
  if (production !== undefined) {
    const peakMb = production.worst / MB;
    targets.record(
      `peak RSS <= ${TARGET_RSS_MB} MB (${RSS_RESIZES} x 24 MP progressive)`,
      `${fixed(peakMb, 0)} MB (worst of ${production.reports.length} children)`,
      peakMb <= TARGET_RSS_MB,
    );
  }
}

function bundleSection(): void {
  section("Lambda bundle");
  const builder = bundleBuilder;
  const sizes: BundleSize[] = [];
  for (const architecture of ["arm64", "x86_64"] as const satisfies readonly Architecture[]) {
    progress(`building the ${architecture} bundle`);
    sizes.push(measureBundle(builder, architecture));
  }
  printTable(
    "Bundle zip per architecture",
    ["architecture", "zip MiB", "zip bytes", "build ms (the builder caches)"],
    sizes.map((size) => [size.architecture, mb(size.sizeBytes, 2), size.sizeBytes, fixed(size.buildMs, 0)]),
  );
  const largest = Math.max(...sizes.map((size) => size.sizeBytes));
  targets.record(
    `bundle zip <= ${TARGET_ZIP_MB} MB per architecture`,
    sizes.map((size) => `${size.architecture} ${mb(size.sizeBytes, 2)} MiB`).join(", "),
    largest <= TARGET_ZIP_MB * MB,
  );

  const x86 = sizes.find((size) => size.architecture === "x86_64") as BundleSize;
  const unpacked = path.join(BENCH_DIR, "bundle-x86_64");
  unzip(x86.zipPath, unpacked);
  progress(`loading ${unpacked}/index.js in ${LOAD_RUNS} fresh node processes`);
  const load = measureModuleLoad(unpacked, path.join(unpacked, "index.js"), LOAD_RUNS);
  const sharpOnly = measureModuleLoad(unpacked, path.join(unpacked, "node_modules", "sharp"), LOAD_RUNS);
  printTable(
    `Module load from the unpacked x86_64 bundle (fresh node process each, ${LOAD_RUNS} runs)`,
    ["measure", "median ms", "p95 ms"],
    [
      ["require(index.js), timed inside the process", fixed(median(load.samples)), fixed(p95(load.samples))],
      ["  whole process, spawn to exit (node start-up included)", fixed(median(load.processSamples)), fixed(p95(load.processSamples))],
      ["(context) require(node_modules/sharp) alone", fixed(median(sharpOnly.samples)), fixed(p95(sharpOnly.samples))],
    ],
  );
  console.log(`exports.handler is a ${load.handlerType}`);
  const loadMs = median(load.samples);
  targets.record(`handler module load <= ${TARGET_LOAD_MS} ms (x86_64 bundle)`, `${fixed(loadMs)} ms median`, loadMs <= TARGET_LOAD_MS && load.handlerType === "function");
}

function positiveInteger(name: string, raw: string): number {
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

void runCommand("bench", USAGE, process.argv.slice(2), async (argv) => {
  parseCommandLine(argv, {});
  return main();
}, "npm run bench -- --help").then((code) => {
  process.exitCode = code;
});
