import { CONTEXT_ENV } from "cdktf";
import { awsRegions } from "../construct/aws-regions";
import { didYouMean } from "../construct/did-you-mean";
import type { ImageCdnProps } from "../construct/props";
import { ImageCdnPropError } from "../construct/validate-props";
import type { Environment } from "../../lambda-src/core/contract";

/** The Terraform versions that know the S3 backend's use_lockfile as generally available (Terraform 1.11.0 CHANGELOG). */
export const S3_LOCKFILE_TERRAFORM = ">= 1.11";

/** What `main.ts` needs to build its one stack. */
export interface AppSettings {
  readonly stackName: string;
  readonly region: string;
  /** Where the state lives: local (a path relative to the stack folder), S3, or Terraform Cloud. */
  readonly backend: BackendSettings;
  readonly imageCdn: ImageCdnProps;
}

export type BackendSettings =
  | { kind: "local" }
  | { kind: "s3"; bucket: string; key: string; region: string }
  | { kind: "cloud"; organization: string; workspace: string; hostname?: string };

/** A prop's path in ImageCdnProps, two levels deep ("resizer.memorySize"). */
type PropPath = {
  [K in keyof ImageCdnProps]-?: NonNullable<ImageCdnProps[K]> extends readonly unknown[] | string | number | boolean
    ? K
    : K | `${K}.${Extract<keyof Exclude<NonNullable<ImageCdnProps[K]>, boolean>, string>}`;
}[keyof ImageCdnProps];

/**
 * How a setting's text is read: as it is, an AWS region, true/false, a whole number, a comma-separated list (of whole
 * numbers), or presets. What the construct checks (a value's range, an origin's name) it checks itself, naming the setting.
 */
export type SettingType = "text" | "region" | "boolean" | "integer" | "integers" | "list" | "presets";
/** Each type as the README's settings table states it. */
export const SETTING_TYPE_DOCS: Readonly<Record<SettingType, string>> = {
  text: "text",
  region: "an AWS region",
  boolean: "`true` or `false`",
  integer: "a whole number",
  integers: "whole numbers, comma-separated",
  list: "a comma-separated list",
  presets: "`NAME=PARAMETERS,...`, or an object in cdktf.json",
};

export interface SettingSpec {
  /** What it sets, for `help` and the README (both generated from this table: npm run docs). */
  readonly help: string;
  readonly type: SettingType;
  /** An integer's unit, for its one-line error. */
  readonly unit?: string;
  /** The ImageCdn prop it sets, so that the construct's own refusal names the setting. */
  readonly prop?: PropPath;
}

/**
 * Every setting of the app: the one place they are described. The same names without IMAGE_CDN_, in
 * lowercase, may be set under "context" in cdktf.json; an environment variable wins.
 */
