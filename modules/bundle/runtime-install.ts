import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type LambdaArchitecture, npmCpu } from "./architecture";

/** Bump when the install recipe changes, so caches made by the old recipe are not reused. */
const RECIPE_VERSION = "1";
const MARKER_FILE = ".runtime-installed";

export interface RuntimeInstallOptions {
  readonly architecture: LambdaArchitecture;
  /** Folder holding the runtime package.json and package-lock.json (lambda-src). */
  readonly manifestDir: string;
  /** Parent of the per-architecture cache folders (<kit root>/.build). */
  readonly cacheRoot: string;
}

export interface InstalledRuntime {
  readonly nodeModulesDir: string;
  /** Identifies the installed tree: same key, same files. */
  readonly cacheKey: string;
  /** Files whose change invalidates the install: the manifest and the install's marker. */
  readonly watchedFiles: readonly string[];
}

/**
 * Installs the resizer's runtime dependencies (sharp and the target's native binaries) for
 * Linux on the target CPU, whatever machine this runs on, and returns its node_modules folder.
 * The cache folder is named after the lockfile's hash, so a lockfile change installs afresh
 * and an unchanged one is reused. The install happens in a temporary folder renamed into place
 * once complete, so an interrupted or concurrent build never leaves a half-installed cache.
 */
export function installRuntimeDependencies(options: RuntimeInstallOptions): InstalledRuntime {
  const { architecture, manifestDir, cacheRoot } = options;
  const manifest = readManifest(manifestDir);
  const key = runtimeCacheKey(architecture, manifest.packageJson, manifest.lockfile);
  const finalDir = join(cacheRoot, `runtime-${architecture}-${key}`);
  const installed: InstalledRuntime = {
    nodeModulesDir: join(finalDir, "node_modules"),
    cacheKey: `${architecture}-${key}`,
    watchedFiles: [manifest.packageJsonPath, manifest.lockfilePath, join(finalDir, MARKER_FILE)],
  };
  if (existsSync(join(finalDir, MARKER_FILE))) return installed;

  mkdirSync(cacheRoot, { recursive: true });
  const workDir = `${finalDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(workDir, { recursive: true });
  try {
    copyFileSync(manifest.packageJsonPath, join(workDir, "package.json"));
    copyFileSync(manifest.lockfilePath, join(workDir, "package-lock.json"));
    runNpmCi(workDir, architecture, manifest.lockfilePath);
    writeFileSync(join(workDir, MARKER_FILE), `${key}\n`);
    moveIntoPlace(workDir, finalDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return installed;
}

function moveIntoPlace(workDir: string, finalDir: string): void {
  try {
    renameSync(workDir, finalDir);
  } catch {
    // Another process finished the same install first: use theirs.
    if (existsSync(join(finalDir, MARKER_FILE))) return;
    // A stale folder from an interrupted build (no marker): replace it.
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(workDir, finalDir);
  }
}

/** Hash of what decides the installed tree: lockfile, manifest, target CPU and the recipe. */
export function runtimeCacheKey(architecture: LambdaArchitecture, packageJson: Buffer, lockfile: Buffer): string {
  return createHash("sha256")
    .update(`${RECIPE_VERSION}\0${architecture}\0`)
    .update(packageJson)
    .update("\0")
    .update(lockfile)
    .digest("hex")
    .slice(0, 16);
}

/**
 * The npm flags: Linux/glibc on the target CPU (npm installs foreign-platform optional
 * packages when told to), production only, no install scripts (sharp needs none with
 * prebuilt binaries), and explicit layout settings so a user's npm config cannot reshape
 * the tree (hoisted, optional included, no bin links) or redirect it (prefix).
 */
export function npmCiArguments(installDir: string, architecture: LambdaArchitecture): string[] {
  return [
    "ci",
    `--prefix=${installDir}`,
    "--os=linux",
    `--cpu=${npmCpu(architecture)}`,
    "--libc=glibc",
    "--omit=dev",
    "--include=optional",
    "--install-strategy=hoisted",
    "--ignore-scripts",
    "--no-bin-links",
    "--workspaces=false",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
  ];
}

function runNpmCi(installDir: string, architecture: LambdaArchitecture, lockfilePath: string): void {
  const [command, ...prefixArgs] = npmCommand();
  try {
    execFileSync(command!, [...prefixArgs, ...npmCiArguments(installDir, architecture)], {
      cwd: installDir,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `Installing the resizer's runtime dependencies for ${architecture} from ${lockfilePath} failed (npm ci; ` +
        `it needs the npm registry or npm's cache):\n${npmErrorSummary(stderr) || (error as Error).message}`,
    );
  }
}

/** npm's reason without its usage text: the lines before "Usage:", at most 12. */
export function npmErrorSummary(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trimEnd());
  const usageAt = lines.findIndex((line) => /^npm error Usage:/.test(line));
  const reason = (usageAt === -1 ? lines : lines.slice(0, usageAt)).filter((line) => /^npm (error|ERR!)/.test(line) && !/^npm (error|ERR!)\s*$/.test(line));
  const shown = reason.slice(0, 12);
  if (reason.length > shown.length) shown.push(`npm error ... (${reason.length - shown.length} more lines)`);
  return shown.join("\n");
}

/**
 * The npm that runs this process when there is one (`npm run bundle`, `npm test`), else the
 * npm on PATH. npm_execpath can also point at npx, yarn or pnpm: only npm's own CLI is used.
 */
function npmCommand(): string[] {
  const execPath = process.env.npm_execpath;
  if (execPath && basename(execPath) === "npm-cli.js" && existsSync(execPath)) return [process.execPath, execPath];
  return ["npm"];
}

interface RuntimeManifest {
  readonly packageJsonPath: string;
  readonly lockfilePath: string;
  readonly packageJson: Buffer;
  readonly lockfile: Buffer;
}

function readManifest(manifestDir: string): RuntimeManifest {
  const packageJsonPath = join(manifestDir, "package.json");
  const lockfilePath = join(manifestDir, "package-lock.json");
  for (const path of [packageJsonPath, lockfilePath]) {
    if (!existsSync(path)) {
      throw new Error(`Resizer runtime manifest not found: ${path} (run \`npm install --package-lock-only\` in ${manifestDir})`);
    }
  }
  return { packageJsonPath, lockfilePath, packageJson: readFileSync(packageJsonPath), lockfile: readFileSync(lockfilePath) };
}
