/**
 * Runs one variant through sharp: identify, decode under limits, orient, resize, encode.
 * The output is buffered (variants are small) so that every failure, decode errors included,
 * is known before the adapter starts a response and can become a clean 413/415/422.
 */
import { pipeline } from "node:stream";
import sharp, { type Metadata, type Sharp } from "sharp";
import { IMAGE_FORMATS, OTHER_ANSWERS, variantCacheControl, variantVary, type ResizerConfig } from "./contract";
import { factsBody, imageFacts } from "./facts";
import { httpError } from "./errors";
import { decodeFailure, FAIL_ON, InputGuard, webpDecodesWhole } from "./input";
import { decodeClass, decodeRefusal, lateStart, outputRefusal, sharpTimeoutSeconds, type OutputShape, type ResourceBudget, type SourceShape } from "./limits";
import { encode, negotiateFormat, type AcceptedFormats, type NegotiatedFormat, type SourceFormat } from "./output";
import type { ResizeRequest } from "./params";
import { planResize, type ResizePlan, type Size } from "./plan";

export interface TransformContext {
  /** The formats the viewer takes, for `format=auto` (the edge's token, or a parsed Accept header). */
  accepted: AcceptedFormats;
  /** The origin's Content-Type: an SVG claim is refused even before sniffing. */
  sourceContentType?: string;
  config: ResizerConfig;
  /** The function's memory and the request's time: what the variant may cost (see limits.ts). */
  budget: ResourceBudget;
  /** When libvips' work is stopped (sharp's timeout, whole seconds from the render's start): the request's deadline, epoch ms. */
  stopBy?: number;
}

export interface TransformResult {
  body: Buffer;
  contentType: string;
  headers: Record<string, string>;
}

/**
 * Whether every frame is loaded and kept: an animation made into a format that animates, unless the request turns
 * it a quarter or mirrors it top to bottom, which sharp does to still images only (its rotate and flip docs): those
 * variants are the first frame.
 */
function keepsAllFrames(source: SourceFormat, output: NegotiatedFormat, request: ResizeRequest): boolean {
  const stillOnly = request.flip === true || request.flop === true || request.rotate === 90 || request.rotate === 270;
  return IMAGE_FORMATS[source].animated && IMAGE_FORMATS[output].animated && !stillOnly;
}
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };

/**
 * Consumes `input` (and destroys it on failure). Rejects with an HttpError for 413/415/422; an
 * error of the input stream itself is rejected as is (an origin failure: the adapter's 502).
 */
export async function transformImage(
  input: NodeJS.ReadableStream,
  request: ResizeRequest,
  ctx: TransformContext,
): Promise<TransformResult> {
  const guard = new InputGuard(ctx.config.maxInputBytes);
  // pipeline() hands the input's error to the guard and destroys the input on a refusal: nothing waits forever.
  pipeline(input, guard, () => undefined);
  if (isSvgContentType(ctx.sourceContentType)) guard.destroy(httpError("UnsupportedMediaType", "SVG is not resized"));

  const sourceFormat = await guard.sourceFormat;
  if (request.format === OTHER_ANSWERS.facts.format) return factsAnswer(guard, ctx);
  const format = request.format === "auto" ? negotiateFormat(ctx.accepted, sourceFormat) : request.format;
  const decoder = sharp({
    failOn: FAIL_ON,
    limitInputPixels: ctx.config.maxInputPixels,
    // All frames only when the output keeps them; the pixel limit then counts every frame, as memory does.
    animated: keepsAllFrames(sourceFormat, format, request),
  });
  // Piped as it arrives, so the byte limit aborts mid-download; sharp needs the whole file before it
  // decodes anyway, so collecting it ourselves first would only add a second copy.
  guard.pipe(decoder);
  const encoded = render(decoder, guard, { request, format, sourceFormat, ctx }).catch((error: unknown) =>
    Promise.reject(decodeFailure(error, ctx.config.maxInputPixels)),
  );
  try {
    const { body, format: made } = await Promise.race([encoded, guard.failure]);
    return { body, contentType: IMAGE_FORMATS[made].mime, headers: variantHeaders(request.format === "auto", ctx.config) };
  } catch (error) {
    encoded.catch(() => undefined);
    decoder.destroy();
    throw error;
  }
}

/**
 * `format=json`: the original's facts (facts.ts), cached like a variant. The whole original is collected (facts need
 * its bytes), under the same byte limit, and counted as render work while the one thumbnail is made.
 */
