import path from "node:path";

/** The repository root (bench/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, "..");

export { FIXTURES_DIR as FIXTURE_DIR } from "../fixtures";

/** Generated inputs, outputs and child scripts; .build/ is git-ignored and survives between runs as a cache. */
export const BENCH_DIR = path.join(REPO_ROOT, ".build", "bench");
