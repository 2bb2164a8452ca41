import { Token } from "cdktf";
import { DEFAULT_HINT_FALLBACK_WIDTH, DEFAULT_HINT_WIDTHS, DEFAULT_MEMORY_MB, DEFAULT_RESIZER_CONFIG, HINTED_WIDTH, MAX_DIMENSION, PARAMETER_NAMES, PRESET_NAME, type ResizerConfig } from "../../lambda-src/core/contract";
import { parseResizeQuery } from "../../lambda-src/core/params";
import type {
  AccessLogsProps,
  CacheProps,
  CorsProps,
  DomainProps,
  GeoRestrictionProps,
  ImageCdnProps,
  LambdaArchitecture,
  LoggingProps,
  OriginMode,
  PresetProps,
  PriceClass,
} from "./props";
import { LAMBDA_ARCHITECTURES } from "./props";
import { awsRegions } from "./aws-regions";
import type { AccessLogsDestination } from "./access-logs";
import { DEFAULT_THRESHOLDS, type AlarmThresholds } from "./dashboard";
import { didYouMean } from "./did-you-mean";

/** A wrong ImageCdn prop: the message names the prop, the value and what is allowed. */
export class ImageCdnPropError extends Error {
  constructor(readonly prop: string, value: unknown, readonly allowed: string) {
    super(`ImageCdn: invalid ${prop}: got ${describe(value)}; allowed: ${allowed}`);
    this.name = "ImageCdnPropError";
  }
}

export type ResolvedBucket = (
  | { kind: "managed"; name?: string; namePrefix?: string; forceDestroy: boolean; versioning: boolean; uploadCors?: { allowedOrigins: string[]; allowedMethods: string[] } }
  /** managePolicy undefined: not chosen (an error when the bucket policy needs the kit's statements). */
  | { kind: "existing"; name: string; managePolicy?: boolean }
) & { kmsKeyArn?: string };

/** With purge on change, browsers keep a variant a day: a changed original reaches them within it. */
export const DEFAULT_BROWSER_TTL = 86_400;

export interface ResolvedProps {
  origin: OriginMode;
  originals: "serve" | "deny";
  bucket: ResolvedBucket;
  resizer: {
    architecture: LambdaArchitecture;
    memorySize: number;
    timeout: number;
    logRetentionDays: number;
    functionName?: string;
    reservedConcurrency?: number;
    bundle?: string;
    config: ResizerConfig;
  };
  cache: Required<Omit<CacheProps, "browserTtl">> & { browserTtl?: number };
  cors?: { allowedOrigins: string[]; maxAgeSeconds: number };
  domain?: DomainProps & { names: string[] };
  priceClass: PriceClass;
  geoRestriction: { type: GeoRestrictionProps["type"]; locations: string[] };
  logging?: Required<LoggingProps>;
  /** Preset name -> its parameters in the contract's query form (validated like a request's). */
  presets: Record<string, Record<string, string>>;
  onlyPresets: boolean;
  signing: boolean;
  /** Off when undefined. */
  purgeOnChange?: { batchWindowSeconds: number };
  /** Off when undefined. */
  monitoring?: { alarmTopicArns: string[]; alarmEmail?: string; cloudfrontAdditionalMetrics: boolean; thresholds: AlarmThresholds; accessLogs?: AccessLogsDestination };
  originShieldRegion?: string;
  webAclId?: string;
  resourcePrefix?: string;
  /** Undefined when no tags were given, so the synthesized JSON carries no empty maps. */
  tags: Record<string, string> | undefined;
}

const ORIGINS: readonly OriginMode[] = ["function-url", "object-lambda"];
const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];
const GEO_TYPES = ["none", "whitelist", "blacklist"] as const;
const UPLOAD_METHODS = ["GET", "PUT", "POST", "HEAD", "DELETE"];
/** The resizer's default memory, MB: the bench's peak RSS over 20 x 24 MP progressive JPEGs (229-286 MB) fits with room. */
export const DEFAULT_MEMORY_SIZE = DEFAULT_MEMORY_MB;
/** The values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate\/[0-9a-f-]{36}$/;
const CORS_ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$/;
const COUNTRY = /^[A-Z]{2}$/;
const LOG_BUCKET_DOMAIN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/;
const RESOURCE_PREFIX = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
/**
 * The regions CloudFront offers Origin Shield in: those with a regional edge cache (CloudFront developer guide,
 * "Use Amazon CloudFront Origin Shield", Choose the AWS Region for Origin Shield).
 */
