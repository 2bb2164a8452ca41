import { join, resolve } from "node:path";

/**
 * The kit's root folder, found from this file's location rather than process.cwd(), so the
 * bundle builds the same when the kit is imported by another project or run from elsewhere.
 */
export const KIT_ROOT = resolve(__dirname, "..", "..");

/** Scratch space for generated artefacts (git-ignored). */
export const BUILD_DIR = join(KIT_ROOT, ".build");

export const DEFAULT_BUNDLE_DIR = join(BUILD_DIR, "bundles");

/** The resizer's source folder: the handler entry and its runtime-dependency manifest. */
export const LAMBDA_SRC_DIR = join(KIT_ROOT, "lambda-src");

export const DEFAULT_HANDLER_ENTRY = join(LAMBDA_SRC_DIR, "index.ts");
