import { statSync } from "node:fs";

/**
 * Within one process (a synth, a test run that builds many stacks), repeated builds of the
 * same bundle return the first result while none of the files it was made from has changed
 * size or mtime: esbuild alone costs ~0.5 s per call. The files watched are every esbuild
 * input, the runtime manifest, the installed runtime's marker and the zip itself.
 */
interface MemoEntry<T> {
  readonly watched: readonly string[];
  readonly stamp: string;
  readonly value: T;
}

export class FileStampMemo<T> {
  private readonly entries = new Map<string, MemoEntry<T>>();

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (stampFiles(entry.watched) === entry.stamp) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, watched: readonly string[], value: T): void {
    this.entries.set(key, { watched, stamp: stampFiles(watched), value });
  }
}

/** Size and mtime of each file, in order; a missing file stamps as such. */
export function stampFiles(paths: readonly string[]): string {
  return paths
    .map((path) => {
      const stats = statSync(path, { throwIfNoEntry: false });
      return stats === undefined ? `${path}\0missing` : `${path}\0${stats.size}\0${stats.mtimeMs}`;
    })
    .join("\n");
}
