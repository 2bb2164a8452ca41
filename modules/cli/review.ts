/**
 * A pull-request summary of two synthesized folders (base and head), offline: resources added, removed and
 * changed by address; every policy as a who-may-do-what table; and, first, every change in who may do what.
 * Pure: it reads the parsed stack JSON and returns Markdown.
 */

import { createHash } from "node:crypto";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resources = Record<string, Record<string, { [key: string]: Json }>>;

/** A synthesized stack: cdk.tf.json, parsed. */
export interface StackConfig {
  readonly resource?: Resources;
  readonly data?: Resources;
}

/** One statement of one policy, flattened for a table: who (principal) may or may not do what, where, when. */
export interface Grant {
  /** The resource that carries the policy, e.g. `aws_s3_bucket_policy.originals`. */
  readonly source: string;
  readonly effect: "Allow" | "Deny";
  readonly principal: string;
  readonly actions: string;
  readonly resources: string;
  readonly conditions: string;
}

/** `${aws_s3_bucket.x.arn}` reads as `aws_s3_bucket.x.arn` in a table. */
function readable(value: string): string {
  return value.replace(/\$\{([^{}]+)\}/g, "$1");
}

function list(value: Json | undefined): string {
  if (value === undefined || value === null) return "";
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => readable(typeof item === "string" ? item : JSON.stringify(item))).sort().join(", ");
}

function principalOf(principal: Json | undefined): string {
  if (principal === undefined) return "";
  if (typeof principal === "string") return principal;
  if (principal === null || typeof principal !== "object" || Array.isArray(principal)) return JSON.stringify(principal);
  return Object.entries(principal).map(([kind, who]) => `${kind}: ${list(who)}`).sort().join("; ");
}

function conditionsOf(condition: Json | undefined): string {
  if (condition === undefined || condition === null || typeof condition !== "object" || Array.isArray(condition)) return "";
  return Object.entries(condition)
    .flatMap(([operator, pairs]) => Object.entries((pairs ?? {}) as Record<string, Json>).map(([key, value]) => `${key} ${operator} ${list(value)}`))
    .sort()
    .join("; ");
}

function policyDocument(text: Json | undefined): { Statement?: Json } | undefined {
  if (typeof text !== "string" || !text.trim().startsWith("{")) return undefined;
  try {
    return JSON.parse(text) as { Statement?: Json };
  } catch {
    return undefined;
  }
}

/** The principal an identity policy speaks for: the role (or user, group) it is attached to. */
function attachedTo(resource: { [key: string]: Json }): string | undefined {
  for (const key of ["role", "user", "group"]) {
    if (typeof resource[key] === "string") return `${key}: ${readable(resource[key])}`;
  }
  return undefined;
}

/** Every grant in a stack: policy documents (resource, identity, trust) and Lambda permissions. */
export function grantsOf(stack: StackConfig): Grant[] {
  const grants: Grant[] = [];
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, resource] of Object.entries(byName)) {
      const source = `${type}.${name}`;
      if (type === "aws_lambda_permission") {
        const conditions = [
          resource.source_arn !== undefined ? `aws:SourceArn = ${list(resource.source_arn)}` : "",
          resource.source_account !== undefined ? `aws:SourceAccount = ${list(resource.source_account)}` : "",
          resource.function_url_auth_type !== undefined ? `lambda:FunctionUrlAuthType = ${list(resource.function_url_auth_type)}` : "",
          resource.invoked_via_function_url === true ? "lambda:InvokedViaFunctionUrl = true" : "",
        ].filter(Boolean);
        grants.push({ source, effect: "Allow", principal: list(resource.principal), actions: list(resource.action), resources: list(resource.function_name), conditions: conditions.join("; ") });
        continue;
      }
      // policy_document: resource policies of services (a log group's, for CloudFront's log delivery).
      for (const key of ["policy", "assume_role_policy", "policy_document"]) {
        const document = policyDocument(resource[key]);
        if (document === undefined) continue;
        const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement ?? {}];
        for (const statement of statements as Array<Record<string, Json>>) {
          const identity = key === "policy" && statement.Principal === undefined ? attachedTo(resource) : undefined;
          grants.push({
            source: key === "assume_role_policy" ? `${source} (trust)` : source,
            effect: statement.Effect === "Deny" ? "Deny" : "Allow",
            principal: identity ?? principalOf(statement.Principal),
            actions: list(statement.Action ?? statement.NotAction),
            resources: list(statement.Resource ?? statement.NotResource) || (key === "assume_role_policy" ? "this role" : ""),
            conditions: conditionsOf(statement.Condition),
          });
        }
      }
    }
  }
  return grants.sort((a, b) => grantKey(a).localeCompare(grantKey(b)));
}

