import { Transform, type TransformCallback } from "node:stream";
import { HttpError, httpError } from "./errors";
import type { FailOnOptions } from "sharp";
import type { SourceFormat } from "./output";

/**
 * Input: what an original is, told by its first bytes, the guard that holds it to the byte limit, and the decoder's
 * failure policy (FAIL_ON, decodeFailure) that variants and facts share.
 *
 * Identifies an input by its first bytes, never by its name or Content-Type (those are the
 * uploader's claims). Only the formats below ever reach a libvips decoder; everything else,
 * SVG above all (it can reference outside resources), is refused before decoding.
 */

/**
 * "truncated": a cut-off or corrupt file fails (422) instead of decoding to a half-grey image served
 * as a success, while harmless warnings that browsers tolerate (odd markers, trailing bytes) do not
 * refuse a real photo, as "warning" (sharp's default) would.
 */
export const FAIL_ON: FailOnOptions = "truncated";

/**
 * The limits' own refusals pass; sharp's pixel-limit error is a 413; any other decoder or encoder failure is a 422.
 * libvips keeps one error buffer per process: when failures overlap (several requests in one process, as in the
 * preview) one can clear another's message, and sharp then says "Unknown error", nothing, or only its own prefix
 * ("Input buffer has corrupt header:"). The 422 then gives the prefix or the kit's own reason. (The pixel-limit
 * message is sharp's own, never lost.)
 */
export function decodeFailure(error: unknown, maxInputPixels: number): HttpError {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return httpError("PayloadTooLarge", `image has more than ${maxInputPixels} pixels`);
  const reason = (message.split("\n")[0] ?? "").trim().replace(/:$/, "");
  const known = reason !== "" && !/^unknown error$/i.test(reason);
  return httpError("UnprocessableImage", `image cannot be decoded: ${known ? reason : "the file is truncated or corrupt"}`);
}

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

/**
 * Whether a WebP may be decoded whole (lossless, 4 bytes a pixel) rather than shrunk on load: anything but a simple
 * lossy file ("VP8 " first) or an extended one ("VP8X") without the animation flag whose head holds no "VP8L"
 * chunk. An animation's later frames may be lossless and lie past the head, so every animation counts as whole.
 */
export function webpDecodesWhole(head: Buffer): boolean {
  const first = ascii(head, 12, 16);
  if (first === "VP8 ") return false;
  if (first !== "VP8X" || head.length <= 20) return true;
  const animated = (head[20]! & 0x02) !== 0;
  return animated || head.includes("VP8L", 21, "latin1");
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

/**
 * The guard: a pass-through between the origin stream and sharp that enforces the byte limit while the bytes
 * arrive (abort early instead of buffering a huge object) and holds back the first bytes until
 * they are identified, so a refused input never reaches a decoder.
 */

export class InputGuard extends Transform {
  /** Resolves once the head is identified as a supported image; rejects on refusal or stream error. */
  readonly sourceFormat: Promise<SourceFormat>;
  /**
   * Rejects with the first error (refusal, byte limit, the input's own error). Listening from the
   * start matters: an error emitted before a late listener attached would leave sharp waiting forever.
   */
  readonly failure: Promise<never>;
  private resolveFormat!: (format: SourceFormat) => void;
  private bytesSeen = 0;
  /** The first bytes, as sniffed (up to SNIFF_BYTES); empty until identified. */
  sniffedHead: Buffer = Buffer.alloc(0);
  private head: Buffer[] = [];
  private headLength = 0;
  private identified = false;

  constructor(private readonly maxBytes: number) {
    super();
    this.sourceFormat = new Promise<SourceFormat>((resolve, reject) => {
      this.resolveFormat = resolve;
      this.once("error", reject);
      this.once("close", () => reject(new Error("input ended before it could be identified")));
    });
    this.failure = new Promise<never>((_, reject) => this.once("error", reject));
    // Either may be refused before anyone awaits it; the caller still sees the error when it awaits.
    this.sourceFormat.catch(() => undefined);
    this.failure.catch(() => undefined);
  }

  /** Bytes that have arrived so far (all of them once sharp has read the header: it needs the whole file). */
  get bytesIn(): number {
    return this.bytesSeen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.maxBytes) {
      callback(httpError("PayloadTooLarge", `image is larger than ${this.maxBytes} bytes`));
      return;
    }
    if (this.identified) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength >= SNIFF_BYTES) this.identify(callback);
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.identified) callback();
    else this.identify(callback);
  }

  private identify(callback: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    const format = sniffFormat(head);
    if (format === "svg" || format === "unknown") {
      callback(refusal(head, format));
      return;
    }
    this.identified = true;
    this.sniffedHead = head.subarray(0, SNIFF_BYTES);
    this.resolveFormat(format);
    callback(null, head);
  }
}

function refusal(head: Buffer, format: "svg" | "unknown"): HttpError {
  if (format === "svg") return httpError("UnsupportedMediaType", "SVG is not resized");
  if (head.length === 0) return httpError("UnsupportedMediaType", "input is empty, not an image");
  return httpError("UnsupportedMediaType", "input is not a supported image (jpeg, png, webp, gif, avif)");
}