export const ORIGIN_SHIELD_REGIONS = [
  "us-east-1", "us-east-2", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
  "eu-central-1", "eu-west-1", "eu-west-2", "sa-east-1",
] as const;
/**
 * An Object Lambda access point is an S3 origin: CloudFront waits 30 s for its response (the default origin
 * response timeout), and the hashicorp/aws provider has no argument for a longer one on S3 origins yet
 * (terraform-provider-aws issue 44172). A longer function would be cut off by CloudFront.
 */
export const OBJECT_LAMBDA_MAX_TIMEOUT = 30;
/** WAFv2 web ACLs for CloudFront are global (scope CLOUDFRONT), made in us-east-1. */
const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global\/webacl\/[A-Za-z0-9_-]{1,128}\/[0-9a-f-]{36}$/;
/** A KMS key ARN (key policies and kms:Decrypt grants name keys, not aliases); multi-Region keys start with mrk-. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Unresolved tokens (references to other resources) cannot be checked at synth; Terraform checks them. */
function isToken(value: unknown): boolean {
  return typeof value === "string" ? Token.isUnresolved(value) : false;
}

function integer(prop: string, value: number | undefined, fallback: number, min: number, max: number, unit = ""): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ImageCdnPropError(prop, value, `an integer from ${min} to ${max}${unit}`);
  }
  return value;
}

function oneOf<T extends string>(prop: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new ImageCdnPropError(prop, value, allowed.map((a) => `"${a}"`).join(", "));
  return value;
}

function stringMatching(prop: string, value: string, pattern: RegExp, allowed: string): string {
  if (typeof value !== "string" || (!isToken(value) && !pattern.test(value))) throw new ImageCdnPropError(prop, value, allowed);
  return value;
}

/** A check for props from JavaScript: not a type guard, which would turn a readonly list into any[]. */
const isList = (value: unknown): boolean => Array.isArray(value);
function allowList(prop: string, values: readonly number[] | undefined, max: number): number[] {
  if (values === undefined) return [];
  if (!isList(values) || values.length === 0) throw new ImageCdnPropError(prop, values, `a non-empty list of integers from 1 to ${max}, or leave it unset`);
  values.forEach((v, i) => integer(`${prop}[${i}]`, v, 0, 1, max));
  if (new Set(values).size !== values.length) throw new ImageCdnPropError(prop, values, "a list without repeated values");
  return [...values].sort((a, b) => a - b);
}

function checkBucketName(prop: string, name: string): string {
  const rules = "3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)";
  if (isToken(name)) return name;
  const bad =
    typeof name !== "string" ||
    !BUCKET_NAME.test(name) ||
    name.includes("..") ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    BUCKET_RESERVED_PREFIXES.some((p) => name.startsWith(p)) ||
    BUCKET_RESERVED_SUFFIXES.some((s) => name.endsWith(s));
  if (bad) throw new ImageCdnPropError(prop, name, rules);
  return name;
}

function resolveBucket(bucket: ImageCdnProps["bucket"], origin: OriginMode): ResolvedBucket {
  const b = bucket ?? { namePrefix: "images-" };
  const kmsKeyArn = b.kmsKeyArn === undefined ? undefined
    : stringMatching("bucket.kmsKeyArn", b.kmsKeyArn, KMS_KEY_ARN, "a KMS key ARN like \"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\" (not an alias)");
  if (kmsKeyArn !== undefined && origin === "object-lambda") {
    throw new ImageCdnPropError("bucket.kmsKeyArn", kmsKeyArn, "unset with origin object-lambda: S3 Object Lambda reads originals as CloudFront, on its behalf, and no AWS page documents a key policy condition that limits that to one distribution; use the function-url origin (the default) for an SSE-KMS bucket");
  }
  return { ...resolveBucketKind(b), ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }) };
}

