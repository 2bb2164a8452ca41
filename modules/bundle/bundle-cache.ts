import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateEncoderVersion } from "./zip";

/**
 * Skips re-zipping (the slow part: deflating ~20 MB) when nothing that goes into the zip has
 * changed. The key covers the compiled handler, the installed runtime (named by its lockfile
 * hash), the bundler's own source (file rules, zip format) and the deflate encoder's version.
 * A hit also needs the zip on disk to still hash to what was recorded.
 */
export function bundleInputKey(handlerCode: Buffer, runtimeKey: string): string {
  return createHash("sha256")
    .update(handlerCode)
    .update(`\0${runtimeKey}\0${deflateEncoderVersion()}\0${bundlerSourceHash()}`)
    .digest("hex");
}

interface CacheRecord {
  readonly inputKey: string;
  readonly sourceCodeHash: string;
}

export function cacheRecordPath(zipPath: string): string {
  return `${zipPath}.inputs.json`;
}

/** The recorded hash when the zip on disk was built from these inputs and is intact. */
export function cachedSourceCodeHash(zipPath: string, inputKey: string, hashFile: (path: string) => string): string | undefined {
  const recordPath = cacheRecordPath(zipPath);
  if (!existsSync(recordPath) || !existsSync(zipPath)) return undefined;
  let record: Partial<CacheRecord>;
  try {
    record = JSON.parse(readFileSync(recordPath, "utf8")) as Partial<CacheRecord>;
  } catch {
    return undefined;
  }
  if (record.inputKey !== inputKey || typeof record.sourceCodeHash !== "string") return undefined;
  return hashFile(zipPath) === record.sourceCodeHash ? record.sourceCodeHash : undefined;
}

export function cacheRecord(inputKey: string, sourceCodeHash: string): string {
  const record: CacheRecord = { inputKey, sourceCodeHash };
  return `${JSON.stringify(record, null, 2)}\n`;
}

let memoizedSourceHash: string | undefined;

/** Hash of this folder's sources, so a change to the file rules or zip writer rebuilds. */
function bundlerSourceHash(): string {
  if (memoizedSourceHash) return memoizedSourceHash;
  const hash = createHash("sha256");
  for (const name of readdirSync(__dirname).filter((n) => /\.(ts|js|cjs)$/.test(n)).sort()) {
    hash.update(`${name}\0`).update(readFileSync(join(__dirname, name))).update("\0");
  }
  memoizedSourceHash = hash.digest("hex");
  return memoizedSourceHash;
}
