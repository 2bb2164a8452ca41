/**
 * The `terraform test` file that applies a stack against a mocked provider (Terraform 1.7+): no AWS account,
 * the provider's schema and its configuration checks all the same. Computed values that other resources
 * validate or that viewers would see are given the shapes AWS documents (ARNs per service's ARN format,
 * ACM's validation options, CloudFront's domain and zone); assertions check what only exists after apply.
 */
import { createHash } from "node:crypto";
import type { Json, Placeholder } from "./offline";

export const MOCK_TEST_FILE = "offline.tftest.hcl";
export const MOCK_ACCOUNT = "123456789012";
/** CloudFront's distribution domain and the hosted zone every CloudFront alias record points into (Route 53 API, AliasTarget). */
export const MOCK_DISTRIBUTION = { id: "E2MOCKDISTRIB01", domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" };

type JsonObject = { [key: string]: Json };
type Blocks = Record<string, Record<string, JsonObject>>;

export interface MockTest {
  readonly text: string;
  readonly assertions: number;
}

/** An HCL literal of a JSON value (strings escaped so that `${` stays literal). */
export function hcl(value: Json, indent = ""): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value).replace(/\$\{/g, "$$${").replace(/%\{/g, "%%{");
  if (typeof value !== "object") return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[\n${value.map((v) => `${inner}${hcl(v, inner)}`).join(",\n")}\n${indent}]`;
  const entries = Object.entries(value);
  return entries.length === 0 ? "{}" : `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} = ${hcl(v, inner)}`).join("\n")}\n${indent}}`;
}

interface ProviderConfig {
  readonly alias?: string;
  readonly region?: string;
}

function providersOf(config: JsonObject): ProviderConfig[] {
  const aws = (config.provider as JsonObject | undefined)?.aws;
  const list = (Array.isArray(aws) ? aws : aws ? [aws] : [{}]) as JsonObject[];
  return list.map((p) => ({ alias: typeof p.alias === "string" ? p.alias : undefined, region: typeof p.region === "string" ? p.region : undefined }));
}

const isLiteral = (value: Json | undefined): value is string => typeof value === "string" && !value.includes("${");
/** A configuration value as text: a string as it is, anything else (a list, a block) as its JSON. */
const text = (value: Json | undefined): string => (typeof value === "string" ? value : JSON.stringify(value) ?? "");

/** A literal region, or the default of the variable a provider's region is set from. */
function literalRegion(config: JsonObject, region: string | undefined): string {
  const variable = region === undefined ? undefined : /^\$\{var\.([\w-]+)\}$/.exec(region)?.[1];
  if (variable) {
    const value = ((config.variable as JsonObject | undefined)?.[variable] as JsonObject | undefined)?.default;
    if (typeof value === "string") return value;
  }
  return isLiteral(region) ? region : "us-east-1";
}

/** The region a resource is managed in: its own `region` argument, else its provider's. */
function regionOf(config: JsonObject, body: JsonObject | undefined): string {
  if (isLiteral(body?.region)) return body.region;
  const alias = typeof body?.provider === "string" ? body.provider.replace(/^aws\.?/, "") : "";
  const provider = providersOf(config).find((p) => (alias ? p.alias === alias : p.alias === undefined));
  return literalRegion(config, provider?.region);
}

function blocks(config: JsonObject, mode: "resource" | "data"): Blocks {
  return (config[mode] ?? {}) as Blocks;
}

function bodyAt(config: JsonObject, address: string): JsonObject | undefined {
  const data = address.startsWith("data.");
  const [type, name] = address.replace(/^data\./, "").split(".");
  return blocks(config, data ? "data" : "resource")[type ?? ""]?.[name ?? ""];
}

