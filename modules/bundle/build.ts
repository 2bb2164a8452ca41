import { createHash, type Hash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { version as ESBUILD_VERSION } from "esbuild/package.json";
import { compiledHandler, handlerBuildOptions } from "./compile";
import { assertLambdaArchitecture, PURGE_ZIP_NAME, resizerZipName, sha256Base64, type FunctionZip, type LambdaArchitecture, type ResizerZip } from "./target";
import { collectRuntimeEntries, installRuntimeDependencies, runtimeCacheKey } from "./runtime";
import { createDeterministicZip, deflateEncoderVersion } from "./zip";

/** The kit's root, found from this file rather than process.cwd(): the same build from any directory. */
export const KIT_ROOT = resolve(__dirname, "..", "..");
/** Scratch space for generated artefacts (git-ignored): runtime installs and zips. */
const BUILD_DIR = join(KIT_ROOT, ".build");
/** The resizer's source folder: the handler entry and its runtime-dependency manifest. */
const LAMBDA_SRC_DIR = join(KIT_ROOT, "lambda-src");

export interface ResizerBundle extends ResizerZip {
  readonly sizeBytes: number;
}

export interface BuildResizerBundleOptions {
  readonly architecture: LambdaArchitecture;
  /** Folder of the zip cache. @default `<kit root>/.build/bundles` */
  readonly outDir?: string;
  /** The handler's TypeScript entry (exports `handler`). @default `<kit root>/lambda-src/index.ts` */
  readonly entry?: string;
}

/**
 * Builds the resizer Lambda zip for one architecture from source, synchronously (cdktf synthesizes
 * synchronously): esbuild output as `index.js` plus sharp with the target's Linux binaries in
 * `node_modules/`, zipped deterministically.
 *
 * One cache, as aws-cdk's asset staging has: a content key over what the zip is made from names its file
 * (`<outDir>/<key>/resizer-<arch>.zip`), whose existence is the hit (it is written whole, by rename); within a
 * process a map on the same path skips even reading it (`cachedZip`). The key holds esbuild's output itself, so
 * every file the bundler read (any import, from any folder), its options and its version are in it by
 * construction; the same inputs give the same bytes on any machine.
 */
export function buildResizerBundle(options: BuildResizerBundleOptions): ResizerBundle {
  const architecture = assertLambdaArchitecture(options.architecture);
  const entry = resolve(options.entry ?? join(LAMBDA_SRC_DIR, "index.ts"));
  if (!existsSync(entry)) throw new Error(`Resizer handler entry not found: ${entry}`);
  const code = compiledHandler(entry, KIT_ROOT);
  const zipPath = join(bundlesDir(options.outDir), contentKey(architecture, code), resizerZipName(architecture));
  const zip = cachedZip(zipPath, () => {
    const runtime = installRuntimeDependencies({ architecture, manifestDir: LAMBDA_SRC_DIR, cacheRoot: BUILD_DIR });
    return createDeterministicZip([
      { path: "index.js", data: code, executable: false },
      ...collectRuntimeEntries(runtime.nodeModulesDir, architecture),
    ]);
  });
  return { ...zip, architecture };
}

/**
 * The purge function's zip (`index.js` alone: the CloudFront client bundled, no native code), cached as the
 * resizer's is, by a content key over its compiled code and the zip's recipe.
 */
export function buildPurgeBundle(options: { readonly outDir?: string } = {}): BuiltZip {
  const code = compiledHandler(join(LAMBDA_SRC_DIR, "purge", "index.ts"), KIT_ROOT);
  const key = createHash("sha256").update(`purge\0${recipe()}\0`).update(code).digest("hex").slice(0, 16);
  return cachedZip(join(bundlesDir(options.outDir), key, PURGE_ZIP_NAME), () => createDeterministicZip([{ path: "index.js", data: code, executable: false }]));
}

type BuiltZip = FunctionZip & { readonly sizeBytes: number };

function bundlesDir(outDir: string | undefined): string {
  return resolve(outDir ?? join(BUILD_DIR, "bundles"));
}

/**
 * The one cache of both builders: the zip a content key names is made by `make` only when its file is absent
 * (the existence is the hit; it is written whole, by rename), and within a process a map on the path skips
 * even reading it.
 */
function cachedZip(zipPath: string, make: () => Buffer): BuiltZip {
  const known = builtThisProcess.get(zipPath);
  if (known !== undefined) return known;
  if (!existsSync(zipPath)) writeAtomically(zipPath, make());
  const bytes = readFileSync(zipPath);
  const zip: BuiltZip = { zipPath, sourceCodeHash: sha256Base64(bytes), sizeBytes: bytes.length };
  builtThisProcess.set(zipPath, zip);
  return zip;
}

const builtThisProcess = new Map<string, BuiltZip>();

/**
 * What the zip is made from: the compiled `index.js` (every file esbuild read, its options and version, as their
 * product), the runtime's manifest and lockfile (sharp and its binaries for the architecture), and the recipe.
 */
export function contentKey(architecture: LambdaArchitecture, compiled: Buffer): string {
  const manifest = (name: string): Buffer => readFileSync(join(LAMBDA_SRC_DIR, name));
  return createHash("sha256")
    .update(`${architecture}\0${recipe()}\0`)
    .update(runtimeCacheKey(architecture, manifest("package.json"), manifest("package-lock.json")))
    .update(compiled)
    .digest("hex")
    .slice(0, 16);
}

/** How a zip is made: this folder's code, the esbuild and deflate versions, esbuild's options. */
function recipe(): string {
  const hash: Hash = createHash("sha256").update(`esbuild-${ESBUILD_VERSION}\0${deflateEncoderVersion()}\0`);
  hash.update(JSON.stringify(handlerBuildOptions("<entry>", "<kit>")));
  for (const file of sourceFiles(__dirname)) hash.update(`\0${relative(__dirname, file)}\0`).update(readFileSync(file));
  return hash.digest("hex");
}

/** Source files below a folder, sorted (node_modules and dot folders excluded; zips are outputs). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules")
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|js|cjs|mjs|json)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Write-then-rename, so a concurrent reader (another synth, terraform) never sees half a file. */
function writeAtomically(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}
