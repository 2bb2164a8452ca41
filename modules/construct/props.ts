import type { TerraformProvider } from "cdktf";
import type { ResizeValues } from "../../lambda-src/core/contract";

/** Lambda's names for the two CPU architectures it runs functions on. */
export type LambdaArchitecture = "arm64" | "x86_64";
export const LAMBDA_ARCHITECTURES: readonly LambdaArchitecture[] = ["arm64", "x86_64"];

/** Where CloudFront fetches variants from. */
export type OriginMode = "object-lambda" | "function-url";
export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";

/**
 * The originals bucket: exactly one of `namePrefix`, `name` or `existingBucketName`.
 * @default { namePrefix: "images-" }
 */
export interface BucketProps {
  /** Terraform picks a unique name starting with this prefix (at most 37 characters). */
  readonly namePrefix?: string;
  /** An exact bucket name (3-63 characters, S3 naming rules). */
  readonly name?: string;
  /**
   * Serve from a bucket this stack does not manage. No bucket hardening is created for it: its owner
   * keeps public access blocked and encryption on. Its bucket policy is replaced only with `managePolicy`.
   */
  readonly existingBucketName?: string;
  /**
   * With `existingBucketName`: write the bucket's policy (TLS-only deny, and the delegation to the kit's
   * access point or the resizer's role), replacing the policy it has. With the object-lambda origin the
   * bucket must delegate to the kit's access point either way (S3 checks the access point policy and the
   * bucket policy), so there this must be set: `true`, or `false` once you have added the statements that
   * the synth error (and the `bucket_policy_statements` output) print to the bucket's own policy.
   * @default false with the function-url origin; required with the object-lambda origin
   */
  readonly managePolicy?: boolean;
  /** Let `terraform destroy` delete a bucket that still holds objects. @default false */
  readonly forceDestroy?: boolean;
  /** Keep object versions (recover overwritten or deleted originals). @default false */
  readonly versioning?: boolean;
  /**
   * The AWS KMS key (its key ARN) the originals are encrypted with (SSE-KMS). A bucket made here gets it as its
   * default encryption, with bucket keys. The resizer's role may decrypt with it through S3 only; CloudFront, which
   * reads originals itself, needs a statement in the key's policy, which the kit never writes: the
   * `kms_key_policy_statements` output holds what the key's owner adds. Function-url origin only.
   * @default SSE-S3 (AES256) for a bucket made here
   */
  readonly kmsKeyArn?: string;
  /** CORS rules on the bucket itself, for browsers that upload originals with presigned URLs. @default none */
  readonly uploadCors?: {
    readonly allowedOrigins: readonly string[];
    /** @default ["PUT", "POST"] */
    readonly allowedMethods?: readonly ("GET" | "PUT" | "POST" | "HEAD" | "DELETE")[];
  };
}

