/**
 * What a variant may cost, decided from the original's header before any pixel is decoded: the memory each
 * format takes to decode and to encode, measured, against the function's memory; and the work libvips cannot
 * stop (sharp's timeout does not reach libheif's AVIF encode, nor one GIF frame's quantization) against the
 * request's time. Pure: the figures below are sharp 0.35.5 / libvips 8.18.7 on x86-64, one libvips thread
 * (SHARP_CONCURRENCY), re-measured by `npm run bench` ("format costs") so that an upgrade that moves them shows.
 */
import { avifQuality, type NegotiatedFormat, type SourceFormat } from "./output";

/** How an original decodes: some encodings let libvips stream or shrink on load, others need the whole frame. */
export type DecodeClass =
  | "jpeg"
  | "jpeg-progressive"
  | "png"
  | "png-interlaced"
  | "webp"
  | "webp-lossless"
  | "gif"
  | "avif"
  | "avif-high-bit-depth";

/**
 * Peak bytes per pixel of one frame while decoding (fitted over 2000² to 10000² originals, plus the largest
 * residual, and at least the bench's slope between 2500² and 5000²). Baseline JPEG and lossy WebP shrink on load (WebP's alpha plane is decoded whole: 1.2 B/px);
 * non-interlaced PNG streams. A progressive JPEG keeps
 * every DCT coefficient, an interlaced PNG, a lossless WebP, a GIF canvas and an AVIF are decoded whole;
 * AVIF at 10 or 12 bits per sample takes a third more than at 8.
 */
export const DECODE_BYTES_PER_PIXEL: Readonly<Record<DecodeClass, number>> = {
  jpeg: 0.15,
  "jpeg-progressive": 3.2,
  png: 0.6,
  "png-interlaced": 3.4,
  webp: 1.3,
  "webp-lossless": 4.1,
  gif: 4.9,
  avif: 19,
  "avif-high-bit-depth": 25.2,
};

/** Copies of the original's bytes held while decoding: the arriving chunks and sharp's buffer (AVIF: four). */
export function fileCopies(decode: DecodeClass): number {
  return decode === "avif" || decode === "avif-high-bit-depth" ? 4 : 2;
}

/**
 * Peak bytes per output pixel of one frame while encoding, on noise (the worst case: a photo takes AVIF 31,
 * WebP 5, JPEG 6, PNG 2). An animation's encoders hold a few frames' canvases besides, and the animation
 * encoded so far (ENCODED_BYTES_PER_PIXEL of every frame).
 */
export const ENCODE_BYTES_PER_PIXEL: Readonly<Record<NegotiatedFormat, { still: number; animated: number }>> = {
  avif: { still: 34.2, animated: 34.2 },
  webp: { still: 19.7, animated: 36 },
  jpeg: { still: 6.5, animated: 6.5 },
  png: { still: 3.2, animated: 3.2 },
  gif: { still: 30, animated: 40 },
};
export const ENCODED_BYTES_PER_PIXEL = 1.5;

/**
 * CPU seconds per pixel of the work libvips' kill flag does not stop (sharp's `timeout` rejects, the thread
 * runs on): one GIF frame's quantization (a 256-colour noise GIF resized) and the AVIF decode (libheif, 10-12
 * bits); the AVIF encode in AVIF_ENCODE_SECONDS_PER_PIXEL. Everything else stops at the timeout, within a tile or frame.
 */
export const UNSTOPPABLE_SECONDS_PER_PIXEL = { gifFrameEncode: 1.3e-6, avifDecode: 6e-8 } as const;

/**
 * The AVIF encode's CPU seconds per pixel by AVIF quality (libaom, effort 1, noise, the worst case: a photo takes
 * an eighth): [AVIF quality, seconds], interpolated. The URL's q=80 is AVIF 50, q=100 is 63 (avifQuality).
 */