/** A stable hex string for mock identifiers, so the same stack gets the same test file. */
function hex(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** The name a resource is given in configuration, or a mock one after its prefix. */
function nameOf(body: JsonObject, ...keys: string[]): string {
  for (const key of keys) if (isLiteral(body[key])) return body[key];
  for (const key of keys) if (isLiteral(body[`${key}_prefix`])) return `${text(body[`${key}_prefix`])}20261203000000000000000001`;
  return "mock";
}

interface MockContext {
  readonly region: string;
  readonly body: JsonObject;
  readonly address: string;
}

/**
 * Computed values in the shapes AWS documents, per resource type: each service's ARN format ("Actions,
 * resources, and condition keys" in the Service Authorization Reference), the function URL and queue URL
 * forms, CloudFront's domain and zone. Types not listed keep the mock provider's random values.
 */
const COMPUTED: Record<string, (c: MockContext) => JsonObject> = {
  aws_iam_role: (c) => ({ arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${nameOf(c.body, "name")}`, name: nameOf(c.body, "name") }),
  aws_lambda_function: (c) => {
    const arn = `arn:aws:lambda:${c.region}:${MOCK_ACCOUNT}:function:${nameOf(c.body, "function_name")}`;
    return { arn, qualified_arn: `${arn}:$LATEST`, invoke_arn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`, version: "$LATEST" };
  },
  aws_lambda_function_url: (c) => ({ function_url: `https://${hex(c.address, 32)}.lambda-url.${c.region}.on.aws/`, url_id: hex(c.address, 32) }),
  aws_cloudwatch_log_group: (c) => ({ arn: `arn:aws:logs:${c.region}:${MOCK_ACCOUNT}:log-group:${nameOf(c.body, "name")}` }),
  aws_s3_bucket: (c) => {
    const bucket = nameOf(c.body, "bucket");
    return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucket_regional_domain_name: `${bucket}.s3.${c.region}.amazonaws.com`, region: c.region };
  },
  aws_s3_access_point: (c) => ({
    arn: `arn:aws:s3:${c.region}:${MOCK_ACCOUNT}:accesspoint/${nameOf(c.body, "name")}`,
    account_id: MOCK_ACCOUNT,
    alias: `${nameOf(c.body, "name")}-${hex(c.address, 26)}-s3alias`,
  }),
  aws_s3control_object_lambda_access_point: (c) => ({
    arn: `arn:aws:s3-object-lambda:${c.region}:${MOCK_ACCOUNT}:accesspoint/${nameOf(c.body, "name")}`,
    account_id: MOCK_ACCOUNT,
    alias: `${nameOf(c.body, "name")}-${hex(c.address, 26)}--ol-s3`,
  }),
  aws_cloudfront_distribution: () => ({
    id: MOCK_DISTRIBUTION.id,
    arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:distribution/${MOCK_DISTRIBUTION.id}`,
    domain_name: MOCK_DISTRIBUTION.domainName,
    hosted_zone_id: MOCK_DISTRIBUTION.hostedZoneId,
  }),
  aws_cloudfront_function: (c) => ({ arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:function/${nameOf(c.body, "name")}` }),
  aws_cloudfront_key_value_store: (c) => ({ arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:key-value-store/${uuid(c.address)}`, id: nameOf(c.body, "name") }),
  aws_sqs_queue: (c) => {
    const name = nameOf(c.body, "name");
    const url = `https://sqs.${c.region}.amazonaws.com/${MOCK_ACCOUNT}/${name}`;
    return { arn: `arn:aws:sqs:${c.region}:${MOCK_ACCOUNT}:${name}`, url, id: url };
  },
  aws_cloudwatch_event_rule: (c) => ({ arn: `arn:aws:events:${c.region}:${MOCK_ACCOUNT}:rule/${nameOf(c.body, "name")}` }),
  aws_sns_topic: (c) => ({ arn: `arn:aws:sns:${c.region}:${MOCK_ACCOUNT}:${nameOf(c.body, "name")}` }),
  aws_cloudwatch_log_delivery_source: (c) => ({ arn: `arn:aws:logs:${c.region}:${MOCK_ACCOUNT}:delivery-source:${nameOf(c.body, "name")}` }),
  aws_cloudwatch_log_delivery_destination: (c) => ({ arn: `arn:aws:logs:${c.region}:${MOCK_ACCOUNT}:delivery-destination:${nameOf(c.body, "name")}` }),
  aws_acm_certificate: (c) => ({
    arn: `arn:aws:acm:${c.region}:${MOCK_ACCOUNT}:certificate/${uuid(c.address)}`,
    domain_validation_options: validationOptions([c.body.domain_name, ...((c.body.subject_alternative_names as Json[] | undefined) ?? [])].filter(isLiteral)),
  }),
};

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * ACM's DomainValidationOptions for DNS validation: one entry per name, a CNAME each; a wildcard shares its
 * apex's record (ACM user guide, "DNS validation").
 */
export function validationOptions(names: readonly string[]): JsonObject[] {
  return names.map((name) => {
    const base = name.replace(/^\*\./, "");
    return {
      domain_name: name,
      resource_record_name: `_${hex(`name ${base}`, 32)}.${base}.`,
      resource_record_type: "CNAME",
      resource_record_value: `_${hex(`value ${base}`, 32)}.acm-validations.aws.`,
    };
  });
}

/** Data sources a stack may read, answered as AWS would for the stack's own region. */
const DATA: Record<string, (c: MockContext) => JsonObject> = {
  aws_s3_bucket: (c) => {
    const bucket = nameOf(c.body, "bucket");
    // `region` is the bucket's region in hashicorp/aws 5, `bucket_region` in 6 (where `region` is the one asked in).
    return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucket_regional_domain_name: `${bucket}.s3.${c.region}.amazonaws.com`, region: c.region, bucket_region: c.region };
  },
  aws_region: (c) => ({ name: c.region, id: c.region }),
};