function grantKey(grant: Grant): string {
  return [grant.source, grant.effect, grant.principal, grant.actions, grant.resources, grant.conditions].join("\u0000");
}

/** Addresses and their configuration, without cdktf's "//" metadata. */
function addresses(stack: StackConfig): Map<string, string> {
  const result = new Map<string, string>();
  for (const [kind, blocks] of [["", stack.resource], ["data.", stack.data]] as const) {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const config = Object.fromEntries(Object.entries(body).filter(([key]) => key !== "//"));
        result.set(`${kind}${type}.${name}`, JSON.stringify(sortKeys(config)));
      }
    }
  }
  return result;
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key] as Json)]));
}

/** The top-level arguments whose values differ between two versions of a resource. */
function changedArguments(a: Record<string, Json>, b: Record<string, Json>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !sameJson(a[key], b[key])).sort();
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a === undefined ? a : sortKeys(a)) === JSON.stringify(b === undefined ? b : sortKeys(b));
}

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Values up to this many characters (as JSON) are shown whole; longer ones cut and named by their hash. */
const SHORT = 60;

/** A list shown as a whole: scalars only, and short. A missing list counts as one. */
function isShortList(value: Json | undefined): boolean {
  if (value === undefined) return true;
  return Array.isArray(value) && value.every((item) => item === null || typeof item !== "object") && JSON.stringify(value).length <= SHORT;
}

/** `environment.variables.MAX` for identifier keys, `tags["Cost center"]` for any other. */
function pathTo(prefix: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix === "" ? key : `${prefix}.${key}`;
}

/**
 * Where two versions of a resource's configuration differ, leaf by leaf, sorted: maps by key, lists by index
 * (short lists of scalars as a whole), an argument or block only on one side as absent (undefined) on the other.
 */
