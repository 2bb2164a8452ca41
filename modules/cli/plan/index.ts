/**
 * `image-cdn-kit plan`: Terraform itself validates and plans each stack offline, and applies it against a
 * mocked provider. Each stack is copied into a scratch folder with its backend removed, so the user's state
 * and backend are never touched; fake static credentials and the provider's skip flags mean nothing reaches
 * AWS. See README, "Plan without an AWS account".
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describeSetAside, newerEnumeratedValue, offlineCopy, satisfies, withPlannedValues, type Json, type OfflineCopy, type ProviderSchema, type SetAside } from "./offline";
import { UsageError } from "../command-line";
import { mockApplyTest, MOCK_TEST_FILE } from "./mock-apply";
import {
  awsSchema,
  cliConfiguration,
  diagnosticLine,
  type Diagnostic,
  errorsOf,
  findLocalProvider,
  findTerraform,
  firstErrorOfText,
  jsonLines,
  PROVIDER_OVERRIDE_FILE,
  providerOverride,
  runTerraform,
  terraformEnv,
  writeJson,
  type LocalProvider,
  type TerraformBinary,
} from "./terraform";

export interface PlanOptions {
  /** A folder holding hashicorp/aws as a filesystem mirror; else one is looked for (see mirrorCandidates). */
  readonly pluginDir?: string;
  /** The terraform binary; else `terraform` on PATH. */
  readonly terraform?: string;
  /** Keep the scratch folder (its path is printed); it is removed otherwise. */
  readonly keep?: boolean;
  /** Apply each stack against a mocked provider with `terraform test` (Terraform 1.7+). @default true */
  readonly mockedApply?: boolean;
  /** Record `terraform show -json`'s planned values of each stack (for `review --plan`). */
  readonly plannedValues?: boolean;
  readonly concurrency?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines (stderr in the command). */
  readonly log?: (line: string) => void;
}

export type StepStatus = "ok" | "failed" | "skipped";

export interface StackPlan {
  readonly name: string;
  readonly validate: StepStatus;
  readonly plan: StepStatus;
  /** Resources the plan would create, placeholders not counted. */
  readonly toAdd?: number;
  readonly mockedApply: StepStatus;
  /** Assertions the mocked apply checked (all passed when mockedApply is ok). */
  readonly assertions?: number;
  /** Terraform's first error, in one line. */
  readonly firstError?: string;
  readonly setAside: SetAside[];
  readonly droppedLookups: string[];
  readonly removedBackend?: string;
  /** Address -> planned values (resources), with plannedValues. */
  readonly planned?: Record<string, Json>;
}

export interface PlanReport {
  readonly terraform: TerraformBinary;
  /** Why no mocked apply ran, when none did although it was asked for. */
  readonly mockedApplyNotRun?: string;
  readonly provider?: LocalProvider;
  readonly scratch: string;
  readonly stacks: StackPlan[];
}

/** A stack folder to plan: the folder holding cdk.tf.json, and the name to print. */
export interface StackFolder {
  readonly name: string;
  readonly dir: string;
}

/** The stack folders of a synthesized folder (cdktf.out, or one stack folder). */
export function stackFolders(dir: string): StackFolder[] {
  if (existsSync(join(dir, "cdk.tf.json"))) return [{ name: resolve(dir).split(/[\\/]/).pop() ?? "stack", dir }];
  const stacks = join(dir, "stacks");
  if (!existsSync(stacks)) throw new UsageError(`${dir} holds neither cdk.tf.json nor stacks/: give a synthesized folder (cdktf.out)`);
  return readdirSync(stacks).sort().filter((name) => existsSync(join(stacks, name, "cdk.tf.json"))).map((name) => ({ name, dir: join(stacks, name) }));
}

/** The error thrown when Terraform is missing: the command prints it as its one line. */
export class TerraformUnavailable extends Error {}

const PLACEHOLDER = /^terraform_data\.offline_/;

/** Runs `tasks` with at most `limit` at once, keeping their order in the result. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The constraint on hashicorp/aws the stacks ask for (the first one that has one). */
function requiredConstraint(stacks: readonly StackFolder[]): string | undefined {
  for (const stack of stacks) {
    const config = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")) as { terraform?: { required_providers?: { aws?: { version?: string } } } };
    const version = config.terraform?.required_providers?.aws?.version;
    if (version) return version;
  }
  return undefined;
}

/**
 * The schema and version of the hashicorp/aws provider an offline plan would use (for checks of what it sets
 * aside): the newest local one satisfying `constraint`, else the newest local one, else the registry's.
 */
