/**
 * Every command the README names, as a user types it (`npm run <script> -- ...`): --help and -h print its usage
 * and exit 0; a wrong flag is one line on stderr naming it, ending with how to get help, and exit 2
 * (modules/cli/command-line.ts, the README's exit-code table).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");

/** [npm script, arguments before the flag (a subcommand), how the error line starts, how help is asked for]. */
const COMMANDS: readonly (readonly [string, readonly string[], string, string])[] = [
  ["review", [], "image-cdn-kit review", "image-cdn-kit review --help"],
  ["plan", [], "image-cdn-kit plan", "image-cdn-kit plan --help"],
  ["preview", [], "preview", "npm run preview -- --help"],
  ["cost", [], "cost", "npm run cost -- --help"],
  ["bench", [], "bench", "npm run bench -- --help"],
  ["bundle", [], "bundle", "npm run bundle -- --help"],
  ["synth:hcl", [], "synth:hcl", "npm run synth:hcl -- --help"],
  ["setup", [], "setup", "npm run setup -- --help"],
  ["docs", [], "docs", "npm run docs -- --help"],
];

function npmRun(script: string, args: readonly string[]) {
  return spawnSync("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
}

describe.each(COMMANDS)("npm run %s", (script, before, name, help) => {
  it("answers --help and -h with its usage on stdout, exit 0", () => {
    const long = npmRun(script, [...before, "--help"]);
    expect([long.status, long.stderr]).toEqual([0, ""]);
    expect(long.stdout).toMatch(/^usage: /);
    const short = npmRun(script, [...before, "-h"]);
    expect([short.status, short.stdout]).toEqual([0, long.stdout]);
  }, 60_000);

  it("answers a wrong flag with one line naming it, exit 2", () => {
    const wrong = npmRun(script, [...before, "--colour"]);
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toBe(`${name}: unknown option --colour; allowed: ${wrong.stderr.split("allowed: ")[1]!.split("; see")[0]}; see ${help}\n`);
    expect(wrong.stderr).toMatch(/allowed: .*--help; see /);
  }, 60_000);
});

describe("the image-cdn-kit command", () => {
  const kit = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), ...args], { encoding: "utf8" });

  it("lists its commands and the exit codes on --help; sign has its own", () => {
    const top = kit("--help");
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/^usage: image-cdn-kit <command>/);
    for (const command of ["review", "plan", "sign"]) expect(top.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(top.stdout).toContain("Exit codes: 0 done, 1 internal error, 2 wrong flag or argument, 3 a check failed, 4 a prerequisite is missing.");
    expect(kit("sign", "--help").stdout).toMatch(/^usage: IMAGE_CDN_SIGNING_SECRET=\.\.\. image-cdn-kit sign/);
  }, 60_000);

  it("no command, an unknown one, a missing argument, a refused value: one line each, exit 2", () => {
    expect([kit().status, kit().stderr]).toEqual([2, "image-cdn-kit: a command is needed: review, plan or sign; see image-cdn-kit --help\n"]);
    expect(kit("deploy").stderr).toBe('image-cdn-kit: unknown command "deploy"; allowed: review, plan, sign; see image-cdn-kit --help\n');
    expect([kit("review", "only-one").status, kit("review", "only-one").stderr]).toEqual([2, "image-cdn-kit review: review takes <base-synth-dir> <head-synth-dir>; see image-cdn-kit review --help\n"]);
    const short = spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), "sign", "https://img.example.com", "a.jpg", "--w", "100"], {
      encoding: "utf8",
      env: { ...process.env, IMAGE_CDN_SIGNING_SECRET: "too-short" },
    });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/^image-cdn-kit sign: signImageUrl: secret must be at least 32 characters[^\n]*; see image-cdn-kit sign --help\n$/);
  }, 60_000);
});