export const SETTINGS = {
  IMAGE_CDN_STACK: { type: "text", help: "stack name (default image-cdn)" },
  IMAGE_CDN_REGION: { type: "region", help: "AWS region of the bucket and the resizer (default us-east-1)" },
  IMAGE_CDN_ORIGIN: { type: "text", help: "function-url (default) or object-lambda (accounts that already use S3 Object Lambda)", prop: "origin" },
  IMAGE_CDN_ORIGINALS: { type: "text", help: "serve (default: straight from the bucket) or deny (a 403 at the edge: variants only)", prop: "originals" },
  IMAGE_CDN_BUCKET_PREFIX: { type: "text", help: "bucket name prefix (default images-)", prop: "bucket.namePrefix" },
  IMAGE_CDN_BUCKET_NAME: { type: "text", help: "exact bucket name, instead of a prefix", prop: "bucket.name" },
  IMAGE_CDN_EXISTING_BUCKET: { type: "text", help: "serve an existing bucket instead of creating one", prop: "bucket.existingBucketName" },
  IMAGE_CDN_MANAGE_BUCKET_POLICY: { type: "boolean", help: "true or false: write the existing bucket's policy (to be chosen when it needs the kit's statements)", prop: "bucket.managePolicy" },
  IMAGE_CDN_KMS_KEY_ARN: { type: "text", help: "KMS key ARN of SSE-KMS originals (function-url origin; key policy statements in an output)", prop: "bucket.kmsKeyArn" },
  IMAGE_CDN_ARCHITECTURE: { type: "text", help: "arm64 (default) or x86_64", prop: "resizer.architecture" },
  IMAGE_CDN_MEMORY_SIZE: { type: "integer", unit: "MB", help: "resizer memory in MB (default 512); bounds the largest AVIF or GIF original and AVIF variant (README, \"Memory and time by format\")", prop: "resizer.memorySize" },
  IMAGE_CDN_TIMEOUT: { type: "integer", unit: "seconds", help: "resizer timeout in seconds (default 10; at most 30 with object-lambda)", prop: "resizer.timeout" },
  IMAGE_CDN_RESERVED_CONCURRENCY: { type: "integer", unit: "concurrent executions", help: "the most resizer instances at once (leave the account's unreserved minimum free)", prop: "resizer.reservedConcurrency" },
  IMAGE_CDN_ALLOWED_WIDTHS: { type: "integers", help: "comma-separated allow-list of w values, e.g. 150,500", prop: "resizer.allowedWidths" },
  IMAGE_CDN_ALLOWED_HEIGHTS: { type: "integers", help: "comma-separated allow-list of h values, e.g. 150,700", prop: "resizer.allowedHeights" },
  IMAGE_CDN_CORS_ORIGINS: { type: "list", help: "comma-separated origins allowed to read images cross-origin", prop: "cors.allowedOrigins" },
  IMAGE_CDN_DOMAIN_NAMES: { type: "list", help: "comma-separated custom host names, e.g. img.example.com", prop: "domain.names" },
  IMAGE_CDN_HOSTED_ZONE_ID: { type: "text", help: "Route 53 hosted zone of the custom host names (with IMAGE_CDN_DOMAIN_NAMES)", prop: "domain.hostedZoneId" },
  IMAGE_CDN_CERTIFICATE_ARN: { type: "text", help: "existing ACM certificate in us-east-1 (with IMAGE_CDN_DOMAIN_NAMES)", prop: "domain.certificateArn" },
  IMAGE_CDN_PRICE_CLASS: { type: "text", help: "PriceClass_100 (default), PriceClass_200 or PriceClass_All", prop: "priceClass" },
  IMAGE_CDN_PRESETS: { type: "presets", help: "named transformations, e.g. thumb=w=150&h=150&fit=cover,hero=w=1600&format=webp", prop: "presets" },
  IMAGE_CDN_ONLY_PRESETS: { type: "boolean", help: "true or false: serve presets only (any other resize parameter is a 400)", prop: "onlyPresets" },
  IMAGE_CDN_CLIENT_HINTS: { type: "boolean", help: "true or false: w=auto takes the width from the browser's client hints (README, \"Client hints\")", prop: "clientHints" },
  IMAGE_CDN_ALARM_EMAIL: { type: "text", help: "an address the alarms notify (a topic in each alarm region; confirm each subscription)", prop: "monitoring.alarmEmail" },
  IMAGE_CDN_MONITORING: { type: "boolean", help: "true (default) or false: the CloudWatch dashboard, alarms and the resizer's metrics (README, \"Operate it\")", prop: "monitoring" },
  IMAGE_CDN_ORIGIN_SHIELD_REGION: { type: "text", help: "CloudFront Origin Shield in this region (the one nearest the bucket)", prop: "originShieldRegion" },
  IMAGE_CDN_WEB_ACL_ID: { type: "text", help: "ARN of a WAFv2 web ACL (scope CLOUDFRONT) in front of the distribution", prop: "webAclId" },
  IMAGE_CDN_BROWSER_TTL: { type: "integer", unit: "seconds", help: "seconds browsers keep a variant (default 86400 with purge on change, else a year)", prop: "cache.browserTtl" },
  IMAGE_CDN_SIGNING: { type: "boolean", help: "true or false: serve signed URLs only (keys in a CloudFront KeyValueStore, see README)", prop: "signing" },
  IMAGE_CDN_PURGE_ON_CHANGE: { type: "boolean", help: "true or false: invalidate an original's variants when it is overwritten or deleted", prop: "purgeOnChange" },
  IMAGE_CDN_RESOURCE_PREFIX: { type: "text", help: "prefix of every resource name (default: from stack, construct and region)", prop: "resourcePrefix" },
  IMAGE_CDN_STATE_BUCKET: { type: "text", help: "S3 bucket for the Terraform state (S3 backend with native locking)" },
  IMAGE_CDN_STATE_KEY: { type: "text", help: "state object key in that bucket (default image-cdn/<stack>.tfstate)" },
  IMAGE_CDN_STATE_REGION: { type: "region", help: "region of the state bucket (default the stack's region)" },
  IMAGE_CDN_TFC_ORGANIZATION: { type: "text", help: "Terraform Cloud organization (with IMAGE_CDN_TFC_WORKSPACE)" },
  IMAGE_CDN_TFC_WORKSPACE: { type: "text", help: "Terraform Cloud workspace (with IMAGE_CDN_TFC_ORGANIZATION)" },
  IMAGE_CDN_TFC_HOSTNAME: { type: "text", help: "Terraform Enterprise host name (default app.terraform.io)" },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** A setting as given: its value and where it came from, to name in an error. */
interface Given {
  readonly value: string;
  /** `IMAGE_CDN_X` or `cdktf.json context "x"`. */
  readonly source: string;
}
export type SettingLookup = (name: SettingName) => Given | undefined;

/** A wrong setting, said in one line that names the variable (or context key), the value and what is allowed. */
export class AppSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AppSettingError";
  }
}

