/**
 * The scratch copy of a synthesized stack that Terraform plans offline: pure functions over the parsed
 * cdk.tf.json and the planning provider's schema (`terraform providers schema -json`).
 *
 * - The backend (`terraform.backend`, `terraform.cloud`) is removed: an offline plan must never read or
 *   lock the user's state.
 * - When the newest local provider is older than the stack's constraint, the constraint is lowered to it
 *   and exactly what that provider's schema lacks is set aside: arguments (removed), attribute
 *   references and whole resource types (replaced by placeholders). Found by comparing the configuration
 *   with the schema, not from a list; with a provider that satisfies the constraint nothing is set aside,
 *   so a genuinely unknown argument stays in and Terraform reports it.
 * - In a plan, data sources that call AWS APIs cannot be read without an account: they are dropped and
 *   their attributes become placeholders. A mocked apply keeps them (the test file overrides them).
 *
 * A placeholder is `jsondecode(terraform_data.<name>.id)`: unknown during the plan (the resource is to be
 * created), of any type, as a computed attribute of a resource to be created is; a mocked apply gives it a
 * value with `override_resource`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The part of Terraform's provider schema JSON this module reads. */
export interface SchemaBlock {
  readonly attributes?: Record<string, unknown>;
  readonly block_types?: Record<string, { readonly block: SchemaBlock }>;
}
export interface ProviderSchema {
  readonly resource_schemas: Record<string, { readonly block: SchemaBlock }>;
  readonly data_source_schemas: Record<string, { readonly block: SchemaBlock }>;
}

/** Data sources the AWS provider answers from its own configuration, without an API call. */
export const OFFLINE_DATA_SOURCES: readonly string[] = ["aws_region", "aws_partition", "aws_iam_policy_document", "aws_arn", "aws_default_tags"];

/** Meta-arguments and cdktf metadata: not part of any schema. */
const META_ARGUMENTS = new Set(["//", "count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"]);

export type SetAsideKind = "argument" | "attribute reference" | "resource type" | "value";

/** One thing the planning provider does not know, set aside in the scratch copy. */
export interface SetAside {
  readonly kind: SetAsideKind;
  /** `resource` or `data`. */
  readonly mode: "resource" | "data";
  readonly type: string;
  /** The argument's path inside the block (`origin.response_completion_timeout`), or the attribute's name. */
  readonly path: string;
  /** Terraform addresses where it occurs. */
  readonly addresses: string[];
  /** kind "value": the stack's value, and the one the copy plans with. */
  readonly value?: { readonly given: string; readonly planned: string };
}

/** A placeholder resource standing for a value the offline plan cannot know. */
export interface Placeholder {
  /** `terraform_data.<name>`. */
  readonly address: string;
  /** What it stands for: `aws_x.y.region` or `data.aws_s3_bucket.z`. */
  readonly standsFor: string;
}

export interface OfflineCopy {
  readonly config: JsonObject;
  /** The backend that was removed (`s3`, `cloud`, `local`), if any. */
  readonly removedBackend?: string;
  /** The stack's constraint on hashicorp/aws and the one the copy plans with. */
  readonly constraint: { readonly required?: string; readonly planned: string };
  readonly setAside: SetAside[];
  /** Data sources that call AWS, dropped from a plan (addresses). */
  readonly droppedLookups: string[];
  readonly placeholders: Placeholder[];
}

export interface OfflineOptions {
  readonly schema: ProviderSchema;
  /** The version of the provider that plans, e.g. "5.100.0". */
  readonly providerVersion: string;
  /** "plan" drops data sources that call AWS; "mock" keeps them for a mocked apply. */
  readonly mode: "plan" | "mock";
}

// ---------------------------------------------------------------------------------------------------
// Version constraints (Terraform's syntax: "~> 6.28", ">= 5.0, < 7", "= 6.28.0", "!= 6.30.0")

type Version = [number, number, number];

