import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LambdaArchitecture, sharpPlatform } from "./architecture";
import type { ZipEntry } from "./zip";

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
