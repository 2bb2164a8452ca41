import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { assertLambdaArchitecture, type LambdaArchitecture } from "./architecture";
import { bundleInputKey, cachedSourceCodeHash, cacheRecord, cacheRecordPath } from "./bundle-cache";
import { compileHandler } from "./compile";
import { BUILD_DIR, DEFAULT_BUNDLE_DIR, DEFAULT_HANDLER_ENTRY, KIT_ROOT, LAMBDA_SRC_DIR } from "./paths";
import { FileStampMemo } from "./process-memo";
import { type InstalledRuntime, installRuntimeDependencies } from "./runtime-install";
import { collectRuntimeEntries } from "./runtime-files";
import { resizerZipName, sha256Base64 } from "./resolve";
import { createDeterministicZip } from "./zip";

export { sha256Base64 };

export type { LambdaArchitecture } from "./architecture";
export { LAMBDA_ARCHITECTURES } from "./architecture";

export interface ResizerBundle {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip bytes, equal to Terraform's filebase64sha256(zipPath). */
  readonly sourceCodeHash: string;
  readonly sizeBytes: number;
  readonly architecture: LambdaArchitecture;
}

export interface BuildResizerBundleOptions {
  readonly architecture: LambdaArchitecture;
  /** Folder for the zip. @default `<kit root>/.build/bundles` */
  readonly outDir?: string;
  /**
   * The handler's TypeScript entry (exports `handler`).
   * @default `<kit root>/lambda-src/index.ts`
   */
  readonly entry?: string;
}

/** The Lambda handler setting for the bundle: `index.js` at the zip root exporting `handler`. */
export const RESIZER_HANDLER = "index.handler";

/**
 * Builds the resizer Lambda zip for one architecture, synchronously (cdktf synthesizes
 * synchronously): esbuild output as `index.js` plus sharp with the target's Linux binaries in
 * `node_modules/`, zipped deterministically, so unchanged sources give the same bytes and the
 * same `source_code_hash`. Hand the zip to the function with a TerraformAsset of type FILE;
 * never let cdktf zip a folder by re-running the app.
 */
export function buildResizerBundle(options: BuildResizerBundleOptions): ResizerBundle {
  const architecture = assertLambdaArchitecture(options.architecture);
  const entry = resolve(options.entry ?? DEFAULT_HANDLER_ENTRY);
  if (!existsSync(entry)) throw new Error(`Resizer handler entry not found: ${entry}`);
  const outDir = resolve(options.outDir ?? DEFAULT_BUNDLE_DIR);
  const zipPath = join(outDir, resizerZipName(architecture));

  const memoKey = `${architecture}\0${entry}\0${zipPath}`;
  const memoized = builtThisProcess.get(memoKey);
  if (memoized !== undefined) return memoized;

  const runtime = installRuntimeDependencies({ architecture, manifestDir: LAMBDA_SRC_DIR, cacheRoot: BUILD_DIR });
  const handler = compileHandler(entry, KIT_ROOT);
  const bundle = zipBundle(architecture, zipPath, handler.code, runtime);
  builtThisProcess.set(memoKey, [...handler.inputs, ...runtime.watchedFiles, zipPath], bundle);
  return bundle;
}

const builtThisProcess = new FileStampMemo<ResizerBundle>();

/** Zips index.js and the runtime, unless the zip on disk was already built from the same inputs. */
function zipBundle(architecture: LambdaArchitecture, zipPath: string, handlerCode: Buffer, runtime: InstalledRuntime): ResizerBundle {
  const inputKey = bundleInputKey(handlerCode, runtime.cacheKey);
  const cachedHash = cachedSourceCodeHash(zipPath, inputKey, (path) => sha256Base64(readFileSync(path)));
  if (cachedHash !== undefined) {
    return { zipPath, sourceCodeHash: cachedHash, sizeBytes: statSync(zipPath).size, architecture };
  }
  const zip = createDeterministicZip([
    { path: "index.js", data: handlerCode, executable: false },
    ...collectRuntimeEntries(runtime.nodeModulesDir, architecture),
  ]);
  const sourceCodeHash = sha256Base64(zip);
  writeAtomically(zipPath, zip);
  writeAtomically(cacheRecordPath(zipPath), Buffer.from(cacheRecord(inputKey, sourceCodeHash)));
  return { zipPath, sourceCodeHash, sizeBytes: zip.length, architecture };
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
