/**
 * `npm run setup` (scripts/setup.js) and the README's first two lines that run it: on a copy of the kit's manifests
 * whose node_modules already matches the lockfile it installs nothing and says so; a wrong flag is exit 2. The
 * fresh-machine run itself is CI's: `.ci/run` runs the README's two lines verbatim on a fresh clone.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const work = mkdtempSync(join(tmpdir(), "image-cdn-setup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kitCopy(stamped: boolean): string {
  const dir = mkdtempSync(join(work, "kit-"));
  mkdirSync(join(dir, "scripts"));
  mkdirSync(join(dir, "node_modules"));
  for (const file of ["package.json", "package-lock.json", "scripts/setup.js"]) copyFileSync(join(ROOT, file), join(dir, file));
  const lockHash = createHash("sha256").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex");
  if (stamped) writeFileSync(join(dir, "node_modules", ".setup-lockfile-sha256"), `${lockHash}\n`);
  return dir;
}

const setup = (dir: string, ...args: string[]) => spawnSync(process.execPath, [join(dir, "scripts", "setup.js"), ...args], { encoding: "utf8" });

it("installs nothing when node_modules matches the lockfile, and says so", () => {
  const run = setup(kitCopy(true));
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^setup: Node \d+\.\d+\.\d+ \(needs >=\d+\.\d+\.\d+\): ok$/m);
  expect(run.stdout).toContain("setup: node_modules already matches package-lock.json: npm ci skipped");
});

it("with --tests and Chromium and the fonts present (this machine runs the browser test), skips apt-get", () => {
  const run = setup(kitCopy(true), "--tests");
  expect(run.status).toBe(0);
  expect(run.stdout).toContain("setup: Chromium and the Nanum fonts are installed: apt-get skipped");
});

it("answers --help and -h with its usage, a wrong flag with one line and exit 2", () => {
  for (const flag of ["--help", "-h"]) {
    const run = setup(kitCopy(true), flag);
    expect([run.status, run.stdout]).toEqual([0, expect.stringMatching(/^usage: npm run setup \[-- --tests\]/)]);
  }
  const wrong = setup(kitCopy(true), "--test");
  expect(wrong.status).toBe(2);
  expect(wrong.stderr.trim()).toBe("setup: unknown option --test; allowed: --tests, --help; see npm run setup -- --help");
});

it("refuses a Node older than engines in one line, exit 4", () => {
  const dir = kitCopy(true);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, engines: { node: ">=99.0.0" } }));
  const run = setup(dir);
  expect(run.status).toBe(4);
  expect(run.stderr.trim()).toMatch(/^setup: Node \S+ is older than the kit needs \(>=99\.0\.0\); install a newer Node and run it again$/);
});

it("the README starts with the two lines CI runs: setup then synth, setup --tests then test", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /^```sh\n([\s\S]*?)\n```$/m.exec(readme)![1]!.split("\n");
  expect(block.map((line) => line.replace(/\s+#.*$/, ""))).toEqual(["npm run setup && npm run synth", "npm run setup -- --tests && npm test"]);
  expect(readFileSync(join(ROOT, ".ci", "run"), "utf8")).toContain('bash -euo pipefail -c "$line"');
});