function invalid(given: Given, allowed: string): AppSettingError {
  return new AppSettingError(`${given.source}=${JSON.stringify(given.value)} is not allowed: ${allowed}`);
}

export function contextKey(name: SettingName): string {
  return name.replace(/^IMAGE_CDN_/, "").toLowerCase();
}

/** Reads a setting from the environment first, then from cdktf.json context ("bucket_prefix" for IMAGE_CDN_BUCKET_PREFIX). */
export function settingLookup(env: Environment, context: (key: string) => unknown): SettingLookup {
  return (name) => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: name };
    const key = contextKey(name);
    const fromContext = context(key);
    if (fromContext === undefined || fromContext === null) return undefined;
    const value = Array.isArray(fromContext) ? fromContext.join(",") : typeof fromContext === "string" ? fromContext : JSON.stringify(fromContext);
    return { value, source: `cdktf.json context "${key}"` };
  };
}

const CONTEXT_KEYS = SETTING_NAMES.map(contextKey);

/**
 * Context keys that are cdktf's, not the app's: the feature flags `cdktf init` writes into cdktf.json (cdktf
 * 0.21 has none left; older versions wrote these two), and, by prefix, the keys cdktf sets and reads itself
 * (cdktfRelativeModules, cdktfJsonPath, cdktfStaticModuleAssetHash, @cdktf/disable_stack_trace_in_metadata).
 */
const CDKTF_CONTEXT_KEYS: readonly string[] = ["excludeStackIdFromLogicalIds", "allowSepCharsInLogicalIds", ...futureFlags()];
const CDKTF_CONTEXT_PREFIX = /^(cdktf|cdktn|@)/;

/** The flags of the installed cdktf (or its fork under that name), should a version bring new ones. */
function futureFlags(): string[] {
  try {
    // A require inside try: the module is internal to cdktf, and a version or fork without it must not break the app.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Object.keys((require("cdktf/lib/features") as { FUTURE_FLAGS?: object }).FUTURE_FLAGS ?? {});
  } catch {
    return [];
  }
}

/**
 * The keys of cdktf.json's "context": cdktf's CLI hands them to the app as JSON in CDKTF_CONTEXT_JSON (which
 * cdktf's App reads), with its own cdktfRelativeModules added. Malformed JSON is the App's to refuse.
 */
function contextKeysGiven(env: Environment): string[] {
  try {
    const context: unknown = JSON.parse(env[CONTEXT_ENV] ?? "{}");
    return context !== null && typeof context === "object" && !Array.isArray(context) ? Object.keys(context) : [];
  } catch {
    return [];
  }
}

/**
 * The first IMAGE_CDN_* variable, then the first cdktf.json context key, the app does not know (a typo is an
 * error, not a silent default), with the nearest known name when one is close.
 */
export function unknownSettings(env: Environment): AppSettingError | undefined {
  const variable = Object.keys(env).filter((name) => name.startsWith("IMAGE_CDN_") && !(SETTING_NAMES as string[]).includes(name)).sort()[0];
  if (variable !== undefined) {
    const nearest = didYouMean(variable, SETTING_NAMES);
    return new AppSettingError(`${variable} is not a setting of the app${nearest === undefined ? "" : `; did you mean ${nearest}?`} (see help)`);
  }
  const key = contextKeysGiven(env)
    .filter((k) => !CONTEXT_KEYS.includes(k) && !CDKTF_CONTEXT_KEYS.includes(k) && !CDKTF_CONTEXT_PREFIX.test(k))
    .sort()[0];
  if (key === undefined) return undefined;
  // A variable's name as a key ("IMAGE_CDN_REGION") is compared as the key it would be ("region").
  const nearest = didYouMean(key.replace(/^image_cdn_/i, ""), CONTEXT_KEYS);
  return new AppSettingError(`cdktf.json context "${key}" is not a setting of the app${nearest === undefined ? "" : `; did you mean "${nearest}"?`} (see help)`);
}

