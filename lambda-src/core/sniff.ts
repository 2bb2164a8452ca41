/**
 * Identifies an input by its first bytes, never by its name or Content-Type (those are the
 * uploader's claims). Only the formats below ever reach a libvips decoder; everything else,
 * SVG above all (it can reference outside resources), is refused before decoding.
 */
import type { SourceFormat } from "./negotiate";

/** Enough for every signature below, and for an SVG's XML prolog and comments before `<svg`. */
export const SNIFF_BYTES = 4096;

export type SniffResult = SourceFormat | "svg" | "unknown";

const AVIF_BRANDS = new Set(["avif", "avis"]);

export function sniffFormat(head: Buffer): SniffResult {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "gif";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp";
  if (isAvif(head)) return "avif";
  if (looksLikeSvg(head)) return "svg";
  return "unknown";
}

/** ISO-BMFF `ftyp` box whose major or compatible brands name AVIF (HEIC needs a decoder we do not ship). */
function isAvif(head: Buffer): boolean {
  if (head.length < 16 || ascii(head, 4, 8) !== "ftyp") return false;
  const boxEnd = Math.min(head.readUInt32BE(0), head.length);
  if (AVIF_BRANDS.has(ascii(head, 8, 12))) return true;
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) {
    if (AVIF_BRANDS.has(ascii(head, offset, offset + 4))) return true;
  }
  return false;
}

/** Markup that opens an `<svg` element within the sniffed head (after an optional BOM, prolog, comments). */
function looksLikeSvg(head: Buffer): boolean {
  const text = head.toString("utf8").replace(/^\uFEFF/, "").trimStart();
  return text.startsWith("<") && /<svg[\s>/]/i.test(text);
}

function startsWith(buffer: Buffer, bytes: readonly number[]): boolean {
  return buffer.length >= bytes.length && bytes.every((byte, index) => buffer[index] === byte);
}

function ascii(buffer: Buffer, start: number, end: number): string {
  return buffer.length >= end ? buffer.toString("latin1", start, end) : "";
}
