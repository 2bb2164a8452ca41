/**
 * Running Terraform offline: the binary, a local hashicorp/aws provider, a CLI configuration written into
 * the scratch folder, the provider override for credential-free planning, and the JSON Terraform prints.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { newest, type ProviderSchema } from "./offline";

/** Where Terraform installs hashicorp/aws from, in a filesystem mirror's unpacked or packed layout. */
export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";

export interface TerraformBinary {
  readonly path: string;
  readonly version: string;
}

/** The `terraform` on PATH (or the given path) and its version; undefined when there is none. */
export function findTerraform(env: NodeJS.ProcessEnv, given?: string): TerraformBinary | undefined {
  const candidates = given ? [given] : (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "terraform"));
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const result = spawnSync(path, ["version", "-json"], { encoding: "utf8", env: { PATH: env.PATH, CHECKPOINT_DISABLE: "1" } });
    if (result.status !== 0) continue;
    const version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
    if (version) return { path, version };
  }
  return undefined;
}

/** The platform directory Terraform looks for: linux_amd64, darwin_arm64, ... */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${os}_${cpu}`;
}

export interface LocalProvider {
  /** The mirror's root (the folder holding registry.terraform.io/). */
  readonly mirror: string;
  readonly version: string;
  /** Why this folder was looked at: "--plugin-dir", "CLI configuration", ... */
  readonly foundBy: string;
}

/** The filesystem_mirror paths of a CLI configuration file, if it exists (TF_CLI_CONFIG_FILE may name a missing file). */
export function cliConfigMirrors(file: string | undefined): string[] {
  if (!file || !existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/filesystem_mirror\s*\{[^}]*?\bpath\s*=\s*"([^"]+)"/g)].map((match) => match[1] as string);
}

/**
 * Folders that may hold hashicorp/aws, in the order they are trusted: the one given, the CLI
 * configuration's filesystem mirrors, Terraform's implied local mirror directories (CLI configuration
 * docs, "Implied Local Mirror Directories"), and a mirror folder directly under /opt.
 */
export function mirrorCandidates(env: NodeJS.ProcessEnv, given?: string): Array<{ dir: string; foundBy: string }> {
  const home = env.HOME ?? homedir();
  const xdgData = env.XDG_DATA_HOME ?? join(home, ".local", "share");
  const xdgDirs = (env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share").split(":").filter(Boolean);
  const candidates: Array<{ dir: string; foundBy: string }> = [];
  if (given) candidates.push({ dir: given, foundBy: "--plugin-dir" });
  const cliConfig = env.TF_CLI_CONFIG_FILE ?? join(home, ".terraformrc");
  for (const dir of cliConfigMirrors(cliConfig)) candidates.push({ dir, foundBy: `filesystem_mirror in ${cliConfig}` });
  for (const dir of ["terraform.d/plugins", join(home, ".terraform.d", "plugins"), join(xdgData, "terraform", "plugins"), ...xdgDirs.map((d) => join(d, "terraform", "plugins"))]) {
    candidates.push({ dir, foundBy: "implied local mirror directory" });
  }
  if (existsSync("/opt")) {
    for (const name of readdirSync("/opt").sort()) candidates.push({ dir: join("/opt", name), foundBy: "a provider mirror under /opt" });
  }
  return candidates;
}

/** The hashicorp/aws versions a mirror folder holds for this platform (unpacked or packed layout). */
export function providerVersionsIn(mirror: string, platform = terraformPlatform()): string[] {
  const root = join(mirror, AWS_PROVIDER_ADDRESS);
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const versions = new Set<string>();
  for (const entry of readdirSync(root)) {
    const packed = new RegExp(`^terraform-provider-aws_(.+)_${platform}\\.zip$`).exec(entry);
    if (packed) versions.add(packed[1] as string);
    const unpacked = join(root, entry, platform);
    if (existsSync(unpacked) && readdirSync(unpacked).some((file) => file.startsWith("terraform-provider-aws"))) versions.add(entry);
  }
  return [...versions];
}

/** The newest local hashicorp/aws over every candidate folder, preferring one that satisfies `accept`. */
export function findLocalProvider(env: NodeJS.ProcessEnv, given: string | undefined, accept: (version: string) => boolean): LocalProvider | undefined {
  const found: LocalProvider[] = [];
  for (const { dir, foundBy } of mirrorCandidates(env, given)) {
    for (const version of providerVersionsIn(dir)) found.push({ mirror: dir, version, foundBy });
  }
  const pick = (list: LocalProvider[]) => {
    const version = newest(list.map((p) => p.version));
    return list.find((p) => p.version === version);
  };
  return pick(found.filter((p) => accept(p.version))) ?? pick(found);
}

/** A CLI configuration that installs hashicorp/aws from the local mirror only (everything else from its registry). */
export function cliConfiguration(provider: LocalProvider | undefined): string {
  if (!provider) return "# No local hashicorp/aws provider: terraform init installs from the registry.\n";
  return [
    "# Written by image-cdn-kit plan: hashicorp/aws from a local folder, nothing from the network for it.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(provider.mirror)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    "  }",
    "  direct {",
    `    exclude = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Static, fake credentials and no calls to STS, IMDS or the region list: nothing reaches AWS. */
