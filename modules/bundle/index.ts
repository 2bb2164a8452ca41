/**
 * The resizer zip a function deploys. Choosing it loads nothing heavy: only a build from source (a
 * checkout without a prebuilt zip) loads `./build`, with esbuild and npm behind it. See README.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PURGE_ZIP_NAME, resizerZipName, sha256Base64, sharpPlatform, type FunctionZip, type LambdaArchitecture, type ResizerZip } from "./target";
import { ImageCdnPropError } from "../construct/validate-props";

export * from "./target";

/**
 * Where `npm pack` puts the zips the package ships: `dist/prebuilt-resizer/` beside the compiled
 * modules. A checkout has no such folder and builds from lambda-src/ instead.
 */
export const PREBUILT_DIR = resolve(__dirname, "..", "..", "prebuilt-resizer");

/**
 * The resizer zip for a function: the user's own (`resizer.bundle`), else the one the installed package
 * ships, else a build of lambda-src/ (a checkout). Only the last needs esbuild, npm and the registry, so
 * the builder is loaded only then: an installed package synthesizes offline with none of them.
 */
export function resizerZip(architecture: LambdaArchitecture, userZip?: string): ResizerZip {
  if (userZip !== undefined) return givenZip(resolve(userZip), architecture);
  const shipped = join(PREBUILT_DIR, resizerZipName(architecture));
  if (existsSync(shipped)) return givenZip(shipped, architecture);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here: ./build needs esbuild, a devDependency
  const { buildResizerBundle } = require("./build") as typeof import("./build");
  return buildResizerBundle({ architecture });
}

/** The purge function's zip: the one the installed package ships, else a build of lambda-src/purge/ (a checkout). */
export function purgeZip(): FunctionZip {
  const shipped = join(PREBUILT_DIR, PURGE_ZIP_NAME);
  if (existsSync(shipped)) return { zipPath: shipped, sourceCodeHash: sha256Base64(readFileSync(shipped)) };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here: ./build needs esbuild, a devDependency
  const { buildPurgeBundle } = require("./build") as typeof import("./build");
  return buildPurgeBundle();
}

/**
 * A zip built elsewhere. When it carries sharp's native binaries, they must be the function's architecture
 * (node_modules/@img/sharp-linux-<cpu>): an x86_64 zip on an arm64 function fails only at run time.
 */
function givenZip(zipPath: string, architecture: LambdaArchitecture): ResizerZip {
  let bytes: Buffer;
  try {
    bytes = readFileSync(zipPath);
  } catch {
    throw new ImageCdnPropError("resizer.bundle", zipPath, "the path of a readable zip file");
  }
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) {
    throw new ImageCdnPropError("resizer.bundle", zipPath, "a zip file (this one does not start with a zip header)");
  }
  const text = bytes.toString("latin1");
  if (text.includes("@img/sharp-linux-") && !text.includes(`@img/sharp-${sharpPlatform(architecture)}/`)) {
    throw new ImageCdnPropError("resizer.bundle", zipPath, `a zip with sharp's binaries for ${architecture} (@img/sharp-${sharpPlatform(architecture)}), or set resizer.architecture to match`);
  }
  return { zipPath, sourceCodeHash: sha256Base64(bytes), architecture };
}
