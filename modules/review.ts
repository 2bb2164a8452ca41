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
    if (typeof resource[key] === "string") return `${key}: ${readable(resource[key] as string)}`;
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
      for (const key of ["policy", "assume_role_policy"]) {
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
function changedArguments(before: string, after: string): string[] {
  const a = JSON.parse(before) as Record<string, Json>;
  const b = JSON.parse(after) as Record<string, Json>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}

export interface ReviewSummary {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: Array<{ address: string; arguments: string[] }>;
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
      .map((address) => ({ address, arguments: changedArguments(before.get(address) as string, after.get(address) as string) })),
    grantsAdded: headGrants.filter((grant) => !baseKeys.has(grantKey(grant))),
    grantsRemoved: baseGrants.filter((grant) => !headKeys.has(grantKey(grant))),
    grants: headGrants,
  };
}

function cell(text: string): string {
  return (text === "" ? "—" : text).replace(/\|/g, "\\|");
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

/** The Markdown comment for one stack. */
export function reviewMarkdown(stackName: string, summary: ReviewSummary): string {
  const lines = [`## Image CDN review: \`${stackName}\``, ""];
  const accessChanges = [...summary.grantsRemoved.map((g) => ({ g, mark: "➖ removed" })), ...summary.grantsAdded.map((g) => ({ g, mark: "➕ added" }))];
  if (accessChanges.length > 0) {
    lines.push(`### ⚠️ Who may do what changes (${accessChanges.length})`, "", "Review these before approving: each row is a grant this change adds or takes away.", "");
    const marks = new Map(accessChanges.map(({ g, mark }) => [g, mark]));
    lines.push(...grantTable(accessChanges.map(({ g }) => g), (g) => marks.get(g) as string), "");
  } else {
    lines.push("No change in who may do what.", "");
  }
  lines.push(`### Resources: ${summary.added.length} added, ${summary.removed.length} removed, ${summary.changed.length} changed`, "");
  for (const address of summary.added) lines.push(`- ➕ \`${address}\``);
  for (const address of summary.removed) lines.push(`- ➖ \`${address}\``);
  for (const { address, arguments: changed } of summary.changed) lines.push(`- ✏️ \`${address}\`: ${changed.map((a) => `\`${a}\``).join(", ")}`);
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

/** A value for a table cell: short ones as they are, long ones cut and named by their hash. */
export function shortValue(value: Json | undefined, limit = 60): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.length <= limit) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
  return `${text.slice(0, limit - 20)}… (${text.length} chars, sha256 ${hash})`;
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
  for (const address of diff.onlyHead) lines.push(`- ➕ \`${address}\` planned only in the head`);
  for (const address of diff.onlyBase) lines.push(`- ➖ \`${address}\` planned only in the base`);
  for (const { address, changes } of diff.changed) {
    lines.push(`- ✏️ \`${address}\`:`);
    for (const change of changes.slice(0, maxChangesPerResource)) {
      lines.push(`  - \`${change.path}\`: ${cell(shortValue(change.before))} → ${cell(shortValue(change.after))}`);
    }
    if (changes.length > maxChangesPerResource) lines.push(`  - … and ${changes.length - maxChangesPerResource} more values`);
  }
  if (diff.onlyBase.length + diff.onlyHead.length + diff.changed.length === 0) lines.push("No planned value differs.");
  return `${lines.join("\n")}\n`;
}
