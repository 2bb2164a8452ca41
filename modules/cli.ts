#!/usr/bin/env node
/**
 * `image-cdn-kit sign <base-url> <key> [--w N] [--h N] [--fit F] [--format F] [--q N] [--preset P]
 * [--expires-in SECONDS]`: prints a signed URL; the secret is read from IMAGE_CDN_SIGNING_SECRET (never an
 * argument, which other users of the machine can read in the process list).
 *
 * `image-cdn-kit review <base> <head> [--fail-on-access-change]` (in this repository: `npm run review --`):
 * compares two synthesized folders (a cdktf.out, or one stack folder holding cdk.tf.json) and prints the
 * Markdown for a pull-request comment. Offline; exit 2 with --fail-on-access-change when who may do what changes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compareStacks, reviewMarkdown, type StackConfig } from "./review";
import { SIGNABLE_PARAMS, signImageUrl, type SignableParams } from "./signing";

const USAGE = [
  "usage: image-cdn-kit review <base-synth-dir> <head-synth-dir> [--fail-on-access-change]",
  "       IMAGE_CDN_SIGNING_SECRET=... image-cdn-kit sign <base-url> <key> [--w N] [--h N] [--fit F] [--format F] [--q N] [--preset P] [--expires-in SECONDS]",
].join("\n");

/** Stack name -> parsed cdk.tf.json, from a cdktf.out folder or a single stack folder. */
export function readSynthesized(dir: string): Map<string, StackConfig> {
  const single = join(dir, "cdk.tf.json");
  if (existsSync(single)) return new Map([[dir.split(/[\\/]/).filter(Boolean).pop() ?? "stack", JSON.parse(readFileSync(single, "utf8")) as StackConfig]]);
  const stacks = join(dir, "stacks");
  if (!existsSync(stacks)) throw new Error(`${dir} holds neither cdk.tf.json nor stacks/: give a synthesized folder (cdktf.out)`);
  return new Map(readdirSync(stacks).sort()
    .filter((name) => existsSync(join(stacks, name, "cdk.tf.json")))
    .map((name) => [name, JSON.parse(readFileSync(join(stacks, name, "cdk.tf.json"), "utf8")) as StackConfig]));
}

export function review(baseDir: string, headDir: string): { markdown: string; accessChanged: boolean } {
  const base = readSynthesized(baseDir);
  const head = readSynthesized(headDir);
  let accessChanged = false;
  const parts = [...new Set([...base.keys(), ...head.keys()])].sort().map((name) => {
    const summary = compareStacks(base.get(name) ?? {}, head.get(name) ?? {});
    accessChanged ||= summary.grantsAdded.length + summary.grantsRemoved.length > 0;
    return reviewMarkdown(name, summary);
  });
  return { markdown: parts.join("\n"), accessChanged };
}

/** The `sign` subcommand; `now` in milliseconds, for --expires-in. */
export function signCommand(argv: string[], env: NodeJS.ProcessEnv, now: number): string {
  const options = Object.fromEntries([...SIGNABLE_PARAMS, "expires-in"].map((name) => [name, { type: "string" as const }]));
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  const [baseUrl, key, ...extra] = positionals;
  if (baseUrl === undefined || key === undefined || extra.length > 0) throw new Error(`sign takes <base-url> <key>\n${USAGE}`);
  const secret = env.IMAGE_CDN_SIGNING_SECRET;
  if (!secret) throw new Error("sign reads the secret from IMAGE_CDN_SIGNING_SECRET, which is not set");
  const params: SignableParams = Object.fromEntries(SIGNABLE_PARAMS.filter((name) => values[name] !== undefined).map((name) => [name, values[name] as string]));
  const expiresIn = values["expires-in"] as string | undefined;
  if (expiresIn !== undefined && !/^[1-9][0-9]*$/.test(expiresIn)) throw new Error(`--expires-in must be a whole number of seconds, got ${JSON.stringify(expiresIn)}`);
  const expires = expiresIn === undefined ? undefined : Math.floor(now / 1000) + Number(expiresIn);
  return signImageUrl(baseUrl, key, params, secret, { expires });
}

function main(argv: string[]): number {
  if (argv[0] === "sign") {
    process.stdout.write(`${signCommand(argv.slice(1), process.env, Date.now())}\n`);
    return 0;
  }
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { "fail-on-access-change": { type: "boolean", default: false } } });
  const [command, baseDir, headDir, ...extra] = positionals;
  if (command !== "review" || baseDir === undefined || headDir === undefined || extra.length > 0) {
    console.error(USAGE);
    return 64;
  }
  const { markdown, accessChanged } = review(baseDir, headDir);
  process.stdout.write(markdown);
  return values["fail-on-access-change"] && accessChanged ? 2 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`image-cdn-kit: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