async function factsAnswer(guard: InputGuard, ctx: TransformContext): Promise<TransformResult> {
  const original = Buffer.concat(await Promise.race([guard.toArray() as Promise<Buffer[]>, guard.failure]));
  const facts = await tracked(imageFacts(original, { maxInputBytes: ctx.config.maxInputBytes, maxInputPixels: ctx.config.maxInputPixels, budget: ctx.budget, stopBy: ctx.stopBy }));
  // Cached like a variant; no Vary: the facts depend on neither Accept nor client hints.
  return { body: Buffer.from(factsBody(facts)), contentType: OTHER_ANSWERS.facts.mime, headers: { "Cache-Control": variantCacheControl(ctx.config) } };
}

let rendersInFlight = 0;

/**
 * Pixel work (decode, resize, encode) started and not yet settled, this request's or an earlier one's: after a
 * deadline answer, work still running is what the adapters end the container for (shared/container.ts).
 */
export function renderWorkInFlight(): number {
  return rendersInFlight;
}

function tracked<T>(work: Promise<T>): Promise<T> {
  rendersInFlight += 1;
  return work.finally(() => (rendersInFlight -= 1));
}

interface RenderJob {
  readonly request: ResizeRequest;
  /** The negotiated (or asked) format; `format=auto` may fall back from AVIF to WebP when AVIF is unaffordable. */
  readonly format: NegotiatedFormat;
  readonly sourceFormat: SourceFormat;
  readonly ctx: TransformContext;
}

async function render(decoder: Sharp, guard: InputGuard, job: RenderJob): Promise<{ body: Buffer; format: NegotiatedFormat }> {
  // The header alone: pixel bombs stop here (limitInputPixels applies), before any pixel is decoded. sharp has the
  // whole file by now, so the guard has counted every byte.
  const meta = await decoder.metadata();
  const frame = rotatedSize(uprightFrameSize(meta), job.request.rotate);
  const source: SourceShape = {
    decode: decodeClass(job.sourceFormat, meta, job.sourceFormat === "webp" && webpDecodesWhole(guard.sniffedHead)),
    width: meta.width,
    frameHeight: meta.pageHeight ?? meta.height,
    fileBytes: guard.bytesIn,
  };
  const refused = decodeRefusal(source, job.ctx.budget);
  if (refused !== undefined) throw httpError("PayloadTooLarge", refused);

  const plan = planResize(frame, job.request);
  const out = plan ?? frame;
  // sharp's `pages` counts the frames only when they were all loaded (animated output).
  const frames = keepsAllFrames(job.sourceFormat, job.format, job.request) ? (meta.pages ?? 1) : 1;
  const size = { width: out.width, frameHeight: out.height, frames, quality: job.request.quality };
  // Against the request's whole time: the same original and variant always get the same format or 413 (cacheable).
  const format = affordableFormat(job, source, size, job.ctx.budget);
  // Against the time left after the download: a slow store makes this one request late, so it answers the timeout
  // now rather than start work nothing could stop before the deadline.
  const late = lateStart(source, { format, ...size }, timeLeft(job.ctx));
  if (late !== undefined) throw httpError("Timeout", late);

  // Upright output whatever the EXIF orientation; the tag itself goes with the rest of the metadata. Then the
  // request's own rotation and mirrors, before the resize: w and h are the rotated output's.
  let image = decoder.autoOrient();
  const { request } = job;
  // sharp mirrors before it rotates (its flip and flop docs); a quarter turn makes a mirror after it the other
  // mirror before it, so the contract's order (rotate, then flip, then flop) holds.
  const quarter = request.rotate === 90 || request.rotate === 270;
  if (quarter ? request.flop : request.flip) image = image.flip();
  if (quarter ? request.flip : request.flop) image = image.flop();
  if (request.rotate !== undefined) image = image.rotate(request.rotate);
  const background = request.background ?? (format === "jpeg" ? WHITE : TRANSPARENT);
  if (plan !== undefined) image = resized(image, frame, plan, request, background);
  if (request.blur !== undefined) image = image.blur(request.blur);
  if (request.sharpen !== undefined) image = image.sharpen({ sigma: request.sharpen });
  // JPEG has no alpha: composite on the background (white unless bg says otherwise) rather than sharp's black.
  if (format === "jpeg") image = image.flatten({ background: request.background ?? WHITE });
  image = encode(image, format, job.request.quality);
  // libvips' kill flag stops decoding, resizing and most encoders at the deadline (not libheif's AVIF encode).
  if (job.ctx.stopBy !== undefined) image = image.timeout({ seconds: sharpTimeoutSeconds(job.ctx.stopBy) });
  return { body: await tracked(image.toBuffer()), format };
}

/**
 * The format the variant is made in: the asked or negotiated one when it fits the function's memory and time;
 * for `format=auto`, WebP instead of an unaffordable AVIF (every AVIF browser takes WebP); else a 413 with the reason.
 */
