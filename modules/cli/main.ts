#!/usr/bin/env node
/**
 * `image-cdn-kit sign <base-url> <key> [--<parameter> VALUE]... [--preset NAME] [--expires-in SECONDS]`: prints a
 * signed URL; the secret is read from IMAGE_CDN_SIGNING_SECRET (never an argument, which other users of the machine
 * can read in the process list).
 *
 * `image-cdn-kit review <base> <head> [--fail-on-access-change]` (in this repository: `npm run review --`):
 * compares two synthesized folders (a cdktf.out, or one stack folder holding cdk.tf.json) and prints the
 * Markdown for a pull-request comment. Offline; exit 3 with --fail-on-access-change when who may do what changes.
 * With --plan, Terraform plans both sides offline (`plan` below) and the comment adds the planned values that differ.
 *
 * `image-cdn-kit plan [<synth-dir> ...] [--variant NAME ...] [--plugin-dir DIR] [--no-mocked-apply] [--keep]`:
 * Terraform validates, plans and applies (against a mocked provider) each stack offline, in a scratch copy with
 * the backend removed (modules/cli/plan). Without folders it plans the kit's own variants (in this repository:
 * `npm run plan`). Exit 3 when a stack fails, 4 when Terraform is not there to run.
 *
 * Every command answers --help (-h); exit codes and error lines follow modules/cli/command-line.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PARAMETER_NAMES, PARAMETERS, PRESET_PARAM, type Environment } from "../../lambda-src/core/contract";
import { EXIT_CODES, EXIT_CODES_LINE, parseCommandLine, runCommand, UsageError } from "./command-line";
import { comparePlans, compareStacks, planMarkdown, reviewMarkdown, type PlannedValues, type StackConfig } from "./review";
import { SIGNABLE_PARAMS, signImageUrl, type SignableParams } from "../construct/signing";
import { planStacks, reportText, stackFolders, statusLine, TerraformUnavailable } from "./plan";

const REVIEW_USAGE = `usage: image-cdn-kit review <base-synth-dir> <head-synth-dir> [--fail-on-access-change] [--plan [--plugin-dir DIR]]
  Compares two synthesized folders (a cdktf.out, or a stack folder holding cdk.tf.json) and prints Markdown for a
  pull-request comment: resources, changed values, who may do what. Offline.
  --fail-on-access-change  exit 3 when who may do what changes
  --plan                   also plan both sides offline with Terraform and list the planned values that differ
  --plugin-dir DIR         a local provider folder for --plan (default: found, or the registry)`;

const PLAN_USAGE = `usage: image-cdn-kit plan [<synth-dir> ...] [--variant NAME ...] [--list-variants] [--plugin-dir DIR] [--no-mocked-apply] [--keep]
  Terraform validates, plans and applies (against a mocked provider) each stack offline, in a scratch copy with the
  backend removed: your state is never read. Without folders, the kit's own variants.
  --variant NAME     only this variant of the kit (repeatable; --list-variants names them)
  --plugin-dir DIR   a local provider folder (a filesystem mirror or -plugin-dir layout)
  --no-mocked-apply  validate and plan only
  --keep             keep the scratch folder and print its path
  Exit 3 when a stack fails, 4 when terraform is not on PATH.`;

const SIGN_FLAGS = [...PARAMETER_NAMES.map((name) => `[--${name} ${PARAMETERS[name].type === "integer" ? "N" : name.toUpperCase()}]`), `[--${PRESET_PARAM} NAME]`].join(" ");
const SIGN_USAGE = `usage: IMAGE_CDN_SIGNING_SECRET=... image-cdn-kit sign <base-url> <key> ${SIGN_FLAGS} [--expires-in SECONDS]
  Prints a signed URL. The secret (at least 32 characters) is read from IMAGE_CDN_SIGNING_SECRET, never an
  argument, which other users of the machine could read in the process list.`;

const USAGE = `usage: image-cdn-kit <command> [options]   (image-cdn-kit <command> --help for one)
  review  compare two synthesized folders: Markdown for a pull request
  plan    validate, plan and mock-apply stacks with Terraform, offline
  sign    print a signed image URL
${EXIT_CODES_LINE}`;

/** Stack name -> parsed cdk.tf.json, from a cdktf.out folder or a single stack folder. */
export function readSynthesized(dir: string): Map<string, StackConfig> {
  return new Map(stackFolders(dir).map((stack) => [stack.name, JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")) as StackConfig]));
}

/** Stack name -> planned values of each stack of a synthesized folder, planned offline. */
export type PlansBySide = { base: Map<string, PlannedValues>; head: Map<string, PlannedValues> };

export function review(baseDir: string, headDir: string, plans?: PlansBySide): { markdown: string; accessChanged: boolean } {
  const base = readSynthesized(baseDir);
  const head = readSynthesized(headDir);
  let accessChanged = false;
  const parts = [...new Set([...base.keys(), ...head.keys()])].sort().map((name) => {
    const summary = compareStacks(base.get(name) ?? {}, head.get(name) ?? {});
    accessChanged ||= summary.grantsAdded.length + summary.grantsRemoved.length > 0;
    const plan = plans ? planMarkdown(comparePlans(plans.base.get(name) ?? {}, plans.head.get(name) ?? {})) : "";
    return reviewMarkdown(name, summary) + (plan ? `\n${plan}` : "");
  });
  return { markdown: parts.join("\n"), accessChanged };
}

/** Plans every stack of a synthesized folder offline and returns their planned values; a failed plan is an error. */
async function plannedValues(dir: string, pluginDir: string | undefined): Promise<Map<string, PlannedValues>> {
  const report = await planStacks(stackFolders(dir), { pluginDir, plannedValues: true, mockedApply: false });
  const failed = report.stacks.find((s) => s.plan !== "ok");
  if (failed) throw new Error(`the offline plan of ${dir} failed: ${statusLine(failed)}`);
  return new Map(report.stacks.map((s) => [s.name, (s.planned ?? {}) as PlannedValues]));
}

/** The `plan` subcommand: the report on stdout, progress on stderr; the exit code. */
async function planCommand(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(argv, {
    variant: { type: "string", multiple: true },
    "list-variants": { type: "boolean", default: false },
    "plugin-dir": { type: "string" },
    "no-mocked-apply": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  }, true);
  const variants = await import("./plan/variants");
  if (values["list-variants"]) {
    process.stdout.write(variants.PLAN_VARIANTS.map((v) => `${v.name}: ${v.covers}\n`).join(""));
    return EXIT_CODES.ok;
  }
  if (positionals.length > 0 && values.variant) throw new UsageError("plan takes synthesized folders or --variant, not both");
  let synthesized: string | undefined;
  const folders = positionals.length > 0
    ? positionals.flatMap((dir) => stackFolders(dir))
    : (() => {
      const selected = variants.selectVariants(values.variant);
      synthesized = mkdtempSync(join(tmpdir(), "image-cdn-variants-"));
      process.stderr.write(`synthesizing ${selected.length} variant(s) of the kit\n`);
      variants.synthesizeVariants(selected, synthesized);
      return stackFolders(synthesized);
    })();
  try {
    const report = await planStacks(folders, {
      pluginDir: values["plugin-dir"],
      mockedApply: !values["no-mocked-apply"],
      keep: values.keep,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(reportText(report));
    if (values.keep) process.stdout.write(`Scratch folder kept: ${report.scratch}\n`);
    return report.stacks.every((s) => s.validate === "ok" && s.plan === "ok" && s.mockedApply !== "failed") ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
  } catch (error) {
    if (error instanceof TerraformUnavailable) {
      console.error(`image-cdn-kit plan: ${error.message}`);
      return EXIT_CODES.missingPrerequisite;
    }
    throw error;
  } finally {
    if (synthesized) rmSync(synthesized, { recursive: true, force: true });
  }
}

/** The `sign` subcommand; `now` in milliseconds, for --expires-in. */
export function signCommand(argv: readonly string[], env: Environment, now: number): string {
  const options = Object.fromEntries([...SIGNABLE_PARAMS, "expires-in"].map((name) => [name, { type: "string" as const }]));
  const { positionals, values } = parseCommandLine(argv, options, true);
  const [baseUrl, key, ...extra] = positionals;
  if (baseUrl === undefined || key === undefined || extra.length > 0) throw new UsageError("sign takes <base-url> <key>");
  const secret = env.IMAGE_CDN_SIGNING_SECRET;
  if (!secret) throw new UsageError("sign reads the secret from IMAGE_CDN_SIGNING_SECRET, which is not set");
  const params: SignableParams = Object.fromEntries(SIGNABLE_PARAMS.filter((name) => values[name] !== undefined).map((name) => [name, values[name] as string]));
  const expiresIn = values["expires-in"];
  if (expiresIn !== undefined && !/^[1-9][0-9]*$/.test(expiresIn)) throw new UsageError(`--expires-in must be a whole number of seconds, got ${JSON.stringify(expiresIn)}`);
  const expires = expiresIn === undefined ? undefined : Math.floor(now / 1000) + Number(expiresIn);
  try {
    return signImageUrl(baseUrl, key, params, secret, { expires });
  } catch (error) {
    // Everything signImageUrl refuses is the caller's input: a value, a parameter name, a short secret.
    throw new UsageError((error as Error).message);
  }
}

const SUBCOMMANDS: Readonly<Record<string, { usage: string; run: (argv: readonly string[]) => Promise<number> | number }>> = {
  review: { usage: REVIEW_USAGE, run: reviewCommand },
  plan: { usage: PLAN_USAGE, run: planCommand },
  sign: {
    usage: SIGN_USAGE,
    run: (argv) => {
      process.stdout.write(`${signCommand(argv, process.env, Date.now())}\n`);
      return EXIT_CODES.ok;
    },
  },
};

/** The `review` subcommand: the Markdown on stdout; exit 3 with --fail-on-access-change when access changed. */
async function reviewCommand(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(argv, {
    "fail-on-access-change": { type: "boolean", default: false },
    plan: { type: "boolean", default: false },
    "plugin-dir": { type: "string" },
  }, true);
  const [baseDir, headDir, ...extra] = positionals;
  if (baseDir === undefined || headDir === undefined || extra.length > 0) throw new UsageError("review takes <base-synth-dir> <head-synth-dir>");
  const plans = values.plan
    ? await Promise.all([plannedValues(baseDir, values["plugin-dir"]), plannedValues(headDir, values["plugin-dir"])]).then(([base, head]) => ({ base, head }))
    : undefined;
  const { markdown, accessChanged } = review(baseDir, headDir, plans);
  process.stdout.write(markdown);
  return values["fail-on-access-change"] && accessChanged ? EXIT_CODES.checkFailed : EXIT_CODES.ok;
}

/** image-cdn-kit <command> ...: the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const subcommand = command === undefined ? undefined : SUBCOMMANDS[command];
  if (subcommand !== undefined) return runCommand(`image-cdn-kit ${command}`, subcommand.usage, rest, subcommand.run);
  return runCommand("image-cdn-kit", USAGE, argv, () => {
    throw new UsageError(command === undefined ? "a command is needed: review, plan or sign" : `unknown command ${JSON.stringify(command)}; allowed: review, plan, sign`);
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
