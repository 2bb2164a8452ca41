/**
 * Child processes run plain JavaScript bundled by esbuild, not ts-node: loading the TypeScript
 * compiler would add tens of megabytes to the RSS being measured and seconds to start-up.
 */
import { buildSync } from "esbuild";
import path from "node:path";
import { BENCH_DIR } from "./paths";

export function compileChild(entry: string): string {
  const outfile = path.join(BENCH_DIR, "children", `${path.parse(entry).name}.js`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // sharp's native binding must be loaded from node_modules, as the bundle does.
    external: ["sharp"],
    logLevel: "error",
  });
  return outfile;
}
