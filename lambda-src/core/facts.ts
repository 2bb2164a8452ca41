/**
 * Image facts: what a page needs to lay out and hold the place of an original before it loads (its size as
 * displayed, a placeholder, a dominant colour), as one small, versioned JSON object.
 *
 * Cheap by construction: the sizes come from the header alone (sharp's metadata, no pixel decoded), and the pixels
 * from ONE thumbnail of at most THUMBNAIL_MAX_SIDE px, made from the first frame only, that gives both the ThumbHash
 * and the dominant colour. JPEG and WebP shrink on load to it; the limits that guard a transform guard this too.
 */
import sharp, { type Metadata, type Sharp } from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { IMAGE_FORMATS, type ImageFormat, type ResizerConfig } from "./contract";
import { httpError } from "./errors";
import { decodeFailure, FAIL_ON, sniffFormat, SNIFF_BYTES, webpDecodesWhole } from "./input";
import { decodeClass, decodeRefusal, sharpTimeoutSeconds, type ResourceBudget } from "./limits";

/** Bump when a field's meaning changes or one is removed, so a cache of facts can tell old bodies from new. */
export const FACTS_VERSION = 1;

/**
 * ThumbHash encodes images of at most 100x100 (thumbhash's README and `rgbaToThumbHash`: "Must be ≤100px");
 * more pixels would not make a better hash, only a slower one.
 */
export const THUMBNAIL_MAX_SIDE = 100;

/** EXIF orientations 5-8 are a transpose: the displayed image's sides are the stored one's swapped. */
const SWAPS_SIDES_FROM = 5;

/** Composited under an image with alpha before its dominant colour is taken: the kit's JPEG variants' background. */
const WHITE = { r: 255, g: 255, b: 255 };

export interface ImageFacts {
  readonly version: typeof FACTS_VERSION;
  /** The format the original's bytes are in (sniffed, as the resizer identifies them). */
  readonly format: ImageFormat;
  /** The original's size in bytes. */
  readonly bytes: number;
  /** As stored, before the EXIF orientation; an animation's height is one frame's. */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation, 1-8 (1 when absent). */
  readonly orientation: number;
  /** As displayed: the stored size with sides swapped for orientations 5-8 (what the kit's variants are made from). */
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** More than one frame (an animated GIF or WebP). */
  readonly animated: boolean;
  readonly frames: number;
  readonly hasAlpha: boolean;
  /** `#rrggbb`: sharp's dominant colour of the thumbnail (16 bins a channel, a bin's centre), over white if it has alpha. */
  readonly dominant: string;
  /** ThumbHash (https://github.com/evanw/thumbhash) of the upright first frame, base64 (standard alphabet, padded). */
  readonly thumbhash: string;
}

/** What bounds the work: the resizer's byte and pixel limits, and optionally the function's memory (limits.ts' decode model). */
export interface FactsLimits extends Pick<ResizerConfig, "maxInputBytes" | "maxInputPixels"> {
  /** When given, an original whose decode would not fit the memory is refused (413) before any pixel. */
  readonly budget?: ResourceBudget;
  /** The request's deadline, epoch ms: none left is a 504 before any pixel, and libvips' work stops at it. */
  readonly stopBy?: number;
}

/**
 * The facts of an original. Rejects with an HttpError: 415 for what is not a supported image, 413 over a limit,
 * 422 for one that cannot be decoded (truncated, corrupt). Call configureSharp() once per process first (the
 * resizer's entry does): it keeps every other libvips decoder blocked.
 */