/**
 * A region AWS has, from the AWS SDK's partitions data (see aws-regions.ts), so that a typo fails at synth
 * instead of at `terraform apply`.
 */
function region(given: Given | undefined, fallback: string): string {
  if (given === undefined) return fallback;
  if (awsRegions().includes(given.value)) return given.value;
  const nearest = didYouMean(given.value, awsRegions());
  throw invalid(given, nearest === undefined ? "an AWS region such as us-east-1, eu-west-1 or ap-northeast-2" : `an AWS region; did you mean ${nearest}?`);
}

function list(given: Given | undefined): string[] | undefined {
  return given?.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function integers(given: Given | undefined): number[] | undefined {
  return list(given)?.map((item) => {
    if (!/^[0-9]+$/.test(item)) throw invalid(given as Given, "a comma-separated list of integers, e.g. 150,500");
    return Number(item);
  });
}

function integer(given: Given | undefined, unit: string): number | undefined {
  if (given === undefined) return undefined;
  if (!/^[0-9]+$/.test(given.value)) throw invalid(given, `an integer (${unit})`);
  return Number(given.value);
}

function boolean(given: Given | undefined): boolean | undefined {
  if (given === undefined) return undefined;
  if (given.value !== "true" && given.value !== "false") throw invalid(given, "true or false");
  return given.value === "true";
}

/**
 * Presets as `name=w=150&h=150&fit=cover,other=...` (each preset's parameters as in a URL), or, from cdktf.json,
 * an object `{ "thumb": { "w": 150, "h": 150 } }`. The construct validates the parameters.
 */
function presets(given: Given | undefined): ImageCdnProps["presets"] {
  if (given === undefined) return undefined;
  if (given.value.trim().startsWith("{")) {
    try {
      return JSON.parse(given.value) as ImageCdnProps["presets"];
    } catch {
      throw invalid(given, "an object of presets, like {\"thumb\": {\"w\": 150, \"h\": 150}}");
    }
  }
  const result: Record<string, Record<string, string | number>> = {};
  for (const item of given.value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf("=");
    if (at < 1) throw invalid(given, "comma-separated NAME=PARAMETERS, e.g. thumb=w=150&h=150&fit=cover,hero=w=1600");
    const parameters = Object.fromEntries(new URLSearchParams(item.slice(at + 1)));
    // Numbers as numbers, as a preset written in code has them (the construct checks the rest).
    result[item.slice(0, at)] = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v]));
  }
  return result;
}

/** Settings that only mean something with another one. */
function requireWith(get: SettingLookup, name: SettingName, needs: SettingName[]): void {
  const given = get(name);
  if (given !== undefined && needs.every((other) => get(other) === undefined)) {
    throw new AppSettingError(`${given.source} is set but means nothing without ${needs.join(" or ")}`);
  }
}

function atMostOne(get: SettingLookup, names: SettingName[], why: string): void {
  const set = names.map(get).filter((given): given is Given => given !== undefined);
  if (set.length > 1) throw new AppSettingError(`${set.map((given) => given.source).join(" and ")} are both set: ${why}`);
}

/** Pure: turns settings into the stack's configuration. Values the construct checks itself are checked there. */
export function resolveAppSettings(get: SettingLookup): AppSettings {
  requireWith(get, "IMAGE_CDN_HOSTED_ZONE_ID", ["IMAGE_CDN_DOMAIN_NAMES"]);
  requireWith(get, "IMAGE_CDN_CERTIFICATE_ARN", ["IMAGE_CDN_DOMAIN_NAMES"]);
  requireWith(get, "IMAGE_CDN_MANAGE_BUCKET_POLICY", ["IMAGE_CDN_EXISTING_BUCKET"]);
  atMostOne(get, ["IMAGE_CDN_BUCKET_PREFIX", "IMAGE_CDN_BUCKET_NAME", "IMAGE_CDN_EXISTING_BUCKET"], "they choose the bucket three ways; set one");
  const monitoring = get("IMAGE_CDN_MONITORING");
  const alarmEmail = get("IMAGE_CDN_ALARM_EMAIL");
  if (alarmEmail !== undefined && monitoring !== undefined && read(SETTINGS.IMAGE_CDN_MONITORING, monitoring) === false) {
    throw new AppSettingError(`${alarmEmail.source} is set but means nothing with ${monitoring.source}=false (no alarms)`);
  }
  const stackName = get("IMAGE_CDN_STACK")?.value ?? "image-cdn";
  const stackRegion = region(get("IMAGE_CDN_REGION"), "us-east-1");
  const imageCdn: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const spec: SettingSpec = SETTINGS[name];
    const given = get(name);
    if (spec.prop === undefined || given === undefined) continue;
    const [prop, part] = spec.prop.split(".") as [string, string | undefined];
    const value = read(spec, given);
    // monitoring: true and a part of it (IMAGE_CDN_ALARM_EMAIL) make the object with that part.
    if (part === undefined) imageCdn[prop] = typeof imageCdn[prop] === "object" && value === true ? imageCdn[prop] : value;
    else imageCdn[prop] = { ...(typeof imageCdn[prop] === "object" ? imageCdn[prop] : {}), [part]: value };
  }
  // The bucket is chosen one of three ways (checked above); by its prefix unless another is given.
  const bucket = (imageCdn.bucket ?? {}) as NonNullable<ImageCdnProps["bucket"]>;
  if (bucket.name === undefined && bucket.existingBucketName === undefined) imageCdn.bucket = { namePrefix: "images-", ...bucket };
  return { stackName, region: stackRegion, backend: resolveBackend(get, stackName, stackRegion), imageCdn };
}