export async function planningProviderSchema(options: { pluginDir?: string; env?: NodeJS.ProcessEnv; constraint?: string } = {}): Promise<{ version: string; schema: ProviderSchema }> {
  const env = options.env ?? process.env;
  const terraform = findTerraform(env);
  if (!terraform) throw new TerraformUnavailable("terraform is not on PATH");
  const provider = findLocalProvider(env, options.pluginDir, (version) => satisfies(version, options.constraint));
  const scratch = mkdtempSync(join(tmpdir(), "image-cdn-schema-"));
  try {
    const cliConfig = join(scratch, "terraform.tfrc");
    writeFileSync(cliConfig, cliConfiguration(provider));
    const tfEnv = terraformEnv(env, cliConfig);
    return await providerSchema(scratch, provider, (args, cwd) => runTerraform(terraform.path, args, cwd, tfEnv), terraform, tfEnv);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function planStacks(stacks: readonly StackFolder[], options: PlanOptions = {}): Promise<PlanReport> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const terraform = findTerraform(env, options.terraform);
  if (!terraform) throw new TerraformUnavailable("terraform is not on PATH (Terraform 1.11 or later): the offline plan check did not run");
  const constraint = requiredConstraint(stacks);
  const provider = findLocalProvider(env, options.pluginDir, (version) => satisfies(version, constraint));
  // mock_provider and override_resource in test files came with Terraform 1.7.
  const mockedApplyNotRun = options.mockedApply !== false && !satisfies(terraform.version, ">= 1.7")
    ? `Terraform ${terraform.version} has no mock providers (1.7 or later): no mocked apply ran`
    : undefined;
  const planOptions = { ...options, mockedApply: options.mockedApply !== false && mockedApplyNotRun === undefined };
  const scratch = mkdtempSync(join(tmpdir(), "image-cdn-plan-"));
  const cliConfig = join(scratch, "terraform.tfrc");
  writeFileSync(cliConfig, cliConfiguration(provider));
  const tfEnv = terraformEnv(env, cliConfig);
  const run = (args: string[], cwd: string) => runTerraform(terraform.path, args, cwd, tfEnv);
  try {
    const schema = await providerSchema(scratch, provider, run, terraform, tfEnv);
    const providerVersion = provider?.version ?? schema.version;
    log(`planning ${stacks.length} stack(s) with Terraform ${terraform.version} and hashicorp/aws ${providerVersion}${provider ? ` from ${provider.mirror} (${provider.foundBy})` : " from the registry"}`);
    const tasks = stacks.map((stack) => () => planOne(stack, join(scratch, "stacks", stack.name), { schema: schema.schema, providerVersion, run, options: planOptions }).then((result) => {
      log(statusLine(result));
      return result;
    }));
    const results = await pool(tasks, options.concurrency ?? Math.max(1, availableParallelism()));
    return { terraform, mockedApplyNotRun, provider, scratch, stacks: results };
  } finally {
    if (!options.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

type Run = (args: string[], cwd: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The planning provider's schema, from a one-line configuration initialized in the scratch folder. */
async function providerSchema(scratch: string, provider: LocalProvider | undefined, run: Run, terraform: TerraformBinary, env: NodeJS.ProcessEnv): Promise<{ schema: ProviderSchema; version: string }> {
  const dir = join(scratch, "provider");
  mkdirSync(dir, { recursive: true });
  const version = provider ? `= ${provider.version}` : ">= 5.0";
  writeJson(join(dir, "main.tf.json"), { terraform: { required_providers: { aws: { source: "hashicorp/aws", version } } } });
  const init = await run(["init", "-input=false", "-backend=false", "-no-color"], dir);
  if (init.code !== 0) {
    throw new Error(`terraform init could not install hashicorp/aws ${provider ? `from ${provider.mirror}` : "from the registry (no local provider folder found; give one with --plugin-dir)"}: ${firstErrorOfText(init.stderr + init.stdout) ?? "see terraform's output"}`);
  }
  const lock = readFileSync(join(dir, ".terraform.lock.hcl"), "utf8");
  const locked = /version\s*=\s*"([^"]+)"/.exec(lock)?.[1] ?? provider?.version ?? "unknown";
  return { schema: await awsSchema(terraform, dir, env), version: locked };
}

/** Copies a stack folder for Terraform: the offline configuration, its assets linked, the provider override. */
function prepare(stack: StackFolder, dir: string, copy: OfflineCopy, mockTest: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(stack.dir)) {
    if (entry === "cdk.tf.json" || entry.startsWith(".terraform") || entry.endsWith(".tfstate")) continue;
    symlinkSync(resolve(stack.dir, entry), join(dir, entry));
  }
  writeJson(join(dir, "cdk.tf.json"), copy.config);
  writeJson(join(dir, PROVIDER_OVERRIDE_FILE), providerOverride(copy.config));
  if (mockTest !== undefined) {
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(join(dir, "tests", MOCK_TEST_FILE), mockTest);
  }
}

async function planOne(stack: StackFolder, dir: string, context: { schema: ProviderSchema; providerVersion: string; run: Run; options: PlanOptions }): Promise<StackPlan> {
  const { schema, providerVersion, run, options } = context;
  const original = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")) as { [key: string]: Json };
  let planCopy = offlineCopy(original, { schema, providerVersion, mode: "plan" });
  // The mocked apply keeps the lookups the plan drops, and with them what they refer to: both copies' set-aside items.
  let applyCopy = offlineCopy(original, { schema, providerVersion, mode: "mock" });
  const setAsideOf = (...lists: SetAside[][]): SetAside[] => [...new Map(lists.flat().map((entry) => [describeSetAside(entry), entry])).values()]
    .sort((a, b) => describeSetAside(a).localeCompare(describeSetAside(b)));
  let base = { name: stack.name, setAside: setAsideOf(planCopy.setAside, applyCopy.setAside), droppedLookups: planCopy.droppedLookups, removedBackend: planCopy.removedBackend };
  const failed = (step: "init" | "validate" | "plan", firstError: string): StackPlan => ({
    ...base,
    validate: step === "plan" ? "ok" : step === "validate" ? "failed" : "skipped",
    plan: step === "plan" ? "failed" : "skipped",
    mockedApply: "skipped",
    firstError: step === "init" ? `terraform init: ${firstError}` : firstError,
  });

  const planDir = join(dir, "plan");
  prepare(stack, planDir, planCopy, undefined);
  const init = await run(["init", "-input=false", "-backend=false", "-no-color"], planDir);
  if (init.code !== 0) return failed("init", firstErrorOfText(init.stderr + init.stdout) ?? "failed");

  // A plan validates the configuration first; `terraform validate` runs only to tell which step failed.
  const planOnce = async () => {
    const result = await run(["plan", "-refresh=false", "-input=false", "-lock=false", "-json", "-no-color", "-out=plan.bin"], planDir);
    const lines = jsonLines(result.stdout);
    return { result, messages: lines, errors: errorsOf(lines), failed: result.code !== 0 || errorsOf(lines).length > 0 };
  };
  const validateOnce = async () => {
    const result = await run(["validate", "-json", "-no-color"], planDir);
    const validation = JSON.parse(result.stdout || "{}") as { valid?: boolean; diagnostics?: Diagnostic[] };
    return { result, valid: validation.valid === true, errors: (validation.diagnostics ?? []).filter((d) => d.severity === "error") };
  };
  let plan = await planOnce();
  let validation = plan.failed ? await validateOnce() : undefined;
  // With a provider older than the stack requires (the constraint lowered to it), a value newer than its enumerations
  // (a Lambda runtime released after it) is planned as the newest it lists, and said so. Only when that is all that
  // is wrong; with the required provider nothing is replaced. Terraform may report one such value per run (one
  // resource's), so this repeats while each run finds another, a bounded number of times.
  for (let round = 0; round < 8 && validation && planCopy.constraint.planned.startsWith("= "); round += 1) {
    const newer = validation.errors.map((d) => newerEnumeratedValue(d)).filter((v) => v !== undefined);
    if (newer.length === 0 || newer.length !== validation.errors.length) break;
    const planned = withPlannedValues(planCopy.config, newer);
    if (planned.setAside.length === 0) break;
    planCopy = { ...planCopy, config: planned.config };
    applyCopy = { ...applyCopy, config: withPlannedValues(applyCopy.config, newer).config };
    base = { ...base, setAside: setAsideOf(base.setAside, planned.setAside) };
    writeJson(join(planDir, "cdk.tf.json"), planCopy.config);
    plan = await planOnce();
    validation = plan.failed ? await validateOnce() : undefined;
  }
  if (plan.failed) {
    if (validation && !validation.valid) {
      const error = validation.errors[0];
      return failed("validate", error ? diagnosticLine(error) : firstErrorOfText(validation.result.stderr) ?? "invalid");
    }
    return failed("plan", plan.errors[0] ? diagnosticLine(plan.errors[0]) : firstErrorOfText(plan.result.stderr) ?? "failed");
  }
  const messages = plan.messages;
  const toAdd = messages.filter((m) => m.type === "planned_change")
    .map((m) => m.change as { resource: { addr: string }; action: string })
    .filter((change) => change.action === "create" && !PLACEHOLDER.test(change.resource.addr)).length;

  let planned: Record<string, Json> | undefined;
  if (options.plannedValues) {
    const show = await run(["show", "-json", "plan.bin"], planDir);
    planned = plannedResources(JSON.parse(show.stdout) as PlanJson);
  }

  if (options.mockedApply === false) return { ...base, validate: "ok", plan: "ok", toAdd, mockedApply: "skipped", planned };
  const test = mockApplyTest(applyCopy.config, applyCopy.placeholders);
  const applyDir = join(dir, "mocked-apply");
  prepare(stack, applyDir, applyCopy, test.text);
  // The same provider and lock file as the plan's folder: no second install.
  cpSync(join(planDir, ".terraform"), join(applyDir, ".terraform"), { recursive: true, verbatimSymlinks: true });
  cpSync(join(planDir, ".terraform.lock.hcl"), join(applyDir, ".terraform.lock.hcl"));
  const result = await run(["test", "-json", "-no-color"], applyDir);
  const testMessages = jsonLines(result.stdout);
  const summary = testMessages.find((m) => m.type === "test_summary")?.test_summary as { status?: string } | undefined;
  const testErrors = errorsOf(testMessages);
  const passed = result.code === 0 && summary?.status === "pass";
  return {
    ...base,
    validate: "ok",
    plan: "ok",
    toAdd,
    planned,
    mockedApply: passed ? "ok" : "failed",
    assertions: test.assertions,
    firstError: passed ? undefined : `mocked apply: ${testErrors[0] ? diagnosticLine(testErrors[0]) : firstErrorOfText(result.stderr + result.stdout) ?? summary?.status ?? "failed"}`,
  };
}

interface PlanJson {
  planned_values?: { root_module?: PlannedModule };
}
interface PlannedModule {
  resources?: Array<{ address: string; values?: Json }>;
  child_modules?: PlannedModule[];
}

/** Address -> planned values of every resource (placeholders left out). */
function plannedResources(plan: PlanJson): Record<string, Json> {
  const result: Record<string, Json> = {};
  const walk = (module: PlannedModule | undefined) => {
    for (const resource of module?.resources ?? []) {
      if (!PLACEHOLDER.test(resource.address)) result[resource.address] = resource.values ?? null;
    }
    for (const child of module?.child_modules ?? []) walk(child);
  };
  walk(plan.planned_values?.root_module);
  return result;
}

/** One line per stack: validate, plan, resources to add, mocked apply, and the first error. */
export function statusLine(stack: StackPlan): string {
  const parts = [
    `validate ${stack.validate}`,
    `plan ${stack.plan}${stack.toAdd !== undefined ? ` (${stack.toAdd} to add)` : ""}`,
    `mocked apply ${stack.mockedApply}${stack.mockedApply === "ok" && stack.assertions !== undefined ? ` (${stack.assertions} assertions)` : ""}`,
  ];
  return `${stack.name}: ${parts.join(", ")}${stack.firstError ? `\n  error: ${stack.firstError}` : ""}`;
}

/** The whole report, for the terminal or a pull request (plain text). */
export function reportText(report: PlanReport): string {
  const lines = [
    `Offline plan: Terraform ${report.terraform.version}, hashicorp/aws ${report.provider?.version ?? "(registry)"}${report.provider ? ` from ${report.provider.mirror}` : ""}.`,
    "Each stack was copied to a scratch folder with its backend removed and planned with fake credentials: your state, backend and AWS account were not touched.",
    "",
    ...report.stacks.map(statusLine),
  ];
  if (report.mockedApplyNotRun) lines.push("", report.mockedApplyNotRun);
  const setAside = new Map<string, Set<string>>();
  for (const stack of report.stacks) {
    for (const entry of stack.setAside) {
      const key = describeSetAside(entry);
      setAside.set(key, (setAside.get(key) ?? new Set()).add(stack.name));
    }
  }
  if (setAside.size > 0) {
    lines.push("", `Set aside (hashicorp/aws ${report.provider?.version ?? ""} is older than the stacks require and lacks them; checked against a 6.x schema by the kit's tests):`);
    for (const [what, stacks] of [...setAside].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${what}: ${[...stacks].join(", ")}`);
  }
  const dropped = [...new Set(report.stacks.flatMap((s) => s.droppedLookups.map((d) => d.replace(/\.[^.]+$/, ""))))].sort();
  if (dropped.length > 0) lines.push("", `Not looked up in the plan (they call AWS; the mocked apply overrides them): ${dropped.join(", ")}`);
  const removed = report.stacks.filter((s) => s.removedBackend && s.removedBackend !== "local").map((s) => `${s.name} (${s.removedBackend})`);
  if (removed.length > 0) lines.push("", `Planned with the backend removed: ${removed.join(", ")}`);
  const failures = report.stacks.filter((s) => s.plan !== "ok" || s.validate !== "ok" || s.mockedApply === "failed").length;
  lines.push("", failures === 0 ? `All ${report.stacks.length} stack(s) validated, planned${report.stacks.every((s) => s.mockedApply === "ok") ? " and applied against the mocked provider" : ""}.` : `${failures} of ${report.stacks.length} stack(s) failed.`);
  return `${lines.join("\n")}\n`;
}