function resolveBucketKind(b: NonNullable<ImageCdnProps["bucket"]>): ResolvedBucket {
  const given = (["namePrefix", "name", "existingBucketName"] as const).filter((k) => b[k] !== undefined);
  if (given.length !== 1) {
    throw new ImageCdnPropError("bucket", b, "exactly one of bucket.namePrefix, bucket.name, bucket.existingBucketName");
  }
  if (b.existingBucketName !== undefined) {
    for (const k of ["forceDestroy", "versioning", "uploadCors"] as const) {
      if (b[k] !== undefined) throw new ImageCdnPropError(`bucket.${k}`, b[k], "unset with bucket.existingBucketName (the stack does not manage that bucket)");
    }
    return { kind: "existing", name: checkBucketName("bucket.existingBucketName", b.existingBucketName), managePolicy: b.managePolicy === undefined ? undefined : bool("bucket.managePolicy", b.managePolicy) };
  }
  if (b.managePolicy !== undefined) throw new ImageCdnPropError("bucket.managePolicy", b.managePolicy, "only with bucket.existingBucketName");
  let uploadCors: { allowedOrigins: string[]; allowedMethods: string[] } | undefined;
  if (b.uploadCors !== undefined) {
    uploadCors = {
      allowedOrigins: corsOrigins("bucket.uploadCors.allowedOrigins", b.uploadCors.allowedOrigins),
      allowedMethods: [...(b.uploadCors.allowedMethods ?? ["PUT", "POST"])].map((m, i) => oneOf(`bucket.uploadCors.allowedMethods[${i}]`, m, UPLOAD_METHODS, "PUT")),
    };
  }
  const common = { forceDestroy: bool("bucket.forceDestroy", b.forceDestroy), versioning: bool("bucket.versioning", b.versioning), uploadCors };
  if (b.name !== undefined) return { kind: "managed", name: checkBucketName("bucket.name", b.name), ...common };
  const prefix = b.namePrefix as string;
  if (!isToken(prefix) && (typeof prefix !== "string" || !/^[a-z0-9][a-z0-9.-]{0,36}$/.test(prefix) || BUCKET_RESERVED_PREFIXES.some((p) => prefix.startsWith(p)))) {
    throw new ImageCdnPropError("bucket.namePrefix", prefix, "1-37 characters of a-z, 0-9, '.', '-', starting with a letter or digit (Terraform appends 26 characters)");
  }
  return { kind: "managed", namePrefix: prefix, ...common };
}

function bool(prop: string, value: boolean | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new ImageCdnPropError(prop, value, "true or false");
  return value;
}

function corsOrigins(prop: string, origins: readonly string[]): string[] {
  if (!isList(origins) || origins.length === 0) throw new ImageCdnPropError(prop, origins, `a non-empty list of origins like "https://app.example.com", or ["*"]`);
  if (origins.includes("*") && origins.length > 1) throw new ImageCdnPropError(prop, origins, `"*" alone, or a list of origins without "*"`);
  origins.forEach((o, i) => {
    if (o !== "*") stringMatching(`${prop}[${i}]`, o, CORS_ORIGIN, `"*" or a scheme and host without path, like "https://app.example.com" or "http://localhost:3000"`);
  });
  return [...origins];
}

