import { deflateSync, zipSync, type Zippable } from "fflate";
import { version as FFLATE_VERSION } from "fflate/package.json";

/**
 * A deterministic zip, written by fflate's zipSync (synchronous, as cdktf synthesis is; pure JS and pinned,
 * so Node 20 and Node 22 deflate alike and give the same source_code_hash). Every byte is a function of the
 * entries: sorted by path, one fixed timestamp, Unix modes 0644/0755, no extra fields or comments.
 */
export interface ZipEntry {
  /** Forward-slash path inside the archive, e.g. `node_modules/sharp/package.json`. */
  readonly path: string;
  readonly data: Buffer;
  /** Stored as mode 0755 instead of 0644. */
  readonly executable: boolean;
}

/** Level 6 (zlib's default): level 9 takes 2.4x as long on libvips for 0.1% less. */
const DEFLATE_LEVEL = 6;
/** Made-by host "Unix", so unzip honours the mode bits in the external attributes. */
const OS_UNIX = 3;
const S_IFREG = 0o100000;
/** 1980-01-01 00:00, the earliest a zip (MS-DOS) time can hold, built from local fields as fflate reads them: the same bytes in every time zone. */
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

export function createDeterministicZip(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const entry of sortAndCheckEntries(entries)) {
    // Stored where deflate does not shrink (already-compressed data, tiny files).
    const level = deflateSync(entry.data, { level: DEFLATE_LEVEL }).length < entry.data.length ? DEFLATE_LEVEL : 0;
    const mode = entry.executable ? 0o755 : 0o644;
    files[entry.path] = [entry.data, { level, mtime: FIXED_TIME, os: OS_UNIX, attrs: ((S_IFREG | mode) << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(files));
}

/** Byte-wise order on the UTF-8 names: locale-independent, so every machine sorts alike. */
export function compareZipPaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function sortAndCheckEntries(entries: readonly ZipEntry[]): ZipEntry[] {
  const sorted = [...entries].sort((a, b) => compareZipPaths(a.path, b.path));
  sorted.forEach((entry, index) => {
    const segments = entry.path.split("/");
    if (entry.path.length === 0 || entry.path.includes("\\") || segments.some((s) => s === "" || s === "." || s === "..")) {
      throw new Error(`Unsafe zip entry path ${JSON.stringify(entry.path)}: expected a relative forward-slash file path`);
    }
    if (index > 0 && sorted[index - 1]!.path === entry.path) throw new Error(`Duplicate zip entry: ${entry.path}`);
    // zipSync takes an object, and JavaScript orders integer-like keys first, whatever the insertion order.
    if (/^(0|[1-9][0-9]*)$/.test(entry.path)) throw new Error(`Zip entry path ${JSON.stringify(entry.path)} would not keep its place: rename it`);
  });
  return sorted;
}

/** The deflate encoder's identity: its output, and so the zip's bytes, depend on it. */
export function deflateEncoderVersion(): string {
  return `fflate-${FFLATE_VERSION}`;
}