interface Assertion {
  readonly condition: string;
  readonly message: string;
}

const quote = (value: string): string => hcl(value);

export function mockApplyTest(config: JsonObject, placeholders: readonly Placeholder[]): MockTest {
  const lines: string[] = ["# Written by image-cdn-kit plan: apply against a mocked provider, offline.", ""];
  for (const provider of providersOf(config)) {
    lines.push(`mock_provider "aws" {`);
    if (provider.alias) lines.push(`  alias = ${JSON.stringify(provider.alias)}`);
    lines.push("}", "");
  }
  const computed = new Map<string, JsonObject>();
  for (const [mode, table] of [["resource", COMPUTED], ["data", DATA]] as const) {
    for (const [type, byName] of Object.entries(blocks(config, mode))) {
      const make = table[type];
      if (!make) continue;
      for (const [name, body] of Object.entries(byName)) {
        const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
        // An attribute the planning provider lacks is a placeholder's to give, not the mock's.
        const values = Object.fromEntries(Object.entries(make({ region: regionOf(config, body), body, address }))
          .filter(([attribute]) => !placeholders.some((p) => p.standsFor === `${address}.${attribute}`)));
        computed.set(address, values);
        lines.push(mode === "data" ? "override_data {" : "override_resource {", `  target = ${address}`, `  values = ${hcl(values, "  ")}`, "}", "");
      }
    }
  }
  for (const placeholder of placeholders) {
    const attribute = placeholder.standsFor.split(".").pop() ?? "";
    const owner = placeholder.standsFor.split(".").slice(0, -1).join(".");
    const known = computed.get(owner)?.[attribute];
    const value: Json = known ?? (/(^|_)region$/.test(attribute) ? regionOf(config, bodyAt(config, owner)) : `mock-${attribute}`);
    // During plan too (Terraform 1.11): a condition that reads a placeholder is then checked at plan, as it would be.
    lines.push("override_resource {", `  target = ${placeholder.address}`, "  override_during = plan", `  values = { id = ${quote(JSON.stringify(value))} }`, "}", "");
  }
  // Plans that must fail first: run blocks share one state, and the apply's would stand in their way.
  const refusals = postconditionRuns(config, placeholders);
  lines.push(...refusals.lines);
  const assertions = assertionsFor(config, computed);
  lines.push(`run "apply" {`, "  command = apply");
  for (const a of assertions) lines.push("", "  assert {", `    condition     = ${a.condition}`, `    error_message = ${quote(a.message)}`, "  }");
  lines.push("}", "");
  return { text: lines.join("\n"), assertions: assertions.length + refusals.count };
}

/** `${aws_x.name.attr}` alone: the address and attribute it reads. */
function soleReference(value: Json | undefined): { address: string; attribute: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{((?:data\.)?aws_[a-z0-9_]+\.[\w-]+)\.([a-z_]+)\}$/.exec(value);
  return match ? { address: match[1] as string, attribute: match[2] as string } : undefined;
}

