/**
 * What a zip targets, shared by the choice of a zip (index.ts) and its build (build.ts, compile.ts, runtime.ts):
 * the function's runtime and architecture, the zips' names and Terraform's hash of them.
 */
import { createHash } from "node:crypto";
import { LAMBDA_ARCHITECTURES, type LambdaArchitecture } from "../construct/props";

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
 * the kit's ~> 6.28; an older provider planning offline gets it set aside, modules/cli/plan) and of the
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