export const AVIF_ENCODE_SECONDS_PER_PIXEL: readonly (readonly [number, number])[] = [
  [1, 0.17e-6],
  [25, 0.25e-6],
  [38, 0.55e-6],
  [50, 0.92e-6],
  [56, 1.13e-6],
  [63, 1.4e-6],
];

export function avifEncodeSecondsPerPixel(quality: number): number {
  const q = avifQuality(quality);
  const table = AVIF_ENCODE_SECONDS_PER_PIXEL;
  const upper = table.findIndex(([at]) => at >= q);
  if (upper <= 0) return table[upper === 0 ? 0 : table.length - 1]![1];
  const [q0, s0] = table[upper - 1]!;
  const [q1, s1] = table[upper]!;
  return s0 + ((s1 - s0) * (q - q0)) / (q1 - q0);
}

/** The process before any work: 58 MB measured (Node, sharp, the core), plus Lambda's runtime client and the SDK. */
export const BASE_BYTES = 80 * 2 ** 20;
/** The share of the function's memory a transform may plan to use: the model's error and the allocator's slack. */
export const MEMORY_HEADROOM = 0.85;
/** Lambda: "At 1,769 MB, a function has the equivalent of one vCPU"; libvips runs one thread, so more adds nothing. */
export const ONE_VCPU_MB = 1769;

/** What a request has to work with. */
export interface ResourceBudget {
  /** The function's memory, MB (Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE). */
  readonly memoryMb: number;
  /** The time a request has for its work, seconds (its deadline's length; or what is left of it): bounds the work nothing can stop. */
  readonly seconds: number;
}

/** Bytes a transform may plan to hold at its peak. */
export function workingBytes(memoryMb: number): number {
  return Math.max(0, memoryMb * 2 ** 20 * MEMORY_HEADROOM - BASE_BYTES);
}

/** Lambda allocates CPU in proportion to memory; one thread uses at most one vCPU. */
export function cpuShare(memoryMb: number): number {
  return Math.min(1, memoryMb / ONE_VCPU_MB);
}

/** The decode class from the sniffed format, what the header says (sharp's metadata) and the file's first bytes. */
export function decodeClass(
  format: SourceFormat,
  header: { readonly isProgressive?: boolean; readonly bitsPerSample?: number },
  losslessOrAnimatedWebp: boolean,
): DecodeClass {
  switch (format) {
    case "jpeg":
      return header.isProgressive === true ? "jpeg-progressive" : "jpeg";
    case "png":
      return header.isProgressive === true ? "png-interlaced" : "png";
    case "webp":
      return losslessOrAnimatedWebp ? "webp-lossless" : "webp";
    case "gif":
      return "gif";
    case "avif":
      return (header.bitsPerSample ?? 8) > 8 ? "avif-high-bit-depth" : "avif";
  }
}

const LABELS: Readonly<Record<DecodeClass, string>> = {
  jpeg: "JPEG",
  "jpeg-progressive": "progressive JPEG",
  png: "PNG",
  "png-interlaced": "interlaced PNG",
  webp: "WebP",
  "webp-lossless": "lossless or animated WebP",
  gif: "GIF",
  avif: "AVIF",
  "avif-high-bit-depth": "AVIF of 10-12 bits",
};

/** The original as the model sees it. */
export interface SourceShape {
  readonly decode: DecodeClass;
  readonly width: number;
  /** One frame's height. */
  readonly frameHeight: number;
  readonly fileBytes: number;
}

/** The variant as the model sees it. */
export interface OutputShape {
  readonly format: NegotiatedFormat;
  readonly width: number;
  readonly frameHeight: number;
  /** 1 for a still image. */
  readonly frames: number;
  /** The URL's q, 1..100. */
  readonly quality: number;
}

/** Undefined when affordable, else the short reason for a 413. */
export type Refusal = string | undefined;

export function decodeBytes(source: SourceShape): number {
  return DECODE_BYTES_PER_PIXEL[source.decode] * source.width * source.frameHeight + fileCopies(source.decode) * source.fileBytes;
}

