/** Output encoders: one deliberate setting per format. */
import type { Sharp } from "sharp";
import type { NegotiatedFormat } from "./negotiate";

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