function resolveCache(cache: CacheProps | undefined, purge: boolean): ResolvedProps["cache"] {
  const c = cache ?? {};
  const year = 31_536_000;
  const minTtl = integer("cache.minTtl", c.minTtl, 0, 0, year, " seconds");
  const defaultTtl = integer("cache.defaultTtl", c.defaultTtl, Math.max(86_400, minTtl), 0, year, " seconds");
  const maxTtl = integer("cache.maxTtl", c.maxTtl, Math.max(year, defaultTtl), 0, year, " seconds");
  if (!(minTtl <= defaultTtl && defaultTtl <= maxTtl)) {
    throw new ImageCdnPropError("cache", { minTtl, defaultTtl, maxTtl }, "minTtl <= defaultTtl <= maxTtl");
  }
  const errorTtl = integer("cache.errorTtl", c.errorTtl, DEFAULT_RESIZER_CONFIG.errorTtl, 0, 300, " seconds (errors must not be served on for long)");
  const browserTtl = c.browserTtl === undefined && !purge ? undefined
    : integer("cache.browserTtl", c.browserTtl, Math.min(DEFAULT_BROWSER_TTL, maxTtl), 0, maxTtl, " seconds, at most cache.maxTtl");
  return { minTtl, defaultTtl, maxTtl, errorTtl, ...(browserTtl === undefined ? {} : { browserTtl }) };
}

function resolveDomain(domain: DomainProps | undefined): ResolvedProps["domain"] {
  if (domain === undefined) return undefined;
  if (!isList(domain.names) || domain.names.length === 0) throw new ImageCdnPropError("domain.names", domain.names, `a non-empty list of host names like "img.example.com"`);
  domain.names.forEach((n, i) => stringMatching(`domain.names[${i}]`, n, DNS_NAME, `a lowercase host name like "img.example.com" or "*.example.com"`));
  if (new Set(domain.names).size !== domain.names.length) throw new ImageCdnPropError("domain.names", domain.names, "a list without repeated names");
  if (domain.hostedZoneId === undefined && domain.certificateArn === undefined) {
    throw new ImageCdnPropError("domain.hostedZoneId", undefined, "a Route 53 hosted zone id like \"Z123ABC\" (needed for certificate validation and alias records), or give domain.certificateArn and manage DNS yourself");
  }
  if (domain.hostedZoneId !== undefined) stringMatching("domain.hostedZoneId", domain.hostedZoneId, HOSTED_ZONE_ID, `a Route 53 hosted zone id like "Z0123456789ABCDEFGHIJ"`);
  if (domain.certificateArn !== undefined) {
    stringMatching("domain.certificateArn", domain.certificateArn, CERTIFICATE_ARN, "an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)");
    if (domain.certificateProvider !== undefined) throw new ImageCdnPropError("domain.certificateProvider", "(provider)", "unset when domain.certificateArn is given (no certificate is created)");
  }
  return { ...domain, names: [...domain.names] };
}

function resolveGeo(geo: GeoRestrictionProps | undefined): ResolvedProps["geoRestriction"] {
  if (geo === undefined) return { type: "none", locations: [] };
  const type = oneOf("geoRestriction.type", geo.type, GEO_TYPES, "none");
  const locations = geo.locations ?? [];
  if (type === "none" && locations.length > 0) throw new ImageCdnPropError("geoRestriction.locations", locations, `none with type "none"`);
  if (type !== "none" && locations.length === 0) throw new ImageCdnPropError("geoRestriction.locations", locations, `a non-empty list of ISO 3166-1 alpha-2 codes like ["KR"] with type "${type}"`);
  locations.forEach((l, i) => stringMatching(`geoRestriction.locations[${i}]`, l, COUNTRY, `an ISO 3166-1 alpha-2 country code in capitals, like "KR"`));
  return { type, locations: [...locations].sort() };
}

function resolveTags(tags: ImageCdnProps["tags"]): Record<string, string> | undefined {
  if (tags === undefined || Object.keys(tags).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(tags ?? {}).sort()) {
    const value = (tags as Record<string, string>)[key];
    if (!TAG_KEY.test(key) || key.startsWith("aws:")) throw new ImageCdnPropError("tags", key, "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not starting with \"aws:\"");
    if (typeof value !== "string" || value.length > 256) throw new ImageCdnPropError(`tags.${key}`, value, "a string of at most 256 characters");
    out[key] = value;
  }
  return out;
}