export function encodeBytes(output: OutputShape): number {
  const framePixels = output.width * output.frameHeight;
  const perPixel = ENCODE_BYTES_PER_PIXEL[output.format];
  return output.frames > 1
    ? perPixel.animated * framePixels + ENCODED_BYTES_PER_PIXEL * framePixels * output.frames
    : perPixel.still * framePixels;
}

/** CPU seconds of work that nothing stops once it starts. */
export function unstoppableSeconds(source: SourceShape, output: OutputShape): number {
  const framePixels = output.width * output.frameHeight;
  const decode = source.decode.startsWith("avif") ? UNSTOPPABLE_SECONDS_PER_PIXEL.avifDecode * source.width * source.frameHeight : 0;
  if (output.format === "avif") return decode + avifEncodeSecondsPerPixel(output.quality) * framePixels;
  if (output.format === "gif") return decode + UNSTOPPABLE_SECONDS_PER_PIXEL.gifFrameEncode * framePixels;
  return decode;
}

const mb = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20)} MB`;

/** Refuses an original whose decode alone would not fit the function's memory. */
export function decodeRefusal(source: SourceShape, budget: ResourceBudget): Refusal {
  const need = decodeBytes(source);
  const have = workingBytes(budget.memoryMb);
  if (need <= have) return undefined;
  return `a ${source.width}x${source.frameHeight} ${LABELS[source.decode]} needs about ${mb(need)} to decode; a ${budget.memoryMb} MB function has ${mb(have)} for it (resizer.memorySize)`;
}

/** CPU seconds of the unstoppable work in wall time at this memory's share of a vCPU. */
function unstoppableWallSeconds(source: SourceShape, output: OutputShape, memoryMb: number): number {
  return unstoppableSeconds(source, output) / cpuShare(memoryMb);
}

/**
 * Undefined when the unstoppable work fits the time left; else the reason for a timeout answered at once. The
 * request's whole time is judged by outputRefusal; this is the same work against what a slow download left of it.
 */
export function lateStart(source: SourceShape, output: OutputShape, left: ResourceBudget): Refusal {
  const seconds = unstoppableWallSeconds(source, output, left.memoryMb);
  if (seconds <= left.seconds) return undefined;
  return `the original arrived late: its ${output.format.toUpperCase()} variant needs about ${seconds.toFixed(1)} s, ${left.seconds.toFixed(1)} s were left`;
}

/** Refuses a variant whose decode and encode together would not fit, or whose unstoppable work would outlast the request. */
export function outputRefusal(source: SourceShape, output: OutputShape, budget: ResourceBudget): Refusal {
  const size = `${output.width}x${output.frameHeight}${output.frames > 1 ? ` x${output.frames} frames` : ""}`;
  const need = decodeBytes(source) + encodeBytes(output);
  const have = workingBytes(budget.memoryMb);
  if (need > have) {
    return `a ${size} ${output.format.toUpperCase()} variant of this original needs about ${mb(need)}; a ${budget.memoryMb} MB function has ${mb(have)} for it (resizer.memorySize)`;
  }
  const seconds = unstoppableWallSeconds(source, output, budget.memoryMb);
  if (seconds > budget.seconds) {
    return `a ${size} ${output.format.toUpperCase()} variant may take ${seconds.toFixed(1)} s at ${budget.memoryMb} MB (${cpuShare(budget.memoryMb).toFixed(2)} vCPU), past the ${budget.seconds.toFixed(1)} s a request has; ask a smaller one or raise resizer.memorySize`;
  }
  return undefined;
}

/**
 * sharp's timeout for work that must end by `stopBy` (epoch ms): whole seconds from when the pipeline starts, at
 * least one (sharp's smallest; zero would mean none).
 */
export function sharpTimeoutSeconds(stopBy: number): number {
  return Math.max(1, Math.ceil((stopBy - Date.now()) / 1000));
}