export interface ResizerProps {
  /** The function's CPU architecture, `"arm64"` or `"x86_64"`. @default "arm64" (cheaper per GB-second, sharp ships native binaries for it) */
  readonly architecture?: LambdaArchitecture;
  /** Function memory in MB, 128..10240. @default 512 (peak RSS measured at 229-286 MB over 20 consecutive 24 MP progressive JPEGs) */
  readonly memorySize?: number;
  /** Function timeout in seconds, 1..60 (S3 Object Lambda waits at most 60 s). @default 10 */
  readonly timeout?: number;
  /** Inputs with more decoded pixels are refused with 413 (pixel bombs). @default 100_000_000 */
  readonly maxInputPixels?: number;
  /** Inputs larger than this many bytes are refused with 413. @default 52_428_800 (50 MiB) */
  readonly maxInputBytes?: number;
  /** Largest `w`, 1..16383. @default 4096 */
  readonly maxWidth?: number;
  /** Largest `h`, 1..16383. @default 4096 */
  readonly maxHeight?: number;
  /** When set, any other `w` is a 400: caps the number of variants an attacker can make. @default any width */
  readonly allowedWidths?: readonly number[];
  /** When set, any other `h` is a 400. @default any height */
  readonly allowedHeights?: readonly number[];
  /** Quality when `q` is absent, 1..100. @default 80 */
  readonly defaultQuality?: number;
  /** CloudWatch Logs retention of the resizer's log group, in days (one of CloudWatch's allowed values). @default 30 */
  readonly logRetentionDays?: number;
  /**
   * Path of a prebuilt resizer zip to deploy as is (handler `index.handler`), e.g. one built by
   * `npm run bundle` in a pipeline; when it holds sharp, its binaries must match `architecture`.
   * @default the zip the package ships for the architecture (a checkout builds it from lambda-src/)
   */
  readonly bundle?: string;
  /** Function name. @default `<resourcePrefix>-resizer` */
  readonly functionName?: string;
  /**
   * Reserved concurrency: the most resizer instances that may run at once, a guard (with `webAclId`)
   * against request floods running up the bill; it also takes that many from the account's pool.
   * @default none (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
}

export interface CacheProps {
  /** How long CloudFront keeps a variant that says nothing of its own, in seconds; `minTtl ≤ defaultTtl ≤ maxTtl`. @default 86400 (1 day) */
  readonly defaultTtl?: number;
  /** The least time CloudFront keeps a variant, in seconds. @default 0 */
  readonly minTtl?: number;
  /** The most time CloudFront keeps a variant, in seconds (its `s-maxage` with `browserTtl`). @default 31536000 (1 year) */
  readonly maxTtl?: number;
  /** How long CloudFront caches an error answer, in seconds: short, so a passing fault is not served on. @default 10 */
  readonly errorTtl?: number;
  /**
   * How long a browser keeps a variant, in seconds (`max-age`; CloudFront keeps it `s-maxage` = maxTtl). An
   * invalidation clears CloudFront, never a browser: with `purgeOnChange` a changed original reaches viewers
   * within this time. @default 86400 with purgeOnChange; without it, variants are `max-age=31536000, immutable`
   */
  readonly browserTtl?: number;
}

export interface CorsProps {
  /** Origins allowed to read images cross-origin, e.g. "https://app.example.com", or ["*"]. */
  readonly allowedOrigins: readonly string[];
  /** Access-Control-Max-Age in seconds. @default 600 */
  readonly maxAgeSeconds?: number;
}

export interface DomainProps {
  /** Host names served by the distribution, e.g. ["img.example.com"]. */
  readonly names: readonly string[];
  /** Route 53 hosted zone for the alias records and certificate validation. Required unless `certificateArn` is given. */
  readonly hostedZoneId?: string;
  /** An existing ACM certificate in us-east-1; when absent one is requested and DNS-validated. */
  readonly certificateArn?: string;
  /**
   * The AWS provider (aliased, region us-east-1) that owns the certificate. When absent the certificate is
   * pinned to us-east-1 with AWS provider 6's resource-level `region` argument.
   */
  readonly certificateProvider?: TerraformProvider;
}

export interface GeoRestrictionProps {
  /** `"whitelist"`: only `locations` are served; `"blacklist"`: they are refused; `"none"`: every country. */
  readonly type: "none" | "whitelist" | "blacklist";
  /** ISO 3166-1 alpha-2 country codes, e.g. ["KR"]. */
  readonly locations?: readonly string[];
}

export interface LoggingProps {
  /** Domain name of the log bucket, e.g. "logs.s3.amazonaws.com" (the bucket must allow ACLs). */
  readonly bucketDomainName: string;
  /** Prefix of the log objects' keys. @default "" */
  readonly prefix?: string;
}

/** A named transformation, requested as `?preset=<name>`: any of the URL contract's parameters, typed as it declares them. */
export type PresetProps = ResizeValues;

export interface PurgeOnChangeProps {
  /** How long changes are gathered into one invalidation, 1-300 seconds (the SQS event source's batching window). @default 60 */
  readonly batchWindowSeconds?: number;
}

