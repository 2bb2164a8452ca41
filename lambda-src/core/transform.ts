/**
 * Runs one variant through sharp: identify, decode under limits, orient, resize, encode.
 * The output is buffered (variants are small) so that every failure, decode errors included,
 * is known before the adapter starts a response and can become a clean 413/415/422.
 */
import { pipeline } from "node:stream";
import sharp, { type FailOnOptions, type Sharp } from "sharp";
import { VARIANT_CACHE_CONTROL } from "./cache-control";
import type { ResizerConfig } from "./config";
import { payloadTooLarge, unprocessableImage, unsupportedMediaType } from "./errors";
import { InputGuard } from "./input-guard";
import { negotiateFormat, type NegotiatedFormat, type SourceFormat } from "./negotiate";
import type { ResizeRequest } from "./params";

export interface TransformContext {
  /** The raw Accept header (or the adapter's mapping of x-resize-accept); undefined when absent. */
  accept?: string;
  /** The origin's Content-Type: an SVG claim is refused even before sniffing. */
  sourceContentType?: string;
  config: ResizerConfig;
}

export interface TransformResult {
  body: Buffer;
  contentType: string;
  headers: Record<string, string>;
}

/**
 * "truncated": a cut-off or corrupt file fails (422) instead of decoding to a half-grey image served
 * as a success, while harmless warnings that browsers tolerate (odd markers, trailing bytes) do not
 * refuse a real photo, as "warning" (sharp's default) would.
 */
export const FAIL_ON: FailOnOptions = "truncated";

/**
 * libaom speed: sharp's default (4) took ~30x the WebP time for a 500x700 variant; 1 stays within
 * ~2x of WebP and is still smaller than WebP (measurements in the resizer report).
 */
export const AVIF_EFFORT = 1;

/**
 * The URL's q is on the JPEG/WebP scale; AVIF looks alike at a lower number (sharp's own defaults:
 * 80 for JPEG/WebP, 50 for AVIF). Passed through unchanged, q=80 made AVIF larger than WebP.
 */
export function avifQuality(quality: number): number {
  return Math.max(1, Math.round((quality * 50) / 80));
}

const ANIMATED_OUTPUTS: ReadonlySet<NegotiatedFormat> = new Set(["webp", "gif"]);
const ANIMATED_SOURCES: ReadonlySet<SourceFormat> = new Set(["webp", "gif"]);
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
  if (isSvgContentType(ctx.sourceContentType)) guard.destroy(unsupportedMediaType("SVG is not resized"));

  const sourceFormat = await guard.sourceFormat;
  const format = request.format === "auto" ? negotiateFormat(ctx.accept, sourceFormat) : request.format;
  const decoder = sharp({
    failOn: FAIL_ON,
    limitInputPixels: ctx.config.maxInputPixels,
    // All frames only when the output keeps them; the pixel limit then counts every frame, as memory does.
    animated: ANIMATED_SOURCES.has(sourceFormat) && ANIMATED_OUTPUTS.has(format),
  });
  // Piped as it arrives, so the byte limit aborts mid-download; sharp needs the whole file before it
  // decodes anyway, so collecting it ourselves first would only add a second copy.
  guard.pipe(decoder);
  const encoded = encode(orientAndResize(decoder, request, format), format, request.quality)
    .toBuffer()
    .catch((error: unknown) => Promise.reject(sharpFailure(error)));
  try {
    const body = await Promise.race([encoded, guard.failure]);
    return { body, contentType: `image/${format}`, headers: variantHeaders(request.format === "auto") };
  } catch (error) {
    encoded.catch(() => undefined);
    decoder.destroy();
    throw error;
  }
}

function orientAndResize(image: Sharp, request: ResizeRequest, format: NegotiatedFormat): Sharp {
  // Upright output whatever the EXIF orientation; the tag itself goes with the rest of the metadata.
  let step = image.autoOrient();
  if (request.width !== undefined || request.height !== undefined) {
    step = step.resize({
      width: request.width,
      height: request.height,
      fit: request.fit,
      // A variant is never larger than its original: enlarging only adds bytes, not detail.
      withoutEnlargement: true,
      background: format === "jpeg" ? WHITE : TRANSPARENT,
    });
  }
  // JPEG has no alpha: composite on white rather than sharp's default black.
  if (format === "jpeg") step = step.flatten({ background: WHITE });
  return step;
}

function encode(image: Sharp, format: NegotiatedFormat, quality: number): Sharp {
  switch (format) {
    case "avif":
      return image.avif({ quality: avifQuality(quality), effort: AVIF_EFFORT });
    case "webp":
      return image.webp({ quality });
    case "jpeg":
      return image.jpeg({ quality });
    case "png":
      // Lossless and never palette-quantized: q applies to lossy formats only.
      return image.png({ palette: false });
    case "gif":
      return image.gif();
  }
}

function variantHeaders(negotiated: boolean): Record<string, string> {
  const headers: Record<string, string> = { "Cache-Control": VARIANT_CACHE_CONTROL };
  if (negotiated) headers["Vary"] = "Accept";
  return headers;
}

function isSvgContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*image\/svg\+xml\s*(;|$)/i.test(contentType);
}

/** sharp's pixel-limit error is a 413; any other decoder or encoder failure is a 422. */
function sharpFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return payloadTooLarge("image exceeds the pixel limit");
  return unprocessableImage(`image cannot be decoded: ${message.split("\n")[0]}`);
}
