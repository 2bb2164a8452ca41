import type { Sharp } from "sharp";
import { acceptToken } from "./accept-token";
import { IMAGE_FORMATS, type AcceptToken, type ImageFormat } from "./contract";

/**
 * Output: the format for `format=auto`, and one encoder setting per format.
 *
 * Chooses the output format for `format=auto` from the Accept header and the source format.
 *
 * Decisions:
 * - The Accept header is read by accept-token.js, the edge's own reader: only an explicit `image/avif` /
 *   `image/webp` with q > 0 counts.
 * - Animatable sources (IMAGE_FORMATS[..].animated: GIF, WebP) prefer WebP over AVIF: AVIF output here is a still image, and
 *   WebP keeps the animation.
 * - Otherwise the source's own format, so any client that shows the original shows the variant.
 *   GIF stays GIF (not PNG) so that animations survive for clients without WebP (e.g. mail clients).
 */
/** An original's format, as its first bytes tell it (input.ts). */
export type SourceFormat = ImageFormat;
/** A variant's format: one requested, or one `auto` chose. */
export type NegotiatedFormat = ImageFormat;

/** Which of the negotiable formats the viewer takes. */
export interface AcceptedFormats {
  readonly avif: boolean;
  readonly webp: boolean;
}

export function negotiateFormat(accepted: AcceptedFormats, sourceFormat: SourceFormat): NegotiatedFormat {
  if (!IMAGE_FORMATS[sourceFormat].animated && accepted.avif) return "avif";
  if (accepted.webp) return "webp";
  return sourceFormat;
}

/** The edge's token, as the cache key holds it: "avif" means both (every AVIF browser decodes WebP). */
export function formatsOfToken(token: AcceptToken): AcceptedFormats {
  return { avif: token === "avif", webp: token !== "none" };
}

/** A raw Accept header (a direct caller), read by the edge's own reader (accept-token.js). */
export function formatsOfAccept(accept: string | undefined): AcceptedFormats {
  return formatsOfToken(acceptToken(accept));
}

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

export function encode(image: Sharp, format: NegotiatedFormat, quality: number): Sharp {
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
