import { buildSync, type BuildOptions } from "esbuild";
import { statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { RESIZER_NODE_MAJOR } from "./target";

/** esbuild's target: the Lambda runtime the function runs on. */
export const NODE_TARGET = `node${RESIZER_NODE_MAJOR}`;

/**
 * esbuild settings for the handler. Decisions:
 * - CommonJS `index.js`, so the Lambda handler string is `index.handler` with no package.json.
 * - sharp stays external: it is a native addon shipped in node_modules next to index.js.
 * - The AWS SDK is bundled from the kit's pinned version (not the runtime's), preferring its
 *   ES module builds (`module` before `main`): about 30% smaller and ~40 ms faster to load.
 * - Not minified: measured load time is the same minified or not (V8 parses lazily), the zip
 *   grows by only a few hundred KB next to libvips, and CloudWatch stack traces keep real
 *   function names and line numbers without shipping source maps.
 * - No source map, no banner: nothing absolute or time-dependent can reach the output. Module
 *   path comments are relative to `absWorkingDir` (the kit root), and rewritten (see
 *   `canonicalPathComments`) where a dependency lies outside it.
 */
export function handlerBuildOptions(entry: string, kitRoot: string): BuildOptions {
  return {
    entryPoints: [entry],
    absWorkingDir: kitRoot,
    outfile: join(kitRoot, ".build", "esbuild", "index.js"), // naming only: write is false
    write: false,
    bundle: true,
    platform: "node",
    target: NODE_TARGET,
    format: "cjs",
    mainFields: ["module", "main"],
    external: ["sharp"],
    minify: false,
    sourcemap: false,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "silent",
    metafile: true, // the list of input files, to name each module the same on every machine
    // An entry outside the kit (tests) still resolves the kit's dependencies.
    nodePaths: [join(kitRoot, "node_modules")],
  };
}

/** A compiled handler and the files esbuild read to make it (its metafile's inputs), with their sizes and times. */
interface Compiled {
  readonly code: Buffer;
  readonly inputs: ReadonlyArray<{ path: string; size: number; mtimeMs: number }>;
}

const compiledThisProcess = new Map<string, Compiled>();

/**
 * The handler's `index.js`, made by esbuild once per process and entry while none of the files it read has
 * changed (their size and time, from its metafile); a changed input, a newly imported one included (it can only be
 * imported by an input that changed), compiles again.
 */
export function compiledHandler(entry: string, kitRoot: string): Buffer {
  const known = compiledThisProcess.get(`${kitRoot}\0${entry}`);
  if (known && known.inputs.every((input) => {
    try {
      const stats = statSync(input.path);
      return stats.size === input.size && stats.mtimeMs === input.mtimeMs;
    } catch {
      return false;
    }
  })) return known.code;
  const { code, inputs } = compileWithInputs(entry, kitRoot);
  compiledThisProcess.set(`${kitRoot}\0${entry}`, {
    code,
    inputs: inputs.map((path) => ({ path, size: statSync(path).size, mtimeMs: statSync(path).mtimeMs })),
  });
  return code;
}

/** Bundles the handler entry (TypeScript) into the bytes of `index.js`. */
export function compileHandler(entry: string, kitRoot: string): Buffer {
  return compileWithInputs(entry, kitRoot).code;
}

function compileWithInputs(entry: string, kitRoot: string): { code: Buffer; inputs: string[] } {
  let result;
  try {
    result = buildSync(handlerBuildOptions(entry, kitRoot));
  } catch (error) {
    throw new Error(`Bundling the resizer handler ${entry} failed:\n${(error as Error).message}`);
  }
  // Warnings (an unresolvable optional require, import.meta in CJS) mean code that may break
  // at run time: surface them without failing the synth.
  for (const warning of result.warnings) {
    const where = warning.location ? ` (${warning.location.file}:${warning.location.line})` : "";
    process.emitWarning(`esbuild: ${warning.text}${where}`, { code: "RESIZER_BUNDLE_ESBUILD" });
  }
  const output = result.outputFiles?.[0];
  if (!output || result.outputFiles?.length !== 1) {
    throw new Error(`Bundling the resizer handler ${entry} produced ${result.outputFiles?.length ?? 0} files, expected index.js only`);
  }
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  return {
    code: canonicalPathComments(Buffer.from(output.contents), inputs, kitRoot),
    inputs: inputs.map((input) => (isAbsolute(input) ? input : join(kitRoot, input))),
  };
}

/**
 * esbuild names each module by its path relative to absWorkingDir, in a `// <path>` comment and as the
 * key of its lazy-init wrapper (`"<path>"() {`). A dependency outside the kit root (hoisted by the
 * consuming app's npm, or a linked node_modules) would put that relative path, which differs between
 * machines and layouts, into the zip and its source_code_hash. Each becomes the path from the last
 * `node_modules/`, the same wherever the package sits.
 */
export function canonicalPathComments(code: Buffer, metafileInputs: readonly string[], kitRoot: string): Buffer {
  let text = code.toString("utf8");
  for (const input of metafileInputs) {
    const absolute = isAbsolute(input) ? input : join(kitRoot, input);
    const marker = `${sep}node_modules${sep}`;
    const at = absolute.lastIndexOf(marker);
    const canonical = at >= 0 ? `node_modules/${absolute.slice(at + marker.length)}` : relative(kitRoot, absolute);
    const shown = canonical.split(sep).join("/");
    if (shown === input) continue;
    text = text.split(`\n// ${input}\n`).join(`\n// ${shown}\n`).split(`"${input}"(`).join(`"${shown}"(`);
  }
  return Buffer.from(text, "utf8");
}
