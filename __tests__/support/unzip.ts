import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";

/** Extracts a zip into `targetDir` (which must exist), keeping the entries' Unix modes. */
export function unzip(zipPath: string, targetDir: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${zipPath}`));
      const fail = (error: Error): void => {
        zip.close();
        reject(error);
      };
      zip.on("error", fail);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        const target = path.resolve(targetDir, entry.fileName);
        if (!target.startsWith(path.resolve(targetDir) + path.sep)) return fail(new Error(`zip entry escapes the target: ${entry.fileName}`));
        if (entry.fileName.endsWith("/")) {
          mkdir(target, { recursive: true }).then(() => zip.readEntry(), fail);
          return;
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return fail(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const mode = (entry.externalFileAttributes >>> 16) & 0o777;
          mkdir(path.dirname(target), { recursive: true })
            .then(() => pipeline(stream, createWriteStream(target)))
            .then(() => (mode ? chmod(target, mode) : undefined))
            .then(() => zip.readEntry(), fail);
        });
      });
      zip.readEntry();
    });
  });
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