/** Validates every prop and fills in the defaults. Pure: throws ImageCdnPropError on the first wrong value. */
export function resolveImageCdnProps(props: ImageCdnProps = {}): ResolvedProps {
  const origin = oneOf("origin", props.origin, ORIGINS, "function-url");
  const r = props.resizer ?? {};
  const maxWidth = integer("resizer.maxWidth", r.maxWidth, DEFAULT_RESIZER_CONFIG.maxWidth, 1, MAX_DIMENSION, " pixels");
  const maxHeight = integer("resizer.maxHeight", r.maxHeight, DEFAULT_RESIZER_CONFIG.maxHeight, 1, MAX_DIMENSION, " pixels");
  const purgeOnChange = resolvePurge(props.purgeOnChange);
  const cache = resolveCache(props.cache, purgeOnChange !== undefined);
  let config: ResizerConfig = {
    maxInputPixels: integer("resizer.maxInputPixels", r.maxInputPixels, DEFAULT_RESIZER_CONFIG.maxInputPixels, 1, 1_000_000_000, " pixels"),
    maxInputBytes: integer("resizer.maxInputBytes", r.maxInputBytes, DEFAULT_RESIZER_CONFIG.maxInputBytes, 1, 1_073_741_824, " bytes"),
    maxWidth,
    maxHeight,
    allowedWidths: allowList("resizer.allowedWidths", r.allowedWidths, maxWidth),
    allowedHeights: allowList("resizer.allowedHeights", r.allowedHeights, maxHeight),
    defaultQuality: integer("resizer.defaultQuality", r.defaultQuality, DEFAULT_RESIZER_CONFIG.defaultQuality, 1, 100),
    // The resizer's error Cache-Control and the distribution's error caching: one value.
    errorTtl: cache.errorTtl,
    // s-maxage = the cache policy's maximum: CloudFront keeps a variant as long as the policy lets it.
    ...(cache.browserTtl === undefined ? {} : { browserCache: { maxAge: cache.browserTtl, sharedMaxAge: cache.maxTtl } }),
  };
  const clientHints = resolveClientHints(props.clientHints, config);
  if (clientHints !== undefined) config = { ...config, clientHints };
  const logRetentionDays = r.logRetentionDays ?? 30;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) throw new ImageCdnPropError("resizer.logRetentionDays", logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
  if (r.functionName !== undefined) stringMatching("resizer.functionName", r.functionName, /^[A-Za-z0-9_-]{1,64}$/, "1-64 characters of letters, digits, '-' and '_'");
  const cors = props.cors === undefined ? undefined : resolveCors(props.cors);
  if (props.resourcePrefix !== undefined) stringMatching("resourcePrefix", props.resourcePrefix, RESOURCE_PREFIX, "3-24 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'");
  const logging = props.logging === undefined ? undefined : {
    bucketDomainName: stringMatching("logging.bucketDomainName", props.logging.bucketDomainName, LOG_BUCKET_DOMAIN, `an S3 bucket domain name like "my-logs.s3.amazonaws.com"`),
    prefix: props.logging.prefix ?? "",
  };
  return {
    origin,
    originals: oneOf("originals", props.originals, ["serve", "deny"] as const, "serve"),
    bucket: resolveBucket(props.bucket, origin),
    resizer: {
      architecture: oneOf("resizer.architecture", r.architecture, LAMBDA_ARCHITECTURES, "arm64"),
      memorySize: integer("resizer.memorySize", r.memorySize, DEFAULT_MEMORY_SIZE, 128, 10240, " MB"),
      timeout: origin === "object-lambda"
        ? integer("resizer.timeout", r.timeout, 10, 1, OBJECT_LAMBDA_MAX_TIMEOUT, " seconds with origin object-lambda (CloudFront waits 30 s for an S3 origin's response, and the hashicorp/aws provider cannot raise that yet: terraform-provider-aws issue 44172)")
        : integer("resizer.timeout", r.timeout, 10, 1, 60, " seconds (CloudFront waits for the function URL as long)"),
      logRetentionDays,
      functionName: r.functionName,
      reservedConcurrency: r.reservedConcurrency === undefined ? undefined
        : integer("resizer.reservedConcurrency", r.reservedConcurrency, 0, 1, 10_000, " concurrent executions (0 would stop the function; Lambda keeps 100 of the account's pool unreserved)"),
      bundle: r.bundle === undefined ? undefined : stringMatching("resizer.bundle", r.bundle, /\.zip$/, "the path of a .zip file"),
      config,
    },
    cache,
    cors,
    domain: resolveDomain(props.domain),
    priceClass: oneOf("priceClass", props.priceClass, PRICE_CLASSES, "PriceClass_100"),
    geoRestriction: resolveGeo(props.geoRestriction),
    logging,
    presets: resolvePresets(props.presets, config),
    onlyPresets: resolveOnlyPresets(props.onlyPresets, props.presets),
    signing: bool("signing", props.signing),
    purgeOnChange,
    monitoring: resolveMonitoring(props.monitoring),
    originShieldRegion: resolveOriginShieldRegion(props.originShieldRegion),
    webAclId: props.webAclId === undefined ? undefined
      : stringMatching("webAclId", props.webAclId, WEB_ACL_ARN, "the ARN of a WAFv2 web ACL with scope CLOUDFRONT, like \"arn:aws:wafv2:us-east-1:123456789012:global/webacl/images/<uuid>\""),
    resourcePrefix: props.resourcePrefix,
    tags: resolveTags(props.tags),
  };
}