function affordableFormat(job: RenderJob, source: SourceShape, size: Omit<OutputShape, "format">, budget: ResourceBudget): NegotiatedFormat {
  const refusal = outputRefusal(source, { format: job.format, ...size }, budget);
  if (refusal === undefined) return job.format;
  if (job.request.format === "auto" && job.format === "avif" && outputRefusal(source, { format: "webp", ...size }, budget) === undefined) return "webp";
  throw httpError("PayloadTooLarge", refusal);
}

/** The budget as the encode starts: the download has spent part of the request's time. */
function timeLeft(ctx: TransformContext): ResourceBudget {
  if (ctx.stopBy === undefined) return ctx.budget;
  return { ...ctx.budget, seconds: Math.min(ctx.budget.seconds, Math.max(0, (ctx.stopBy - Date.now()) / 1000)) };
}

/**
 * The resize: planResize's size exactly. A cover crop keeps what `pos` names (libvips' attention or entropy
 * strategy, or a gravity) or, with a focal point, is cut around it: resized to cover the box, then the box
 * extracted as centred on the point as the edges allow.
 */
function resized(image: Sharp, frame: Size, plan: ResizePlan, request: ResizeRequest, background: string | typeof WHITE): Sharp {
  // planResize never enlarges; withoutEnlargement keeps sharp from doing so should a plan ever disagree.
  if (plan.fit !== "cover" || request.focal === undefined) {
    return image.resize({ ...plan, position: request.position ?? "centre", withoutEnlargement: true, background });
  }
  const scale = Math.max(plan.width / frame.width, plan.height / frame.height);
  const cover = { width: Math.max(plan.width, Math.round(frame.width * scale)), height: Math.max(plan.height, Math.round(frame.height * scale)) };
  const around = (at: number, whole: number, part: number): number => Math.min(whole - part, Math.max(0, Math.round(at * whole - part / 2)));
  return image
    .resize({ ...cover, fit: "fill", withoutEnlargement: true })
    .extract({ left: around(request.focal.x, cover.width, plan.width), top: around(request.focal.y, cover.height, plan.height), width: plan.width, height: plan.height });
}

/** The size after the request's rotation: a quarter turn swaps the sides. */
function rotatedSize(size: Size, rotate: ResizeRequest["rotate"]): Size {
  return rotate === 90 || rotate === 270 ? { width: size.height, height: size.width } : size;
}

/** One frame's size as displayed: EXIF orientations 5-8 swap the sides. */
function uprightFrameSize(meta: Metadata): Size {
  const frameHeight = meta.pageHeight ?? meta.height;
  return (meta.orientation ?? 1) >= 5
    ? { width: frameHeight, height: meta.width }
    : { width: meta.width, height: frameHeight };
}

function variantHeaders(negotiated: boolean, config: ResizerConfig): Record<string, string> {
  const headers: Record<string, string> = { "Cache-Control": variantCacheControl(config) };
  const vary = variantVary(negotiated, config);
  if (vary !== undefined) headers["Vary"] = vary;
  return headers;
}

function isSvgContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*image\/svg\+xml\s*(;|$)/i.test(contentType);
}

/**
 * libvips threads per image. One request per invocation on Lambda's < 1 vCPU (512-1024 MB): more
 * threads cannot add CPU, they only add memory. Measured on gain-map.jpg -> 1024px WebP/AVIF and a
 * 2725px JPEG: the same CPU time at 1, 2 and 4 threads, peak RSS ~245 MB at 1 vs ~270-290 MB at 2-4.
 */
export const SHARP_CONCURRENCY = 1;

/**
 * The only libvips decoders left enabled, the same set input.ts admits (sniffFormat). Defence in depth: even if
 * a file slipped past sniffing, SVG (outside references), PDF, TIFF, the vips/matrix/csv formats
 * and the rest can never run.
 */
export const ALLOWED_DECODERS = [
  "VipsForeignLoadJpeg",
  "VipsForeignLoadPng",
  "VipsForeignLoadWebp",
  "VipsForeignLoadNsgif",
  "VipsForeignLoadHeif",
] as const;

let configured = false;

/** Call once per container, before the first transform. Idempotent. Settings are process-wide. */
export function configureSharp(): void {
  if (configured) return;
  // Every request is a different original: libvips' operation cache would only hold memory.
  sharp.cache(false);
  sharp.concurrency(SHARP_CONCURRENCY);
  sharp.block({ operation: ["VipsForeignLoad"] });
  sharp.unblock({ operation: [...ALLOWED_DECODERS] });
  configured = true;
}
