#!/usr/bin/env node
/**
 * `npm run setup [-- --tests]`: makes a fresh Debian or Ubuntu machine ready, and does nothing twice.
 *   1. Node: at least the version package.json's `engines` names, else one line and exit 4.
 *   2. The kit's packages: `npm ci`, unless node_modules already holds this package-lock.json (a stamp of its
 *      hash written after a successful install), so the README's two lines install once.
 *   3. With --tests: what the tests need beside npm: Debian's Chromium (the browser test) and the Nanum fonts
 *      (Korean names in its screenshot), installed with apt-get only when missing (sudo unless root).
 * Plain JavaScript with no dependencies: it runs before anything is installed. Says what it did and skipped.
 */
"use strict";
const { createHash } = require("node:crypto");
const { execFileSync, spawnSync } = require("node:child_process");
const { existsSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const ROOT = join(__dirname, "..");
const STAMP = join(ROOT, "node_modules", ".setup-lockfile-sha256");
const APT_PACKAGES = ["chromium", "fonts-nanum"];
const USAGE = "usage: npm run setup [-- --tests]   (--tests: also Chromium and the Nanum fonts, with apt-get, when missing)";

const say = (line) => process.stdout.write(`setup: ${line}\n`);

function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.find((arg) => arg !== "--tests");
  if (unknown !== undefined) {
    // The wording of modules/cli/command-line.ts (this file runs before TypeScript is installed).
    process.stderr.write(`setup: unknown option ${unknown}; allowed: --tests, --help; see npm run setup -- --help\n`);
    return 2;
  }
  const node = checkNode();
  if (node !== 0) return node;
  installPackages();
  return argv.includes("--tests") ? installTestTools() : 0;
}

function checkNode() {
  const range = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node;
  const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)/.exec(range);
  const have = process.versions.node.split(".").map(Number);
  const need = minimum.slice(1).map(Number);
  const older = have[0] !== need[0] ? have[0] < need[0] : have[1] !== need[1] ? have[1] < need[1] : have[2] < need[2];
  if (older) {
    process.stderr.write(`setup: Node ${process.versions.node} is older than the kit needs (${range}); install a newer Node and run it again\n`);
    return 4;
  }
  say(`Node ${process.versions.node} (needs ${range}): ok`);
  return 0;
}

function installPackages() {
  const lockHash = createHash("sha256").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex");
  if (existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === lockHash) {
    say("node_modules already matches package-lock.json: npm ci skipped");
    return;
  }
  say("npm ci (the kit's packages, exactly as package-lock.json pins them)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ROOT, stdio: "inherit" });
  writeFileSync(STAMP, `${lockHash}\n`);
}

function installTestTools() {
  const missing = [];
  if (!onPath("chromium") && !onPath("chromium-browser") && !process.env.CHROMIUM_PATH) missing.push("chromium");
  if (!hasNanumFont()) missing.push("fonts-nanum");
  if (missing.length === 0) {
    say("Chromium and the Nanum fonts are installed: apt-get skipped");
    return 0;
  }
  if (!onPath("apt-get")) {
    process.stderr.write(`setup: the tests need ${missing.join(" and ")}, and this machine has no apt-get: install them, or set CHROMIUM_PATH to a Chromium\n`);
    return 4;
  }
  const sudo = process.getuid && process.getuid() === 0 ? [] : ["sudo"];
  say(`installing ${missing.join(", ")} with apt-get${sudo.length ? " (sudo)" : ""}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", ...APT_PACKAGES.filter((p) => missing.includes(p))]]) {
    const [command, ...rest] = [...sudo, ...args];
    const run = spawnSync(command, rest, { stdio: "inherit", env });
    if (run.status !== 0) {
      process.stderr.write(`setup: ${args.join(" ")} failed (exit ${run.status})\n`);
      return 1;
    }
  }
  return 0;
}

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function hasNanumFont() {
  const list = spawnSync("fc-list", [], { encoding: "utf8" });
  return list.status === 0 && /nanum/i.test(list.stdout);
}

process.exitCode = main(process.argv.slice(2));