/** What must hold after apply, in Terraform's own expressions, from the stack's configuration and the mock values. */
function assertionsFor(config: JsonObject, computed: Map<string, JsonObject>): Assertion[] {
  const result: Assertion[] = [];
  const resources = blocks(config, "resource");
  const mocked = (ref: { address: string; attribute: string } | undefined): Json | undefined => (ref ? computed.get(ref.address)?.[ref.attribute] : undefined);

  // Every output has its value, and the ones that read a mocked attribute read the right one.
  for (const [name, output] of Object.entries((config.output ?? {}) as Record<string, JsonObject>)) {
    const value = mocked(soleReference(output.value));
    result.push(value !== undefined
      ? { condition: `output.${name} == ${hcl(value)}`, message: `output ${name} is not the value it names` }
      : { condition: `output.${name} != null`, message: `output ${name} has no value after apply` });
  }

  const [distributionName, distribution] = Object.entries(resources.aws_cloudfront_distribution ?? {})[0] ?? [];
  const d = distributionName ? `aws_cloudfront_distribution.${distributionName}` : undefined;
  if (d && distribution) {
    // Origins: the host each origin is given resolves to the resource it names.
    const origins = (Array.isArray(distribution.origin) ? distribution.origin : [distribution.origin]) as JsonObject[];
    for (const origin of origins) {
      const expected = originHost(origin.domain_name, computed, config);
      if (expected === undefined) continue;
      result.push({
        condition: `contains([for o in ${d}.origin : o.domain_name if o.origin_id == ${quote(text(origin.origin_id))}], ${quote(expected)})`,
        message: `origin ${text(origin.origin_id)} does not point at ${expected}`,
      });
    }
    // Function associations: each event runs the function configured for it.
    const behaviour = (Array.isArray(distribution.default_cache_behavior) ? distribution.default_cache_behavior[0] : distribution.default_cache_behavior) as JsonObject | undefined;
    for (const association of ((behaviour?.function_association ?? []) as JsonObject[])) {
      const arn = mocked(soleReference(association.function_arn));
      if (typeof arn !== "string") continue;
      result.push({
        condition: `one([for f in one(${d}.default_cache_behavior).function_association : f.function_arn if f.event_type == ${quote(text(association.event_type))}]) == ${quote(arn)}`,
        message: `the ${text(association.event_type)} function is not ${arn}`,
      });
    }
    const aliases = distribution.aliases;
    if (Array.isArray(aliases)) {
      result.push({ condition: `toset(${d}.aliases) == toset(${hcl(aliases)})`, message: "the distribution does not serve the custom names" });
    }
  }

  // Certificate validation: one record per name ACM asks for, with ACM's name and value; a wildcard shares its apex's.
  for (const [name, body] of Object.entries(resources.aws_route53_record ?? {})) {
    const names = forEachNames(body.for_each);
    const address = `aws_route53_record.${name}`;
    if (!names) continue;
    if (typeof body.name === "string" && body.name.includes("domain_validation_options")) {
      const certificate = /(aws_acm_certificate\.[\w-]+)\.domain_validation_options/.exec(body.name)?.[1];
      const options = (certificate ? computed.get(certificate)?.domain_validation_options : undefined) as JsonObject[] | undefined;
      result.push({ condition: `toset(keys(${address})) == toset(${hcl(names)})`, message: `validation records are not exactly ${names.join(", ")}` });
      for (const key of names) {
        const option = options?.find((o) => o.domain_name === key);
        if (!option) continue;
        result.push({
          condition: `${address}[${quote(key)}].name == ${quote(text(option.resource_record_name))} && ${address}[${quote(key)}].type == "CNAME" && length(${address}[${quote(key)}].records) == 1 && contains(${address}[${quote(key)}].records, ${quote(text(option.resource_record_value))})`,
          message: `the validation record of ${key} is not the one ACM asks for`,
        });
      }
      const shared = (options ?? []).filter((o) => text(o.domain_name).startsWith("*.") && names.includes(text(o.domain_name).slice(2)));
      for (const wildcard of shared) {
        result.push({ condition: `!contains(keys(${address}), ${quote(text(wildcard.domain_name))})`, message: `${text(wildcard.domain_name)} got its own validation record (it shares its apex's)` });
      }
    } else if (body.alias !== undefined && d) {
      result.push({
        condition: `alltrue([for r in values(${address}) : one(r.alias).name == ${quote(MOCK_DISTRIBUTION.domainName)} && one(r.alias).zone_id == ${quote(MOCK_DISTRIBUTION.hostedZoneId)}]) && toset(keys(${address})) == toset(${hcl(names)})`,
        message: `${text(body.type)} alias records do not point every name at the distribution`,
      });
    }
  }
  for (const [name, body] of Object.entries(resources.aws_acm_certificate_validation ?? {})) {
    const records = /(aws_route53_record\.[\w-]+)/.exec(text(body.validation_record_fqdns))?.[1];
    if (records) result.push({ condition: `length(aws_acm_certificate_validation.${name}.validation_record_fqdns) == length(${records})`, message: "the certificate validation does not wait for every record" });
  }

  // Invoke permissions name the distribution as their source.
  const distributionArn = d ? computed.get(d)?.arn : undefined;
  for (const [name, body] of Object.entries(resources.aws_lambda_permission ?? {})) {
    if (typeof distributionArn === "string" && soleReference(body.source_arn)?.address === d) {
      result.push({ condition: `aws_lambda_permission.${name}.source_arn == ${quote(distributionArn)}`, message: `permission ${text(body.statement_id)} is not limited to the distribution` });
    }
  }
  return result;
}