function parseVersion(text: string): Version {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) throw new Error(`not a version: ${JSON.stringify(text)}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Does `version` satisfy Terraform's version constraint string? An absent constraint allows any. */
export function satisfies(version: string, constraint: string | undefined): boolean {
  if (constraint === undefined || constraint.trim() === "") return true;
  const v = parseVersion(version);
  return constraint.split(",").every((part) => {
    const match = /^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$/.exec(part);
    if (!match) throw new Error(`not a version constraint: ${JSON.stringify(constraint)}`);
    const operator = match[1] ?? "=";
    const text = match[2] as string;
    const bound = parseVersion(text);
    const c = compare(v, bound);
    switch (operator) {
      case "=": return c === 0;
      case "!=": return c !== 0;
      case ">": return c > 0;
      case ">=": return c >= 0;
      case "<": return c < 0;
      case "<=": return c <= 0;
      default: {
        // ~> allows the rightmost given component to grow: ~> 6.28 is >= 6.28, < 7; ~> 6.28.1 is >= 6.28.1, < 6.29.
        const given = text.replace(/^v/, "").split("-")[0]!.split(".").length;
        const upper: Version = given <= 2 ? [bound[0] + 1, 0, 0] : [bound[0], bound[1] + 1, 0];
        return c >= 0 && compare(v, upper) < 0;
      }
    }
  });
}

/** The newest of several versions. */
export function newest(versions: readonly string[]): string | undefined {
  return [...versions].sort((a, b) => compare(parseVersion(b), parseVersion(a)))[0];
}

// ---------------------------------------------------------------------------------------------------
// Expressions

/** Calls `edit` on the text of every `${ ... }` interpolation in a string and splices its result back. */
export function mapInterpolations(text: string, edit: (expression: string) => string): string {
  let result = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("${", i);
    if (start < 0 || (start > 0 && text[start - 1] === "$")) {
      // "$${" is an escaped literal "${".
      const next = start < 0 ? text.length : start + 2;
      result += text.slice(i, next);
      i = next;
      continue;
    }
    const end = closingBrace(text, start + 2);
    if (end < 0) {
      result += text.slice(i);
      break;
    }
    result += text.slice(i, start) + "${" + edit(text.slice(start + 2, end)) + "}";
    i = end + 1;
  }
  return result;
}

/** The index of the `}` closing an interpolation whose body starts at `from`, skipping quoted strings. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** `data.aws_x.name[0].attr` or `aws_x.name.attr`, as they stand in an expression. */
const REFERENCE = /(?<![\w.$-])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])*)(?:\.([A-Za-z_]\w*))?/g;

interface Reference {
  readonly mode: "resource" | "data";
  readonly type: string;
  readonly name: string;
  readonly attribute?: string;
}

/** Rewrites `self.<attribute>` in every interpolation under `value` (a block's lifecycle conditions). */
function rewriteSelf(value: Json, rewrite: (attribute: string) => string | undefined): Json {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return mapInterpolations(value, (expression) => expression.replace(/(?<![\w.$-])self\.([A-Za-z_]\w*)/g, (text, attribute: string) => rewrite(attribute) ?? text));
  }
  if (Array.isArray(value)) return value.map((item) => rewriteSelf(item, rewrite));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteSelf(item, rewrite)]));
}

/** Rewrites every reference in every interpolation of every string under `value`. */
function rewriteReferences(value: Json, rewrite: (ref: Reference) => string | undefined): Json {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return mapInterpolations(value, (expression) => expression.replace(REFERENCE, (text, data: string | undefined, type: string, name: string, _index: string, attribute: string | undefined) =>
      rewrite({ mode: data ? "data" : "resource", type, name, attribute }) ?? text));
  }
  if (Array.isArray(value)) return value.map((item) => rewriteReferences(item, rewrite));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === "//" ? item : rewriteReferences(item, rewrite)]));
}

// ---------------------------------------------------------------------------------------------------
// The copy

function blocksOf(config: JsonObject, mode: "resource" | "data"): Record<string, Record<string, JsonObject>> {
  return (config[mode] ?? {}) as Record<string, Record<string, JsonObject>>;
}

/** Removes, in place, the arguments and nested blocks of `body` that `block` does not have; returns their paths. */
function pruneArguments(body: JsonObject, block: SchemaBlock, prefix = ""): string[] {
  const removed: string[] = [];
  for (const key of Object.keys(body)) {
    if (prefix === "" && META_ARGUMENTS.has(key)) continue;
    const path = `${prefix}${key}`;
    const nested = block.block_types?.[key];
    if (nested) {
      const value = body[key];
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item !== null && typeof item === "object" && !Array.isArray(item)) removed.push(...pruneArguments(item, nested.block, `${path}.`));
      }
      continue;
    }
    if (block.attributes && key in block.attributes) continue;
    delete body[key];
    removed.push(path);
  }
  return [...new Set(removed)];
}

function placeholderName(standsFor: string): string {
  return `offline_${standsFor.replace(/[^A-Za-z0-9_-]+/g, "_")}`;
}

/**
 * The scratch copy Terraform plans offline (see the module comment). Never changes `original`.
 */
export function offlineCopy(original: JsonObject, options: OfflineOptions): OfflineCopy {
  let config = JSON.parse(JSON.stringify(original)) as JsonObject;
  const terraform = (config.terraform ?? {}) as JsonObject;
  config.terraform = terraform;
  const removedBackend = terraform.cloud !== undefined ? "cloud" : Object.keys((terraform.backend ?? {}) as JsonObject)[0];
  delete terraform.backend;
  delete terraform.cloud;

  const providers = (terraform.required_providers ?? {}) as JsonObject;
  const aws = (providers.aws ?? {}) as JsonObject;
  const required = typeof aws.version === "string" ? aws.version : undefined;
  const older = !satisfies(options.providerVersion, required);
  if (older) {
    providers.aws = { ...aws, version: `= ${options.providerVersion}` };
    terraform.required_providers = providers;
  }

  const setAside = new Map<string, SetAside>();
  const note = (entry: Omit<SetAside, "addresses">, address: string): void => {
    const key = `${entry.kind}\u0000${entry.mode}\u0000${entry.type}\u0000${entry.path}`;
    const known = setAside.get(key) ?? { ...entry, addresses: [] };
    if (!known.addresses.includes(address)) known.addresses.push(address);
    setAside.set(key, known);
  };
  const schemaOf = (mode: "resource" | "data", type: string) =>
    (mode === "resource" ? options.schema.resource_schemas : options.schema.data_source_schemas)[type]?.block;

  // Blocks the provider lacks (a resource type newer than it) and arguments it lacks.
  const removedBlocks = new Set<string>();
  if (older) {
    for (const mode of ["resource", "data"] as const) {
      const blocks = blocksOf(config, mode);
      for (const [type, byName] of Object.entries(blocks)) {
        const block = schemaOf(mode, type);
        for (const [name, body] of Object.entries(byName)) {
          const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
          if (!block) {
            note({ kind: "resource type", mode, type, path: "" }, address);
            removedBlocks.add(address);
            continue;
          }
          for (const path of pruneArguments(body, block)) note({ kind: "argument", mode, type, path }, address);
        }
        if (!block) delete blocks[type];
      }
    }
  }

  // Data sources that call AWS, in a plan.
  const droppedLookups: string[] = [];
  if (options.mode === "plan") {
    const data = blocksOf(config, "data");
    for (const [type, byName] of Object.entries(data)) {
      if (OFFLINE_DATA_SOURCES.includes(type)) continue;
      for (const name of Object.keys(byName)) droppedLookups.push(`data.${type}.${name}`);
      delete data[type];
    }
    if (Object.keys(data).length === 0) delete config.data;
  }

  // `self.<attribute>` in a block's own conditions, for an attribute the provider lacks.
  const placeholders = new Map<string, Placeholder>();
  if (older) {
    for (const mode of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries(blocksOf(config, mode))) {
        const block = schemaOf(mode, type);
        if (!block) continue;
        for (const [name, body] of Object.entries(byName)) {
          if (body.lifecycle === undefined) continue;
          const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
          body.lifecycle = rewriteSelf(body.lifecycle, (attribute) => {
            if ((block.attributes && attribute in block.attributes) || block.block_types?.[attribute]) return undefined;
            note({ kind: "attribute reference", mode, type, path: attribute }, address);
            const standsFor = `${address}.${attribute}`;
            const placeholderAddress = `terraform_data.${placeholderName(standsFor)}`;
            placeholders.set(placeholderName(standsFor), { address: placeholderAddress, standsFor });
            return `jsondecode(${placeholderAddress}.id)`;
          });
        }
      }
    }
  }

  // References to what was removed, or to attributes the provider lacks, become placeholders.
  const placeholder = (standsFor: string): string => {
    const name = placeholderName(standsFor);
    placeholders.set(name, { address: `terraform_data.${name}`, standsFor });
    return `jsondecode(terraform_data.${name}.id)`;
  };
  config = rewriteReferences(config, (ref) => {
    const base = `${ref.mode === "data" ? "data." : ""}${ref.type}.${ref.name}`;
    if (removedBlocks.has(base) || droppedLookups.includes(base)) {
      return ref.attribute === undefined ? placeholder(base) : `${placeholder(base)}.${ref.attribute}`;
    }
    if (!older || ref.attribute === undefined) return undefined;
    const block = schemaOf(ref.mode, ref.type);
    if (!block || (block.attributes && ref.attribute in block.attributes) || block.block_types?.[ref.attribute]) return undefined;
    note({ kind: "attribute reference", mode: ref.mode, type: ref.type, path: ref.attribute }, base);
    return placeholder(`${base}.${ref.attribute}`);
  }) as JsonObject;

  if (placeholders.size > 0) {
    const resources = (config.resource ?? {}) as Record<string, JsonObject>;
    const data = { ...(resources.terraform_data ?? {}) };
    for (const name of [...placeholders.keys()].sort()) data[name] = {};
    resources.terraform_data = data;
    config.resource = resources;
  }
  return {
    config,
    removedBackend,
    constraint: { required, planned: older ? `= ${options.providerVersion}` : required ?? "any" },
    setAside: [...setAside.values()].sort((a, b) => describeSetAside(a).localeCompare(describeSetAside(b))),
    droppedLookups: droppedLookups.sort(),
    placeholders: [...placeholders.values()].sort((a, b) => a.address.localeCompare(b.address)),
  };
}

/** `aws_lambda_permission.invoked_via_function_url (argument)`; `aws_lambda_function.runtime = nodejs24.x (value, planned as nodejs22.x)`. */
export function describeSetAside(entry: SetAside): string {
  const type = `${entry.mode === "data" ? "data." : ""}${entry.type}`;
  const where = entry.path ? `${type}.${entry.path}` : type;
  return entry.value ? `${where} = ${entry.value.given} (value, planned as ${entry.value.planned})` : `${where} (${entry.kind})`;
}

/** A Terraform diagnostic, as `terraform validate -json` writes it. */
export interface ValueDiagnostic {
  readonly summary: string;
  readonly address?: string;
}

/**
 * A value newer than the planning provider's enumeration, from Terraform's own diagnostic (`expected runtime to be
 * one of [... "nodejs22.x"], got nodejs24.x` at `aws_lambda_function.x`): the stack is right for the provider it
 * requires, the older local one lists values up to its release. The copy plans with the newest listed value of the
 * same family (same letters, a lower version number); undefined when the diagnostic is anything else.
 */
export function newerEnumeratedValue(diagnostic: ValueDiagnostic): { address: string; argument: string; given: string; planned: string } | undefined {
  const match = /^expected ([a-z0-9_]+) to be one of \[(.*)\], got (\S+)$/.exec(diagnostic.summary);
  if (!match || diagnostic.address === undefined) return undefined;
  const [, argument, list, given] = match as unknown as [string, string, string, string];
  const versioned = /^([a-z]+)(\d+(?:\.\d+)?)(\.x)?$/;
  const wanted = versioned.exec(given);
  if (!wanted) return undefined;
  const older = [...list.matchAll(/"([^"]+)"/g)]
    .map((m) => ({ value: m[1]!, parts: versioned.exec(m[1]!) }))
    .filter((c) => c.parts !== null && c.parts[1] === wanted[1] && Number(c.parts[2]) < Number(wanted[2]))
    .sort((a, b) => Number(b.parts![2]) - Number(a.parts![2]));
  if (older.length === 0) return undefined;
  return { address: diagnostic.address.replace(/\[[^\]]*\]$/, ""), argument, given, planned: older[0]!.value };
}

/** The copy's configuration with those values replaced (top-level arguments of resources), and what was set aside. */
export function withPlannedValues(config: JsonObject, found: ReadonlyArray<ReturnType<typeof newerEnumeratedValue> & object>): { config: JsonObject; setAside: SetAside[] } {
  const copy = JSON.parse(JSON.stringify(config)) as JsonObject;
  const setAside: SetAside[] = [];
  for (const value of found) {
    const [type, name] = value.address.split(".") as [string, string];
    const block = ((copy.resource as JsonObject | undefined)?.[type] as JsonObject | undefined)?.[name] as JsonObject | undefined;
    if (block === undefined || block[value.argument] !== value.given) continue;
    block[value.argument] = value.planned;
    const known = setAside.find((e) => e.type === type && e.path === value.argument && e.value?.given === value.given);
    if (known) known.addresses.push(value.address);
    else setAside.push({ kind: "value", mode: "resource", type, path: value.argument, addresses: [value.address], value: { given: value.given, planned: value.planned } });
  }
  return { config: copy, setAside };
}