export function attributeChanges(before: Json | undefined, after: Json | undefined, path = ""): ValueChange[] {
  if (sameJson(before, after)) return [];
  let inner: ValueChange[] = [];
  if ((before === undefined || isRecord(before)) && (after === undefined || isRecord(after))) {
    const a = before ?? {};
    const b = after ?? {};
    inner = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key) => attributeChanges(a[key], b[key], pathTo(path, key)));
  } else if ((before === undefined || Array.isArray(before)) && (after === undefined || Array.isArray(after)) && !(isShortList(before) && isShortList(after))) {
    const a = before ?? [];
    const b = after ?? [];
    inner = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => attributeChanges(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return inner.length > 0 ? inner : [{ path, before, after }];
}

export interface ReviewSummary {
  readonly added: string[];
  readonly removed: string[];
  /** `arguments`: the top-level arguments that differ; `changes`: every value that differs, with both sides. */
  readonly changed: Array<{ address: string; arguments: string[]; changes: ValueChange[] }>;
  readonly grantsAdded: Grant[];
  readonly grantsRemoved: Grant[];
  readonly grants: Grant[];
}

export function compareStacks(base: StackConfig, head: StackConfig): ReviewSummary {
  const before = addresses(base);
  const after = addresses(head);
  const baseGrants = grantsOf(base);
  const headGrants = grantsOf(head);
  const baseKeys = new Set(baseGrants.map(grantKey));
  const headKeys = new Set(headGrants.map(grantKey));
  return {
    added: [...after.keys()].filter((address) => !before.has(address)).sort(),
    removed: [...before.keys()].filter((address) => !after.has(address)).sort(),
    changed: [...after.keys()]
      .filter((address) => before.has(address) && before.get(address) !== after.get(address))
      .sort()
      .map((address) => {
        const a = JSON.parse(before.get(address) as string) as Record<string, Json>;
        const b = JSON.parse(after.get(address) as string) as Record<string, Json>;
        return { address, arguments: changedArguments(a, b), changes: attributeChanges(a, b) };
      }),
    grantsAdded: headGrants.filter((grant) => !baseKeys.has(grantKey(grant))),
    grantsRemoved: baseGrants.filter((grant) => !headKeys.has(grantKey(grant))),
    grants: headGrants,
  };
}

/** Control, format (bidi, zero-width) and line-separator characters as escapes: a value stays on its line, as it is. */
function visible(text: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return named[c] ?? (code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`);
  });
}

/** Text as a Markdown code span, whatever it holds: a fence longer than any backtick run inside, on one line. */
export function codeSpan(text: string): string {
  const shown = visible(text);
  const fence = "`".repeat(Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = shown === "" || /^[` ]|[` ]$/.test(shown) ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** Text for a table cell: on one line, no pipe, backtick, bracket or angle bracket that Markdown would act on. */
function cell(text: string): string {
  return text === "" ? "—" : visible(text).replace(/[\\`|<>[\]]/g, (c) => `\\${c}`);
}

function grantTable(grants: Grant[], mark?: (grant: Grant) => string): string[] {
  const header = mark ? "| | effect | principal | actions | resources | conditions | policy |" : "| effect | principal | actions | resources | conditions | policy |";
  const rule = mark ? "| --- | --- | --- | --- | --- | --- | --- |" : "| --- | --- | --- | --- | --- | --- |";
  const rows = grants.map((g) => {
    const cells = [g.effect, g.principal, g.actions, g.resources, g.conditions, g.source].map(cell);
    return `| ${mark ? `${mark(g)} | ` : ""}${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows];
}

/** A value as Markdown: `(none)` when absent, JSON in a code span, a long one cut and named by its length and hash. */
export function valueMarkdown(value: Json | undefined, limit = SHORT): string {
  if (value === undefined) return "(none)";
  const json = JSON.stringify(value);
  if (json.length <= limit) return codeSpan(json);
  return `${codeSpan(`${[...json].slice(0, limit - 20).join("")}…`)} (${plainText(value).length} chars, sha256 ${digest(value)})`;
}

const POLICY_ARGUMENTS: Record<string, (address: string) => string> = { policy: (address) => address, assume_role_policy: (address) => `${address} (trust)` };

/** A policy document's change, said by its grants (the table above has them statement by statement), not its JSON. */
function policyChange(address: string, change: ValueChange, summary: ReviewSummary): string | undefined {
  const sourceOf = POLICY_ARGUMENTS[change.path];
  if (sourceOf === undefined || (policyDocument(change.before) === undefined && policyDocument(change.after) === undefined)) return undefined;
  const source = sourceOf(address);
  const added = summary.grantsAdded.filter((grant) => grant.source === source).length;
  const removed = summary.grantsRemoved.filter((grant) => grant.source === source).length;
  const sides = `sha256 ${change.before === undefined ? "(none)" : digest(change.before)} → ${change.after === undefined ? "(none)" : digest(change.after)}`;
  return added + removed > 0
    ? `policy document: ${added} grant(s) added, ${removed} removed, in "Who may do what changes" above (${sides})`
    : `policy document rewritten, no change in who may do what (${sides})`;
}

/** One changed resource: its changed arguments, then each value that differs, old → new. */
function changedResource(entry: ReviewSummary["changed"][number], summary: ReviewSummary, max: number): string[] {
  const { address, arguments: changed, changes } = entry;
  const lines = [`- ✏️ ${codeSpan(address)}: ${changed.map(codeSpan).join(", ")}`];
  for (const change of changes.slice(0, max)) {
    const said = policyChange(address, change, summary) ?? `${valueMarkdown(change.before)} → ${valueMarkdown(change.after)}`;
    lines.push(`  - ${codeSpan(change.path)}: ${said}`);
  }
  if (changes.length > max) lines.push(`  - … and ${changes.length - max} more values`);
  return lines;
}

/** The Markdown comment for one stack. */
export function reviewMarkdown(stackName: string, summary: ReviewSummary, maxChangesPerResource = 20): string {
  const lines = [`## Image CDN review: ${codeSpan(stackName)}`, ""];
  const accessChanges = [...summary.grantsRemoved.map((g) => ({ g, mark: "➖ removed" })), ...summary.grantsAdded.map((g) => ({ g, mark: "➕ added" }))];
  if (accessChanges.length > 0) {
    lines.push(`### ⚠️ Who may do what changes (${accessChanges.length})`, "", "Review these before approving: each row is a grant this change adds or takes away.", "");
    const marks = new Map(accessChanges.map(({ g, mark }) => [g, mark]));
    lines.push(...grantTable(accessChanges.map(({ g }) => g), (g) => marks.get(g) as string), "");
  } else {
    lines.push("No change in who may do what.", "");
  }
  lines.push(`### Resources: ${summary.added.length} added, ${summary.removed.length} removed, ${summary.changed.length} changed`, "");
  for (const address of summary.added) lines.push(`- ➕ ${codeSpan(address)}`);
  for (const address of summary.removed) lines.push(`- ➖ ${codeSpan(address)}`);
  for (const change of summary.changed) lines.push(...changedResource(change, summary, maxChangesPerResource));
  if (summary.added.length + summary.removed.length + summary.changed.length === 0) lines.push("No resource changes.");
  lines.push("", "<details><summary>Every policy after this change</summary>", "", ...grantTable(summary.grants), "", "</details>", "");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Terraform's own view: the planned values of two offline plans (`image-cdn-kit review --plan`)

/** Address -> `terraform show -json`'s planned values of one stack. */
export type PlannedValues = Record<string, Json>;

export interface ValueChange {
  /** `default_cache_behavior[0].function_association[1].function_arn`. */
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
}

export interface PlanDiff {
  readonly baseCount: number;
  readonly headCount: number;
  readonly onlyBase: string[];
  readonly onlyHead: string[];
  readonly changed: Array<{ address: string; changes: ValueChange[] }>;
}

/** Leaf path -> value; lists and objects walked, so a change shows where it is. */
function leaves(value: Json, prefix: string, into: Map<string, Json>): Map<string, Json> {
  if (Array.isArray(value) && value.length > 0) value.forEach((item, i) => leaves(item, `${prefix}[${i}]`, into));
  else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const key of Object.keys(value).sort()) leaves(value[key] as Json, prefix ? `${prefix}.${key}` : key, into);
  } else into.set(prefix, value);
  return into;
}

/** The values that differ, leaf by leaf. */
export function valueChanges(before: Json | undefined, after: Json | undefined): ValueChange[] {
  const a = before === undefined ? new Map<string, Json>() : leaves(before, "", new Map());
  const b = after === undefined ? new Map<string, Json>() : leaves(after, "", new Map());
  return [...new Set([...a.keys(), ...b.keys()])].sort()
    .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)))
    .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}

export function comparePlans(base: PlannedValues, head: PlannedValues): PlanDiff {
  const baseKeys = Object.keys(base);
  const headKeys = Object.keys(head);
  return {
    baseCount: baseKeys.length,
    headCount: headKeys.length,
    onlyBase: baseKeys.filter((address) => !(address in head)).sort(),
    onlyHead: headKeys.filter((address) => !(address in base)).sort(),
    changed: headKeys.filter((address) => address in base).sort()
      .map((address) => ({ address, changes: valueChanges(base[address], head[address]) }))
      .filter((entry) => entry.changes.length > 0),
  };
}

/** A string as it is, any other value as JSON. */
function plainText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The first 8 hex digits of the sha256 of a value (as plainText): the same value, the same name. */
export function digest(value: Json): string {
  return createHash("sha256").update(plainText(value)).digest("hex").slice(0, 8);
}

/** A value for a table cell: short ones as they are, long ones cut and named by their hash. */
export function shortValue(value: Json | undefined, limit = SHORT): string {
  if (value === undefined) return "(none)";
  const text = plainText(value);
  if (text.length <= limit) return text;
  return `${text.slice(0, limit - 20)}… (${text.length} chars, sha256 ${digest(value)})`;
}

/** The Markdown section of Terraform's view for one stack. */
export function planMarkdown(diff: PlanDiff, maxChangesPerResource = 12): string {
  const lines = [
    "### Terraform's plan (offline)",
    "",
    `Terraform planned ${diff.baseCount} resources for the base and ${diff.headCount} for the head, each offline against an empty state ` +
      "(`image-cdn-kit plan`): every resource is a create there, so what this change will update, replace or destroy in the live " +
      "stack shows only in a plan with credentials against its state.",
    "",
  ];
  for (const address of diff.onlyHead) lines.push(`- ➕ ${codeSpan(address)} planned only in the head`);
  for (const address of diff.onlyBase) lines.push(`- ➖ ${codeSpan(address)} planned only in the base`);
  for (const { address, changes } of diff.changed) {
    lines.push(`- ✏️ ${codeSpan(address)}:`);
    for (const change of changes.slice(0, maxChangesPerResource)) {
      lines.push(`  - ${codeSpan(change.path)}: ${cell(shortValue(change.before))} → ${cell(shortValue(change.after))}`);
    }
    if (changes.length > maxChangesPerResource) lines.push(`  - … and ${changes.length - maxChangesPerResource} more values`);
  }
  if (diff.onlyBase.length + diff.onlyHead.length + diff.changed.length === 0) lines.push("No planned value differs.");
  return `${lines.join("\n")}\n`;
}