const OFFLINE_PROVIDER = {
  access_key: "AKIAIOSFODNN7EXAMPLE",
  secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
};

/** The `*_override.tf.json` that Terraform merges into every aws provider configuration (aliases matched by alias). */
export function providerOverride(config: Record<string, unknown>): Record<string, unknown> {
  const providers = (config.provider as Record<string, unknown> | undefined)?.aws;
  const list = (Array.isArray(providers) ? providers : providers ? [providers] : [{}]) as Array<Record<string, unknown>>;
  return { provider: { aws: list.map((p) => (typeof p.alias === "string" ? { alias: p.alias, ...OFFLINE_PROVIDER } : { ...OFFLINE_PROVIDER })) } };
}

export const PROVIDER_OVERRIDE_FILE = "zz_offline_provider_override.tf.json";

/**
 * The environment Terraform runs in: no AWS credentials, profile or endpoint of the user's (the override
 * sets fake ones), no TF_* of the user's but the scratch CLI configuration, no prompts, no check-in.
 */
export function terraformEnv(env: NodeJS.ProcessEnv, cliConfigFile: string): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => !/^(AWS_|TF_)/.test(name)));
  return { ...kept, TF_CLI_CONFIG_FILE: cliConfigFile, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTerraform(binary: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** A Terraform diagnostic as its JSON output gives it. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
}

/** A diagnostic in one line: summary, the first sentence of the detail, where. */
export function diagnosticLine(diagnostic: Diagnostic): string {
  const detail = (diagnostic.detail ?? "").split("\n").map((line) => line.trim()).filter(Boolean).join(" ").split(/(?<=\.)\s+(?=[A-Z])/)[0] ?? "";
  const where = diagnostic.address ?? (diagnostic.range ? `${diagnostic.range.filename}:${diagnostic.range.start.line}` : undefined);
  return [diagnostic.summary, detail].filter(Boolean).join(": ") + (where ? ` (${where})` : "");
}

/** The first `Error:` paragraph of Terraform's human output, in one line (init and other commands without -json). */
export function firstErrorOfText(text: string): string | undefined {
  const clean = text.replace(/\u001b\[[0-9;]*m/g, "").replace(/[│╷╵]/g, "");
  const match = /Error: ([^\n]+)\n((?:[^\n]*\n?){0,12})/.exec(clean);
  if (!match) return undefined;
  const detail = (match[2] ?? "").split("\n").map((line) => line.trim()).filter((line) => line && !/^on .* line \d+/.test(line)).slice(0, 3).join(" ");
  return [match[1]!.trim(), detail].filter(Boolean).join(": ");
}

/** The JSON lines of `terraform plan -json` / `test -json`, parsed (other lines ignored). */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function errorsOf(messages: Array<Record<string, unknown>>): Diagnostic[] {
  return messages.flatMap((m) => {
    const d = m.diagnostic as Diagnostic | undefined;
    return m.type === "diagnostic" && d?.severity === "error" ? [d] : [];
  });
}

/** `terraform providers schema -json` for hashicorp/aws, read in a folder already initialized. */
export async function awsSchema(binary: TerraformBinary, dir: string, env: NodeJS.ProcessEnv): Promise<ProviderSchema> {
  const result = await runTerraform(binary.path, ["providers", "schema", "-json"], dir, env);
  if (result.code !== 0) throw new Error(`terraform providers schema failed: ${firstErrorOfText(result.stderr) ?? result.stderr.trim()}`);
  const schemas = (JSON.parse(result.stdout) as { provider_schemas: Record<string, ProviderSchema> }).provider_schemas;
  const aws = schemas[AWS_PROVIDER_ADDRESS];
  if (!aws) throw new Error(`terraform providers schema has no ${AWS_PROVIDER_ADDRESS}`);
  return aws;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