/** A setting's text as its type reads it. */
function read(spec: SettingSpec, given: Given): unknown {
  switch (spec.type) {
    case "text":
      return given.value;
    case "region":
      return region(given, given.value);
    case "boolean":
      return boolean(given);
    case "integer":
      return integer(given, spec.unit ?? "a whole number");
    case "integers":
      return integers(given);
    case "list":
      return list(given);
    case "presets":
      return presets(given);
  }
}

/**
 * Local state by default, at a path relative to the stack folder (cdktf.out/stacks/<stack>), so that the
 * synthesized JSON holds no machine's absolute path; an S3 bucket or Terraform Cloud for pipelines.
 */
export function resolveBackend(get: SettingLookup, stackName: string, stackRegion: string): BackendSettings {
  requireWith(get, "IMAGE_CDN_TFC_ORGANIZATION", ["IMAGE_CDN_TFC_WORKSPACE"]);
  requireWith(get, "IMAGE_CDN_TFC_WORKSPACE", ["IMAGE_CDN_TFC_ORGANIZATION"]);
  requireWith(get, "IMAGE_CDN_TFC_HOSTNAME", ["IMAGE_CDN_TFC_ORGANIZATION"]);
  requireWith(get, "IMAGE_CDN_STATE_KEY", ["IMAGE_CDN_STATE_BUCKET"]);
  requireWith(get, "IMAGE_CDN_STATE_REGION", ["IMAGE_CDN_STATE_BUCKET"]);
  atMostOne(get, ["IMAGE_CDN_STATE_BUCKET", "IMAGE_CDN_TFC_ORGANIZATION"], "they choose two backends; set one");
  const organization = get("IMAGE_CDN_TFC_ORGANIZATION");
  const workspace = get("IMAGE_CDN_TFC_WORKSPACE");
  if (organization && workspace) {
    return { kind: "cloud", organization: organization.value, workspace: workspace.value, hostname: get("IMAGE_CDN_TFC_HOSTNAME")?.value };
  }
  const stateBucket = get("IMAGE_CDN_STATE_BUCKET");
  if (stateBucket !== undefined) {
    return {
      kind: "s3",
      bucket: stateBucket.value,
      key: get("IMAGE_CDN_STATE_KEY")?.value ?? `image-cdn/${stackName}.tfstate`,
      region: region(get("IMAGE_CDN_STATE_REGION"), stackRegion),
    };
  }
  return { kind: "local" };
}

/**
 * The one line a person reads for a wrong setting: a setting error as it is, and the construct's refusal of
 * a prop re-said with the setting (or context key) that fed it. Undefined for anything else (a bug: let it
 * throw with its stack).
 */
export function settingErrorLine(error: unknown, get: SettingLookup): string | undefined {
  if (error instanceof AppSettingError) return error.message;
  if (!(error instanceof ImageCdnPropError)) return undefined;
  const prop = error.prop.replace(/\[\d+\]$/, "");
  // The setting that feeds this prop or one of its parts (IMAGE_CDN_PRESETS feeds presets.thumb).
  const name = SETTING_NAMES.find((n) => (SETTINGS[n] as SettingSpec).prop === prop)
    ?? SETTING_NAMES.find((n) => prop.startsWith(`${(SETTINGS[n] as SettingSpec).prop}.`));
  const given = name === undefined ? undefined : get(name);
  return given === undefined ? error.message : invalid(given, `${error.allowed} (ImageCdn ${error.prop})`).message;
}