/** The keys of a `for_each = "${toset([...])}"` written with literal names. */
function forEachNames(value: Json | undefined): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{toset\((\[.*\])\)\}$/s.exec(value);
  if (!match) return undefined;
  try {
    const names = JSON.parse(match[1] as string) as unknown;
    return Array.isArray(names) && names.every((n) => typeof n === "string") ? names : undefined;
  } catch {
    return undefined;
  }
}

/** An origin's host with the mocked values put in for the references it holds, when every one is known. */
function originHost(domainName: Json | undefined, computed: Map<string, JsonObject>, config: JsonObject): string | undefined {
  if (typeof domainName !== "string") return undefined;
  let unknown = false;
  const host = domainName.replace(/\$\{([^{}]+)\}/g, (_all, expression: string) => {
    const ref = /^((?:data\.)?aws_[a-z0-9_]+\.[\w-]+)\.([a-z_]+)$/.exec(expression);
    const fromUrl = /^element\(split\("\/", ((?:data\.)?aws_[a-z0-9_]+\.[\w-]+)\.([a-z_]+)\), 2\)$/.exec(expression);
    const offline = /^jsondecode\(terraform_data\.offline_(.+)\.id\)$/.exec(expression);
    if (ref) {
      const value = computed.get(ref[1] as string)?.[ref[2] as string];
      if (typeof value === "string") return value;
    } else if (fromUrl) {
      const value = computed.get(fromUrl[1] as string)?.[fromUrl[2] as string];
      if (typeof value === "string") return value.split("/")[2] ?? "";
    } else if (offline && /_region$/.test(offline[1] as string)) {
      return regionOf(config, undefined);
    }
    unknown = true;
    return "";
  });
  return unknown ? undefined : host;
}

/** A region no kit stack is planned in here, for an existing bucket that lives elsewhere. */
const ELSEWHERE = "ap-southeast-2";

/**
 * A postcondition must stop the plan when its condition fails: for each existing bucket checked for its region,
 * a run whose mock puts the bucket in another region and expects that data source to fail.
 */
function postconditionRuns(config: JsonObject, placeholders: readonly Placeholder[]): { lines: string[]; count: number } {
  const lines: string[] = [];
  let count = 0;
  for (const [name, body] of Object.entries(blocks(config, "data").aws_s3_bucket ?? {})) {
    const conditions = ((body.lifecycle as JsonObject | undefined)?.postcondition ?? []) as JsonObject[];
    if (!conditions.some((c) => text(c.condition).includes("bucket_region"))) continue;
    const address = `data.aws_s3_bucket.${name}`;
    const placeholder = placeholders.find((p) => p.standsFor === `${address}.bucket_region`);
    count += 1;
    lines.push(`run "existing_bucket_in_another_region_${count}" {`, "  command = plan", "");
    lines.push(placeholder
      ? `  override_resource {\n    target = ${placeholder.address}\n    override_during = plan\n    values = { id = ${quote(JSON.stringify(ELSEWHERE))} }\n  }`
      : `  override_data {\n    target = ${address}\n    values = { bucket_region = ${quote(ELSEWHERE)} }\n  }`);
    lines.push("", `  expect_failures = [${address}]`, "}", "");
  }
  return { lines, count };
}