function resolveOriginShieldRegion(region: string | undefined): string | undefined {
  if (region === undefined || isToken(region)) return region;
  if (!(ORIGIN_SHIELD_REGIONS as readonly string[]).includes(region)) {
    // A typo gets the nearest; a real region without Origin Shield (eu-north-1) only the list: the nearest
    // by spelling is not the nearest to the bucket.
    const nearest = typeof region === "string" && !awsRegions().includes(region) ? didYouMean(region, ORIGIN_SHIELD_REGIONS) : undefined;
    throw new ImageCdnPropError("originShieldRegion", region, `a region CloudFront offers Origin Shield in (the one nearest the bucket): ${ORIGIN_SHIELD_REGIONS.join(", ")}${nearest === undefined ? "" : `; did you mean ${nearest}?`}`);
  }
  return region;
}

/**
 * The client-hint ladder: given, or resizer.allowedWidths (every width the edge would let through anyway), or the
 * default ladder up to maxWidth. Each a width the edge allows, so w=auto never picks one it would refuse.
 */
function resolveClientHints(hints: ImageCdnProps["clientHints"], config: ResizerConfig): ResizerConfig["clientHints"] {
  if (hints === undefined || hints === false) return undefined;
  if (hints !== true && (hints === null || typeof hints !== "object" || Object.keys(hints).some((key) => key !== "widths" && key !== "fallbackWidth"))) {
    throw new ImageCdnPropError("clientHints", hints, "true, false or { widths, fallbackWidth }");
  }
  const given = hints === true ? {} : hints;
  const allowed = config.allowedWidths;
  let widths: number[];
  if (given.widths !== undefined) {
    widths = allowList("clientHints.widths", given.widths, config.maxWidth);
    const refused = widths.filter((width) => allowed.length > 0 && !allowed.includes(width));
    if (refused.length > 0) throw new ImageCdnPropError("clientHints.widths", given.widths, `widths in resizer.allowedWidths (${allowed.join(", ")}); not ${refused.join(", ")}`);
  } else if (allowed.length > 0) {
    widths = [...allowed];
  } else {
    const fitting = DEFAULT_HINT_WIDTHS.filter((width) => width <= config.maxWidth);
    widths = fitting.length > 0 ? fitting : [config.maxWidth];
  }
  const nearest = widths.reduce((best, width) => (Math.abs(width - DEFAULT_HINT_FALLBACK_WIDTH) < Math.abs(best - DEFAULT_HINT_FALLBACK_WIDTH) ? width : best));
  const fallbackWidth = integer("clientHints.fallbackWidth", given.fallbackWidth, nearest, 1, config.maxWidth, " pixels");
  if (!widths.includes(fallbackWidth)) throw new ImageCdnPropError("clientHints.fallbackWidth", fallbackWidth, `one of the ladder's widths: ${widths.join(", ")}`);
  return { widths, fallbackWidth };
}