export interface ImageCdnProps {
  /**
   * Where CloudFront gets variants: `"function-url"`, the resizer's IAM-authenticated Lambda function URL (any
   * account), or `"object-lambda"`, an S3 Object Lambda access point, for accounts that already use S3 Object
   * Lambda (closed to new AWS customers since 2025-11-07: S3 user guide, "Amazon S3 Object Lambda availability
   * change").
   * @default "function-url"
   */
  readonly origin?: OriginMode;
  /** @default { namePrefix: "images-" } */
  readonly bucket?: BucketProps;
  /** @default see ResizerProps */
  readonly resizer?: ResizerProps;
  /** @default see CacheProps */
  readonly cache?: CacheProps;
  /**
   * Requests without resize parameters (the original itself). `"serve"`: the distribution's second origin, the
   * bucket itself through an OAC of type s3, answers them with S3's own Range, HEAD, ETag/304 and any size; the
   * resizer only makes variants. A missing original is S3's 403 (no s3:ListBucket is granted: it would make a
   * listing of the bucket reachable through the distribution). `"deny"`: a 403 from the edge, for buckets whose
   * originals must never leave as uploaded (e.g. photos with GPS metadata: only variants are stripped of it).
   * @default "serve"
   */
  readonly originals?: "serve" | "deny";
  /**
   * Named transformations, e.g. `{ thumb: { w: 150, h: 150, fit: "cover" } }`, requested as `?preset=thumb`.
   * The edge expands a preset into the same normalized parameters as the explicit ones, so `?preset=thumb` and
   * `?w=150&h=150` share one cache entry. @default none
   */
  readonly presets?: Readonly<Record<string, PresetProps>>;
  /**
   * Serve presets only: any other resize parameter is a 400 at the edge, so the variants per original are
   * exactly the presets (originals, without parameters, are still served). @default false
   */
  readonly onlyPresets?: boolean;
  /**
   * Client hints: `w=auto` takes the image's width from the browser's hints (Sec-CH-Width, else
   * Sec-CH-Viewport-Width times Sec-CH-DPR), snapped up to a ladder of widths so the variants stay bounded, and a
   * fallback width for browsers that send none (Safari, Firefox). `true`: the ladder is `resizer.allowedWidths` when
   * set, else 160, 320, 480, 640, 828, 1080, 1440, 1920, 2560, 3840 (at most `resizer.maxWidth`); the fallback 1080
   * (or the ladder's nearest). Every variant then carries `Vary` on the three hints (README, "Client hints", has the
   * page side: Accept-CH, Permissions-Policy, sizes). @default false
   */
  readonly clientHints?: boolean | ClientHintsProps;
  /**
   * Operating it: a CloudWatch dashboard (viewers, the resizer and its own metrics, purge) and alarms (viewers' 5xx
   * rate, resizer errors, throttles, p99 duration near the timeout, the edge function's compute, purge's dead
   * letters), notifying `alarmTopicArns` or a topic made for `alarmEmail`. About $6.80 a month with the defaults
   * (README, "Operate it"); `false` makes none of it. @default true
   */
  readonly monitoring?: boolean | MonitoringProps;
  /**
   * The AWS region of CloudFront's Origin Shield, an extra caching layer in front of the origin: every edge
   * location's miss goes through it, so a variant is transformed about once instead of once per regional edge
   * cache. Costs a per-request fee on the requests that reach it; worth it for busy, global traffic. Pick the
   * region nearest the bucket. @default off
   */
  readonly originShieldRegion?: string;
  /**
   * Signed URLs only: the edge checks `sig` (HMAC-SHA256 over the path and the resize parameters, see
   * signImageUrl) and the optional `exp` before the cache, and answers 403 without reaching the resizer. The keys
   * live in a CloudFront KeyValueStore made here (output `signing_key_value_store_arn`), two slots for rotation;
   * put them there after apply (README, "Signed URLs"): they are never in the code, the state or the Lambda.
   * @default false
   */
  readonly signing?: boolean;
  /**
   * Purge on change: when an original is overwritten or deleted, its cached variants are invalidated (one exact
   * path per changed key: the cache key has no query string, so that path clears every variant). The bucket's
   * EventBridge notifications feed a rule, a queue gathers the changes over `batchWindowSeconds`, and a small
   * function makes one invalidation per batch; its role may invalidate this distribution only. A bucket made here
   * gets EventBridge notifications turned on; an existing bucket's owner turns them on (README, "Purge on change").
   * Each changed key is one invalidation path: the first 1,000 a month are free, then $0.005 each. @default off
   */
  readonly purgeOnChange?: boolean | PurgeOnChangeProps;
  /** CORS for pages and players on other origins. @default no CORS headers */
  readonly cors?: CorsProps;
  /** Custom domain. @default the distribution's *.cloudfront.net name only */
  readonly domain?: DomainProps;
  /** Which edge locations serve: `PriceClass_100` (North America, Europe, Israel), `PriceClass_200`, `PriceClass_All`. @default "PriceClass_100" */
  readonly priceClass?: PriceClass;
  /** Countries the distribution serves or refuses. @default { type: "none" } */
  readonly geoRestriction?: GeoRestrictionProps;
  /** CloudFront standard logging. @default off */
  readonly logging?: LoggingProps;
  /**
   * ARN of a WAFv2 web ACL (scope CLOUDFRONT, made in us-east-1) to put in front of the distribution, e.g.
   * with rate-based rules: the guard against request floods before they reach the cache or the resizer.
   * @default none
   */
  readonly webAclId?: string;
  /**
   * Prefix of every named resource (function, role, policies, access points), 3..24 lowercase letters,
   * digits, hyphens. Names must be unique per account (CloudFront, IAM) and per region (Lambda, access
   * points): with this set, give each deployment its own.
   * @default `<construct id>-<8 hex>`, the hex a hash of the construct path (which holds the stack name) and the region
   */
  readonly resourcePrefix?: string;
  /** Tags on every taggable resource. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** `clientHints` with its own ladder or fallback. */
export interface ClientHintsProps {
  /** The widths a hinted `w=auto` is snapped up to, each at most `resizer.maxWidth` and in `resizer.allowedWidths` when that is set. @default the default ladder */
  readonly widths?: readonly number[];
  /** The width for a request without usable hints: one of `widths`. @default 1080, or the ladder's nearest */
  readonly fallbackWidth?: number;
}

/** `monitoring` with notifications, thresholds or CloudFront's additional metrics. */
export interface MonitoringProps {
  /**
   * Existing SNS topics the alarms notify, each alarm those of its own region: CloudFront's alarms live in us-east-1,
   * so give one there too unless the stack is in us-east-1. @default none (the alarms show on the dashboard only)
   */
  readonly alarmTopicArns?: readonly string[];
  /** An address the kit subscribes to a topic it makes in each alarm region (the recipient confirms each). @default none */
  readonly alarmEmail?: string;
  /**
   * CloudFront's additional metrics for the distribution (cache hit rate, origin latency, error rates by status):
   * a monthly fee per distribution (README). @default false
   */
  readonly cloudfrontAdditionalMetrics?: boolean;
  /** Viewers' 5xx rate over 5 minutes, percent, that fires the alarm (twice in a row). @default 5 */
  readonly viewer5xxPercent?: number;
  /** Resizer invocation errors in 5 minutes that fire the alarm. @default 5 */
  readonly resizerErrors?: number;
  /** The resizer's p99 duration, percent of resizer.timeout, that fires the alarm (twice in a row). @default 80 */
  readonly durationPercentOfTimeout?: number;
  /** The viewer-request function's compute utilization, percent, that fires the alarm. @default 70 */
  readonly edgeComputePercent?: number;
  /**
   * CloudFront's access logs (standard logging v2, JSON), delivered to a log group the kit makes in us-east-1
   * (`{ destination: "cloudwatch-logs", retentionDays }`, 30 days by default) or to your S3 bucket
   * (`{ destination: "s3", bucketArn }`; its policy must let delivery.logs.amazonaws.com write, README). @default none
   */
  readonly accessLogs?: AccessLogsProps;
}

/** Where `monitoring.accessLogs` go. */
export type AccessLogsProps =
  | { readonly destination: "cloudwatch-logs"; readonly retentionDays?: number }
  | { readonly destination: "s3"; readonly bucketArn: string };