export async function imageFacts(original: Buffer, limits: FactsLimits): Promise<ImageFacts> {
  if (original.length > limits.maxInputBytes) throw httpError("PayloadTooLarge", `image is larger than ${limits.maxInputBytes} bytes`);
  const head = original.subarray(0, SNIFF_BYTES);
  const format = sniffFormat(head);
  if (format === "svg") throw httpError("UnsupportedMediaType", "SVG is not read");
  if (format === "unknown") {
    throw httpError("UnsupportedMediaType", original.length === 0 ? "input is empty, not an image" : "input is not a supported image (jpeg, png, webp, gif, avif)");
  }
  if (limits.stopBy !== undefined && limits.stopBy <= Date.now()) throw httpError("Timeout", "no time was left to read the original's facts");
  try {
    // One frame only (sharp's default): the placeholder is the first frame, and the pixel limit counts one frame.
    const decoder = sharp(original, { failOn: FAIL_ON, limitInputPixels: limits.maxInputPixels });
    const meta = await decoder.metadata();
    const frameHeight = meta.pageHeight ?? meta.height;
    if (limits.budget !== undefined) {
      const refused = decodeRefusal(
        { decode: decodeClass(format, meta, format === "webp" && webpDecodesWhole(head)), width: meta.width, frameHeight, fileBytes: original.length },
        limits.budget,
      );
      if (refused !== undefined) throw httpError("PayloadTooLarge", refused);
    }
    const orientation = exifOrientation(meta);
    const swapped = orientation >= SWAPS_SIDES_FROM;
    // An AVIF's pages are the images of its container (sharp reads the primary one), not frames the kit animates.
    const frames = IMAGE_FORMATS[format].animated ? (meta.pages ?? 1) : 1;
    const thumbnail = await uprightThumbnail(limits.stopBy === undefined ? decoder : decoder.timeout({ seconds: sharpTimeoutSeconds(limits.stopBy) }));
    return {
      version: FACTS_VERSION,
      format,
      bytes: original.length,
      width: meta.width,
      height: frameHeight,
      orientation,
      displayWidth: swapped ? frameHeight : meta.width,
      displayHeight: swapped ? meta.width : frameHeight,
      animated: frames > 1,
      frames,
      hasAlpha: meta.hasAlpha,
      dominant: await dominantColour(thumbnail, meta.hasAlpha),
      thumbhash: Buffer.from(rgbaToThumbHash(thumbnail.width, thumbnail.height, thumbnail.rgba)).toString("base64"),
    };
  } catch (error) {
    throw decodeFailure(error, limits.maxInputPixels);
  }
}

/** The JSON body: keys in ImageFacts' order whatever order the object was built in, so equal facts are equal bytes. */
export function factsBody(facts: ImageFacts): string {
  const ordered: { readonly [K in keyof ImageFacts]-?: ImageFacts[K] } = {
    version: facts.version,
    format: facts.format,
    bytes: facts.bytes,
    width: facts.width,
    height: facts.height,
    orientation: facts.orientation,
    displayWidth: facts.displayWidth,
    displayHeight: facts.displayHeight,
    animated: facts.animated,
    frames: facts.frames,
    hasAlpha: facts.hasAlpha,
    dominant: facts.dominant,
    thumbhash: facts.thumbhash,
  };
  return JSON.stringify(ordered);
}

/** The thumbnail's pixels: 8-bit sRGB with alpha, not premultiplied (what ThumbHash takes). */
export interface Thumbnail {
  readonly width: number;
  readonly height: number;
  readonly rgba: Buffer;
}

/**
 * The one thumbnail: upright first (the placeholder must match the displayed image, not the stored one), fit
 * inside the ThumbHash maximum, never enlarged, in sRGB (CMYK, greyscale, 16-bit and P3 originals alike) with an
 * alpha channel. sharp un-premultiplies after its resize, as ThumbHash wants.
 */
export async function uprightThumbnail(decoder: Sharp): Promise<Thumbnail> {
  const { data, info } = await decoder
    .autoOrient()
    .resize({ width: THUMBNAIL_MAX_SIDE, height: THUMBNAIL_MAX_SIDE, fit: "inside", withoutEnlargement: true })
    .toColourspace("srgb")
    .ensureAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4 || data.length !== info.width * info.height * 4) {
    throw new Error(`the thumbnail is ${info.width}x${info.height} with ${info.channels} channels, not RGBA`);
  }
  return { width: info.width, height: info.height, rgba: data };
}

/**
 * sharp's `stats().dominant` (the centre of the most common of 16x16x16 colour bins). Transparent pixels carry
 * arbitrary colour (often black), so an image with alpha is composited on white first.
 */
async function dominantColour(thumbnail: Thumbnail, hasAlpha: boolean): Promise<string> {
  const raw = { width: thumbnail.width, height: thumbnail.height, channels: 4 } as const;
  let pixels = sharp(thumbnail.rgba, { raw });
  if (hasAlpha) {
    // stats() reads a pipeline's input, not its output: the flattened pixels are made first.
    const flat = await pixels.flatten({ background: WHITE }).raw().toBuffer({ resolveWithObject: true });
    pixels = sharp(flat.data, { raw: { width: flat.info.width, height: flat.info.height, channels: flat.info.channels } });
  }
  const { dominant } = await pixels.stats();
  return `#${[dominant.r, dominant.g, dominant.b].map((channel) => channel.toString(16).padStart(2, "0")).join("")}`;
}

function exifOrientation(meta: Metadata): number {
  const orientation = meta.orientation ?? 1;
  return Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : 1;
}
