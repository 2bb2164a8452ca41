import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { handler as sourceHandler } from "../../lambda-src";
import { buildResizerBundle } from "../../modules/bundle";
import { unzip } from "./unzip";

export type ResizerHandler = typeof sourceHandler;

/**
 * The handler as Lambda would load it: the x86_64 bundle (the machine's own architecture,
 * so its native sharp loads here) built by modules/bundle, unzipped into a temp dir and
 * `require`d through its `index.handler` entry.
 */
export async function loadBundledHandler(): Promise<{ handler: ResizerHandler; dir: string; sizeBytes: number }> {
  const bundle = await buildResizerBundle({ architecture: "x86_64" });
  const dir = await mkdtemp(path.join(tmpdir(), "resizer-bundle-"));
  await unzip(bundle.zipPath, dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(path.join(dir, "index.js")) as { handler?: unknown };
  if (typeof entry.handler !== "function") throw new Error(`the bundle's index.js exports no handler function (exports: ${Object.keys(entry).join(", ")})`);
  return { handler: entry.handler as ResizerHandler, dir, sizeBytes: bundle.sizeBytes };
}
