import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import yauzl from "yauzl";

/**
 * Extracts a zip into `targetDir` (fflate's unzipSync). Every file is written 0644: fflate does not read the
 * entries' modes, and nothing in the bundles needs more than read access (require, dlopen).
 */
export function unzip(zipPath: string, targetDir: string): void {
  const root = path.resolve(targetDir);
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    const target = path.resolve(root, name);
    if (!target.startsWith(root + path.sep)) throw new Error(`zip entry escapes the target: ${name}`);
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data, { mode: 0o644 });
  }
}

export interface UnzippedEntry {
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
  readonly crc32: number;
  readonly central: { readonly date: number; readonly time: number; readonly extraFields: number };
  readonly local: { readonly date: number; readonly time: number; readonly extraFieldLength: number };
}

/** Reads every entry with yauzl (an independent reader): headers, mode bits and contents. */
export function readZip(bytes: Buffer): Promise<UnzippedEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (openError, zip) => {
      if (openError) return reject(openError);
      const entries: UnzippedEntry[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.readLocalFileHeader(entry, (headerError, local) => {
          if (headerError) return reject(headerError);
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError) return reject(streamError);
            const chunks: Buffer[] = [];
            stream.on("data", (chunk: Buffer) => chunks.push(chunk));
            stream.on("error", reject);
            stream.on("end", () => {
              entries.push({
                path: entry.fileName,
                data: Buffer.concat(chunks),
                mode: (entry.externalFileAttributes >>> 16) & 0o7777,
                crc32: entry.crc32,
                central: { date: entry.lastModFileDate, time: entry.lastModFileTime, extraFields: entry.extraFields.length },
                local: { date: local.lastModFileDate, time: local.lastModFileTime, extraFieldLength: local.extraField.length },
              });
              zip.readEntry();
            });
          });
        });
      });
      zip.readEntry();
    });
  });
}

export function extractTo(entries: readonly UnzippedEntry[], dir: string): void {
  for (const entry of entries) {
    const target = path.join(dir, entry.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.data, { mode: entry.mode });
  }
}

/** 1980-01-01 00:00:00 in MS-DOS date/time fields. */
export const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
