/**
 * The resizer zip a function deploys. Choosing it loads nothing heavy: only a build from source (a
 * checkout without a prebuilt zip) loads `./build`, with esbuild and npm behind it. See README.md.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LAMBDA_ARCHITECTURES, type LambdaArchitecture } from "../props";
import { ImageCdnPropError } from "../validate-props";

export { LAMBDA_ARCHITECTURES, type LambdaArchitecture };

/** The zip a function deploys and Terraform's filebase64sha256 of it. */
export interface FunctionZip {
  readonly zipPath: string;
  readonly sourceCodeHash: string;
}

export interface ResizerZip extends FunctionZip {
  readonly architecture: LambdaArchitecture;
}

/** The purge function: plain JavaScript (its AWS SDK bundled), so one zip runs on arm64, the cheaper architecture. */
export const PURGE_ZIP_NAME = "purge.zip";
export const PURGE_ARCHITECTURE: LambdaArchitecture = "arm64";

/**
 * The Node.js major version of the function's runtime (nodejs24.x: the newest Node runtime of Lambda, an LTS line
 * to April 2028; hashicorp/aws takes its enumeration from the AWS SDK, which lists it since 2025-10-23, well before
 * the kit's ~> 6.28; an older provider planning offline gets it set aside, modules/plan) and of the
 * bundle's esbuild target. sharp loads through Node-API, so its binaries do not depend on it.
 */
export const RESIZER_NODE_MAJOR = 24;

/** npm (--cpu) and Node (process.arch) call Lambda's x86_64 "x64". */
export function npmCpu(architecture: LambdaArchitecture): "arm64" | "x64" {
  return architecture === "arm64" ? "arm64" : "x64";
}

/** The platform suffix of sharp's prebuilt packages, e.g. `@img/sharp-linux-arm64`. */
export function sharpPlatform(architecture: LambdaArchitecture): string {
  return `linux-${npmCpu(architecture)}`;
}

export function assertLambdaArchitecture(value: unknown): LambdaArchitecture {
  if (value === "arm64" || value === "x86_64") return value;
  throw new Error(`Invalid resizer architecture ${JSON.stringify(value)}: expected one of ${LAMBDA_ARCHITECTURES.map((a) => `"${a}"`).join(", ")}`);
}

export function resizerZipName(architecture: LambdaArchitecture): string {
  return `resizer-${architecture}.zip`;
}

/** Terraform's filebase64sha256: base64 of the raw SHA-256 digest. */
export function sha256Base64(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("base64");
}

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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildResizerBundle } = require("./build") as typeof import("./build");
  return buildResizerBundle({ architecture });
}

/** The purge function's zip: the one the installed package ships, else a build of lambda-src/purge/ (a checkout). */
export function purgeZip(): FunctionZip {
  const shipped = join(PREBUILT_DIR, PURGE_ZIP_NAME);
  if (existsSync(shipped)) return { zipPath: shipped, sourceCodeHash: sha256Base64(readFileSync(shipped)) };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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