/** Each preset validated as the request it stands for would be, by the resizer's own parser. */
function resolvePresets(presets: ImageCdnProps["presets"], config: ResizerConfig): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of Object.keys(presets ?? {}).sort()) {
    if (!PRESET_NAME.test(name)) throw new ImageCdnPropError("presets", name, "preset names of 1-32 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
    const preset = (presets as Record<string, PresetProps>)[name] as unknown as Record<string, unknown>;
    const unknown = Object.keys(preset ?? {}).filter((key) => !(PARAMETER_NAMES as readonly string[]).includes(key));
    if (unknown.length > 0 || preset === null || typeof preset !== "object") throw new ImageCdnPropError(`presets.${name}`, preset, `an object of ${PARAMETER_NAMES.join(", ")}`);
    const query = Object.fromEntries(PARAMETER_NAMES.filter((key) => preset[key] !== undefined).map((key) => [key, String(preset[key])]));
    if (Object.keys(query).length === 0) throw new ImageCdnPropError(`presets.${name}`, preset, `at least one of ${PARAMETER_NAMES.join(", ")}`);
    if (query.w === HINTED_WIDTH && config.clientHints === undefined) throw new ImageCdnPropError(`presets.${name}.w`, HINTED_WIDTH, `a width in pixels; "${HINTED_WIDTH}" only with clientHints`);
    try {
      parseResizeQuery(new URLSearchParams(query), config, "viewer");
    } catch (error) {
      throw new ImageCdnPropError(`presets.${name}`, preset, (error as Error).message.replace(/, got .*$/, ""));
    }
    out[name] = query;
  }
  return out;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MONITORING_KEYS = ["alarmTopicArns", "alarmEmail", "cloudfrontAdditionalMetrics", "viewer5xxPercent", "resizerErrors", "durationPercentOfTimeout", "edgeComputePercent", "accessLogs"];
const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function resolveAccessLogs(logs: AccessLogsProps | undefined): AccessLogsDestination | undefined {
  if (logs === undefined) return undefined;
  const given = logs as { destination?: unknown; retentionDays?: number; bucketArn?: string };
  if (given === null || typeof given !== "object") throw new ImageCdnPropError("monitoring.accessLogs", logs, `{ destination: "cloudwatch-logs", retentionDays } or { destination: "s3", bucketArn }`);
  if (given.destination === "cloudwatch-logs" && Object.keys(given).every((key) => key === "destination" || key === "retentionDays")) {
    const retentionDays = given.retentionDays ?? 30;
    if (!LOG_RETENTION_DAYS.includes(retentionDays)) throw new ImageCdnPropError("monitoring.accessLogs.retentionDays", retentionDays, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
    return { destination: "cloudwatch-logs", retentionDays };
  }
  if (given.destination === "s3" && Object.keys(given).every((key) => key === "destination" || key === "bucketArn")) {
    return { destination: "s3", bucketArn: stringMatching("monitoring.accessLogs.bucketArn", given.bucketArn as string, S3_BUCKET_ARN, `an S3 bucket ARN like "arn:aws:s3:::my-cdn-logs"`) };
  }
  throw new ImageCdnPropError("monitoring.accessLogs", logs, `{ destination: "cloudwatch-logs", retentionDays } or { destination: "s3", bucketArn }`);
}

function resolveMonitoring(monitoring: ImageCdnProps["monitoring"]): ResolvedProps["monitoring"] {
  if (monitoring === false) return undefined;
  if (monitoring !== undefined && monitoring !== true && (monitoring === null || typeof monitoring !== "object" || Object.keys(monitoring).some((key) => !MONITORING_KEYS.includes(key)))) {
    throw new ImageCdnPropError("monitoring", monitoring, `true, false or { ${MONITORING_KEYS.join(", ")} }`);
  }
  const m = monitoring === undefined || monitoring === true ? {} : monitoring;
  const topics = m.alarmTopicArns ?? [];
  if (!isList(topics)) throw new ImageCdnPropError("monitoring.alarmTopicArns", topics, "a list of SNS topic ARNs");
  topics.forEach((arn, i) => stringMatching(`monitoring.alarmTopicArns[${i}]`, arn, SNS_TOPIC_ARN, `an SNS topic ARN like "arn:aws:sns:us-east-1:123456789012:alarms"`));
  // CloudFront's alarms live in us-east-1 and notify topics there only: without one they would notify nobody.
  if (topics.length > 0 && m.alarmEmail === undefined && !topics.some((arn) => arn.split(":")[3] === "us-east-1")) {
    throw new ImageCdnPropError("monitoring.alarmTopicArns", topics, "a list that includes a topic in us-east-1 (CloudFront's alarms are made there and notify topics of their own region), or add alarmEmail");
  }
  if (m.alarmEmail !== undefined) stringMatching("monitoring.alarmEmail", m.alarmEmail, EMAIL, "an email address");
  return {
    alarmTopicArns: [...topics],
    ...(m.alarmEmail === undefined ? {} : { alarmEmail: m.alarmEmail }),
    cloudfrontAdditionalMetrics: bool("monitoring.cloudfrontAdditionalMetrics", m.cloudfrontAdditionalMetrics),
    ...(m.accessLogs === undefined ? {} : { accessLogs: resolveAccessLogs(m.accessLogs) }),
    thresholds: {
      viewer5xxPercent: integer("monitoring.viewer5xxPercent", m.viewer5xxPercent, DEFAULT_THRESHOLDS.viewer5xxPercent, 1, 100, " percent"),
      resizerErrors: integer("monitoring.resizerErrors", m.resizerErrors, DEFAULT_THRESHOLDS.resizerErrors, 1, 1_000_000, " errors in 5 minutes"),
      durationPercentOfTimeout: integer("monitoring.durationPercentOfTimeout", m.durationPercentOfTimeout, DEFAULT_THRESHOLDS.durationPercentOfTimeout, 1, 100, " percent of resizer.timeout"),
      edgeComputePercent: integer("monitoring.edgeComputePercent", m.edgeComputePercent, DEFAULT_THRESHOLDS.edgeComputePercent, 1, 100, " percent"),
    },
  };
}

function resolvePurge(purge: ImageCdnProps["purgeOnChange"]): ResolvedProps["purgeOnChange"] {
  if (purge === undefined || purge === false) return undefined;
  if (purge === true) return { batchWindowSeconds: DEFAULT_PURGE_WINDOW_SECONDS };
  if (purge === null || typeof purge !== "object" || Object.keys(purge).some((key) => key !== "batchWindowSeconds")) {
    throw new ImageCdnPropError("purgeOnChange", purge, "true, false or { batchWindowSeconds }");
  }
  return { batchWindowSeconds: integer("purgeOnChange.batchWindowSeconds", purge.batchWindowSeconds, DEFAULT_PURGE_WINDOW_SECONDS, 1, 300, " seconds (the SQS event source's batching window)") };
}

/** Changes gathered for a minute: a bulk upload becomes one invalidation, a single fix shows within about two. */
export const DEFAULT_PURGE_WINDOW_SECONDS = 60;

function resolveOnlyPresets(onlyPresets: boolean | undefined, presets: ImageCdnProps["presets"]): boolean {
  const value = bool("onlyPresets", onlyPresets);
  if (value && Object.keys(presets ?? {}).length === 0) throw new ImageCdnPropError("onlyPresets", true, "true only with at least one preset in presets");
  return value;
}

function resolveCors(cors: CorsProps): NonNullable<ResolvedProps["cors"]> {
  return {
    allowedOrigins: corsOrigins("cors.allowedOrigins", cors.allowedOrigins),
    maxAgeSeconds: integer("cors.maxAgeSeconds", cors.maxAgeSeconds, 600, 0, 86_400, " seconds"),
  };
}
