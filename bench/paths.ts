import path from "node:path";

/** The repository root (bench/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** The shared fixture photos, next to the repository. */
export const FIXTURE_DIR = path.resolve(REPO_ROOT, "../shared/fixtures/images");

/** Generated inputs, outputs and child scripts; .build/ is git-ignored and survives between runs as a cache. */
export const BENCH_DIR = path.join(REPO_ROOT, ".build", "bench");
