/**
 * The resizer's runtime dependencies: sharp with the target's native binaries, installed for Linux on the
 * target CPU whatever machine this runs on, and the rules for which of their files go into the zip.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { npmCpu, sharpPlatform, type LambdaArchitecture } from "./target";
import type { ZipEntry } from "./zip";

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
  const installed: InstalledRuntime = { nodeModulesDir: join(finalDir, "node_modules"), cacheKey: `${architecture}-${key}` };
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

/**
 * Which files of the installed runtime tree (paths relative to node_modules, forward slashes)
 * go into the Lambda zip. Pure. Everything is shipped except what no code loads at run time:
 * docs, type declarations, C++ sources and build scripts, test folders, and any sharp package
 * built for another platform. Licence notices are kept.
 */
export function isShippedRuntimeFile(relativePath: string, architecture: LambdaArchitecture): boolean {
  const segments = relativePath.split("/");
  const fileName = segments[segments.length - 1]!;
  if (segments[0] === ".bin" || fileName === ".package-lock.json") return false;
  if (segments.slice(0, -1).some((dir) => JUNK_DIRS.has(dir.toLowerCase()))) return false;
  if (segments[0] === "@img" && !isTargetImgPackage(segments[1] ?? "", architecture)) return false;
  // sharp's install/ only builds sharp from source (an install script we never run).
  if (segments[0] === "sharp" && segments[1] === "install") return false;
  if (isLicenceNotice(fileName)) return true;
  // The libvips package's README is the licence table of the libraries inside libvips-cpp.so.
  if (segments[0] === "@img" && segments[1]?.startsWith("sharp-libvips-") && fileName === "README.md") return true;
  return !JUNK_FILE.test(fileName);
}

const JUNK_DIRS = new Set(["test", "tests", "__tests__", "docs", "doc", "example", "examples", ".github"]);
const JUNK_FILE = /(\.md|\.markdown|\.d\.ts|\.d\.cts|\.d\.mts|\.map|\.cc|\.cpp|\.c|\.h|\.hpp|\.gyp|\.gypi|\.tsbuildinfo)$|^\.npmignore$|^\.editorconfig$/i;

function isLicenceNotice(fileName: string): boolean {
  return /^(licen[cs]e|copying|notice)(\.|-|$)/i.test(fileName);
}

/** `colour` plus the target's own binding and libvips; every other sharp platform is dropped. */
function isTargetImgPackage(name: string, architecture: LambdaArchitecture): boolean {
  if (!name.startsWith("sharp-")) return true;
  const platform = sharpPlatform(architecture);
  return name === `sharp-${platform}` || name === `sharp-libvips-${platform}`;
}

/**
 * Reads the shipped files of an installed node_modules folder as zip entries under
 * `node_modules/`. Symlinks are skipped (npm's .bin links; nothing sharp needs). A file keeps
 * the executable bit only if it had one, so modes do not depend on the local umask.
 */
export function collectRuntimeEntries(nodeModulesDir: string, architecture: LambdaArchitecture): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const walk = (dir: string, relativeDir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const absolute = join(dir, name);
      const relative = relativeDir === "" ? name : `${relativeDir}/${name}`;
      const stats = lstatSync(absolute);
      if (stats.isDirectory()) walk(absolute, relative);
      else if (stats.isFile() && isShippedRuntimeFile(relative, architecture)) {
        entries.push({ path: `node_modules/${relative}`, data: readFileSync(absolute), executable: (stats.mode & 0o111) !== 0 });
      }
    }
  };
  walk(nodeModulesDir, "");
  assertTargetBinariesPresent(entries, architecture);
  return entries;
}

/** A bundle without the target's sharp binding or libvips would only fail at the first request. */
export function assertTargetBinariesPresent(entries: readonly ZipEntry[], architecture: LambdaArchitecture): void {
  const platform = sharpPlatform(architecture);
  const required: ReadonlyArray<[string, RegExp]> = [
    ["sharp's JavaScript", /^node_modules\/sharp\/package\.json$/],
    [`the sharp-${platform} binding`, new RegExp(`^node_modules/@img/sharp-${platform}/lib/[^/]+\\.node$`)],
    [`libvips for ${platform}`, new RegExp(`^node_modules/@img/sharp-libvips-${platform}/lib/libvips-cpp\\.so[^/]*$`)],
  ];
  const missing = required.filter(([, pattern]) => !entries.some((e) => pattern.test(e.path))).map(([what]) => what);
  if (missing.length > 0) {
    throw new Error(`Resizer bundle for ${architecture} is missing ${missing.join(", ")}: the runtime install is incomplete`);
  }
}
