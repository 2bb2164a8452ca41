/** Peak RSS of consecutive big resizes, each measurement in a fresh child process. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { compileChild } from "./child-scripts";
import type { BenchImage } from "./inputs";
import type { RssChildReport } from "./rss-child";

export type SharpSettings = "production" | "default";

/** `env` adds variables to the child's environment (e.g. allocator tuning), on top of this process's. */
export function measurePeakRss(
  image: BenchImage,
  settings: SharpSettings,
  count: number,
  env: Readonly<Record<string, string>> = {},
): RssChildReport {
  const script = compileChild(path.join(__dirname, "rss-child.ts"));
  const run = spawnSync(process.execPath, [script, settings, image.path, String(count), image.contentType], {
    encoding: "utf8",
    // No ts-node or other preloads in the child: only what the Lambda would load.
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  if (run.status !== 0) throw new Error(`rss child (${settings}) failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as RssChildReport;
}
