import { crc32 as nodeCrc32 } from "node:zlib";
import { deflateSync } from "fflate";
import { version as FFLATE_VERSION } from "fflate/package.json";

/**
 * A synchronous, deterministic zip writer. cdktf synthesizes synchronously, and yazl only
 * produces its archive through a stream (the event loop), so the bundle writes its own zip:
 * every byte is a function of the entries alone. Entries are sorted by path, timestamps are
 * pinned, permissions are normalized, and no extra fields (which carry mtimes and uids) or
 * comments are written. Deflate is fflate's pure-JS encoder (pinned in the lockfile), not Node's
 * bundled zlib, whose output differs between Node versions: a laptop on Node 22 and CI on Node 20
 * must produce the same source_code_hash, or every pull request plans a spurious Lambda update.
 */
export interface ZipEntry {
  /** Forward-slash path inside the archive, e.g. `node_modules/sharp/package.json`. */
  readonly path: string;
  readonly data: Buffer;
  /** Stored as mode 0755 instead of 0644. */
  readonly executable: boolean;
}

/** 1980-01-01 00:00:00, the earliest time a zip (MS-DOS) timestamp can hold. */
export const FIXED_ZIP_DATE = { year: 1980, month: 1, day: 1 } as const;
const DOS_TIME = 0;
const DOS_DATE = ((FIXED_ZIP_DATE.year - 1980) << 9) | (FIXED_ZIP_DATE.month << 5) | FIXED_ZIP_DATE.day;

const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const FLAG_UTF8_NAMES = 0x0800;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED; // host "Unix" so unzip honours the mode bits
const S_IFREG = 0o100000;
const MAX_UINT32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;
const DEFLATE_LEVEL = 6;

export const FILE_MODE = 0o644;
export const EXECUTABLE_MODE = 0o755;

export function createDeterministicZip(entries: readonly ZipEntry[]): Buffer {
  const sorted = sortAndCheckEntries(entries);
  const chunks: Buffer[] = [];
  const centralDirectory: Buffer[] = [];
  let offset = 0;
  for (const entry of sorted) {
    const name = Buffer.from(entry.path, "utf8");
    const record = compressEntry(entry.data);
    const localHeader = localFileHeader(name, record);
    centralDirectory.push(centralDirectoryHeader(name, record, entry.executable ? EXECUTABLE_MODE : FILE_MODE, offset));
    chunks.push(localHeader, record.payload);
    offset += localHeader.length + record.payload.length;
    assertFitsZip32(offset, "archive size");
  }
  const centralDirectoryBytes = Buffer.concat(centralDirectory);
  assertFitsZip32(offset + centralDirectoryBytes.length, "archive size");
  return Buffer.concat([...chunks, centralDirectoryBytes, endOfCentralDirectory(sorted.length, centralDirectoryBytes.length, offset)]);
}

/** Byte-wise order on the UTF-8 names: locale-independent, so every machine sorts alike. */
export function compareZipPaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

interface CompressedRecord {
  readonly method: number;
  readonly crc: number;
  readonly size: number;
  readonly payload: Buffer;
}

function compressEntry(data: Buffer): CompressedRecord {
  assertFitsZip32(data.length, "entry size");
  // Level 6 (zlib's default): level 9 takes 2.4x as long on libvips for 0.1% less.
  const deflated = Buffer.from(deflateSync(data, { level: DEFLATE_LEVEL }));
  // Store what deflate cannot shrink (already-compressed data, tiny files).
  const useDeflate = deflated.length < data.length;
  return {
    method: useDeflate ? METHOD_DEFLATE : METHOD_STORE,
    crc: crc32(data),
    size: data.length,
    payload: useDeflate ? deflated : data,
  };
}

function localFileHeader(name: Buffer, record: CompressedRecord): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_UTF8_NAMES, 6);
  header.writeUInt16LE(record.method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(record.crc, 14);
  header.writeUInt32LE(record.payload.length, 18);
  header.writeUInt32LE(record.size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28); // no extra field
  return Buffer.concat([header, name]);
}

function centralDirectoryHeader(name: Buffer, record: CompressedRecord, mode: number, localHeaderOffset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(FLAG_UTF8_NAMES, 8);
  header.writeUInt16LE(record.method, 10);
  header.writeUInt16LE(DOS_TIME, 12);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(record.crc, 16);
  header.writeUInt32LE(record.payload.length, 20);
  header.writeUInt32LE(record.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt16LE(0, 30); // extra field length
  header.writeUInt16LE(0, 32); // comment length
  header.writeUInt16LE(0, 34); // disk number
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(((S_IFREG | mode) << 16) >>> 0, 38);
  header.writeUInt32LE(localHeaderOffset, 42);
  return Buffer.concat([header, name]);
}

function endOfCentralDirectory(entryCount: number, size: number, offset: number): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(0, 4);
  record.writeUInt16LE(0, 6);
  record.writeUInt16LE(entryCount, 8);
  record.writeUInt16LE(entryCount, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);
  record.writeUInt16LE(0, 20);
  return record;
}

function sortAndCheckEntries(entries: readonly ZipEntry[]): ZipEntry[] {
  if (entries.length > MAX_ENTRIES) {
    throw new Error(`Zip has ${entries.length} entries; this writer supports up to ${MAX_ENTRIES} (no zip64)`);
  }
  const sorted = [...entries].sort((a, b) => compareZipPaths(a.path, b.path));
  sorted.forEach((entry, index) => {
    assertSafeZipPath(entry.path);
    if (index > 0 && sorted[index - 1]!.path === entry.path) throw new Error(`Duplicate zip entry: ${entry.path}`);
  });
  return sorted;
}

function assertSafeZipPath(path: string): void {
  const segments = path.split("/");
  if (path.length === 0 || path.includes("\\") || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`Unsafe zip entry path ${JSON.stringify(path)}: expected a relative forward-slash file path`);
  }
}

function assertFitsZip32(value: number, what: string): void {
  if (value > MAX_UINT32) throw new Error(`Zip ${what} ${value} exceeds 4 GiB; this writer does not write zip64`);
}

/** zlib.crc32 exists from Node 20.15 / 22.2; older Node 20 gets the table-driven version. */
export function crc32(data: Buffer): number {
  if (typeof nodeCrc32 === "function") return nodeCrc32(data) >>> 0;
  return crc32Fallback(data);
}

let crcTable: Uint32Array | undefined;

export function crc32Fallback(data: Buffer): number {
  crcTable ??= buildCrcTable();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The deflate encoder's identity: its output, and so the zip's bytes, depend on it. */
export function deflateEncoderVersion(): string {
  return `fflate-${FFLATE_VERSION}`;
}
