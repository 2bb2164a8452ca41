/**
 * A pass-through between the origin stream and sharp that enforces the byte limit while the bytes
 * arrive (abort early instead of buffering a huge object) and holds back the first bytes until
 * they are identified, so a refused input never reaches a decoder.
 */
import { Transform, type TransformCallback } from "node:stream";
import { payloadTooLarge, unsupportedMediaType, type HttpError } from "./errors";
import type { SourceFormat } from "./negotiate";
import { SNIFF_BYTES, sniffFormat } from "./sniff";

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

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.maxBytes) {
      callback(payloadTooLarge(`image is larger than ${this.maxBytes} bytes`));
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
    this.resolveFormat(format);
    callback(null, head);
  }
}

function refusal(head: Buffer, format: "svg" | "unknown"): HttpError {
  if (format === "svg") return unsupportedMediaType("SVG is not resized");
  if (head.length === 0) return unsupportedMediaType("input is empty, not an image");
  return unsupportedMediaType("input is not a supported image (jpeg, png, webp, gif, avif)");
}
