/**
 * Every price and assumption of the cost model (`npm run cost`), in one place. On-demand list prices in USD,
 * United States (us-east-1), first tier, checked 2026-11 on aws.amazon.com/cloudfront/pricing, the "How AWS
 * pricing works" whitepaper (Lambda, CloudFront invalidations), the API Gateway cost-optimization guide and the
 * Lambda developer guide ("Configure Lambda function memory"); S3, SQS and CloudFront Functions figures as published pricing summaries list them.
 * Always-free tiers (CloudFront's 1 TB and 10 M requests, Lambda's 400,000 GB-s, SQS's 1 M requests) are left out:
 * they are the same for every setup, and a busy CDN is past them. Change a number here and every column follows.
 */

export const PRICES = {
  cloudFront: {
    /** Data transfer out to the internet, first 10 TB a month, per GB (CloudFront pricing, United States & Europe). */
    transferPerGb: 0.085,
    /** HTTPS requests, per 10,000 (United States; Europe $0.012). */
    httpsRequestsPer10k: 0.01,
    /** CloudFront Functions, per million invocations. */
    functionsPerMillion: 0.1,
    /** CloudFront KeyValueStore reads from functions, per million. */
    keyValueStoreReadsPerMillion: 0.03,
    /** Invalidation paths: the first 1,000 a month free, then per path. */
    freeInvalidationPaths: 1000,
    invalidationPerPath: 0.005,
    /** Origin Shield, per 10,000 requests that reach it (United States; Europe $0.009). */
    originShieldPer10k: 0.0075,
    /** "Free for origin fetches from any AWS origin" (CloudFront pricing); applied to Lambda function URLs too. */
    originToCloudFrontPerGb: 0,
  },
  lambda: {
    /** Per GB-second, first tier: Arm (Graviton) and x86. */
    gbSecondArm: 0.0000133334,
    gbSecondX86: 0.0000166667,
    requestsPerMillion: 0.2,
    /** Lambda gives a function CPU in proportion to its memory: 1,769 MB is one full vCPU (Lambda developer guide, "Configure Lambda function memory"). */
    memoryPerVcpuMb: 1769,
  },
  s3: {
    getPer1000: 0.0004,
    putPer1000: 0.005,
    storagePerGbMonth: 0.023,
    /** S3 Object Lambda: data returned, per GB (its GET requests are billed as S3 GETs). */
    objectLambdaReturnedPerGb: 0.005,
  },
  apiGateway: {
    /** REST API, per million requests (first 333 million a month). */
    restPerMillion: 3.5,
  },
  sqs: {
    /** Standard queue, per million requests (each purge message: send, receive, delete). */
    requestsPerMillion: 0.4,
  },
  /**
   * CloudWatch (aws.amazon.com/cloudwatch/pricing, us-east-1, beyond the free tier of 3 dashboards, 10 alarm metrics
   * and 10 custom metrics): a dashboard per month, a standard-resolution alarm metric per month, a custom metric per
   * month (first 10,000; CloudFront's additional metrics are billed as such, up to 8 per distribution).
   */
  cloudWatch: {
    dashboardPerMonth: 3,
    alarmPerMonth: 0.1,
    customMetricPerMonth: 0.3,
    /** CloudFront's additional metrics: "up to 8 metrics per distribution", each at the custom-metric rate (CloudFront Developer Guide). */
    additionalMetricsPerDistribution: 8,
    /** Vended logs delivered to CloudWatch Logs, per GB (first 10 TB). */
    vendedLogsPerGb: 0.5,
  },
  /** S3's events to EventBridge's default bus are AWS service events: not charged. */
  eventBridgeServiceEventsPerMillion: 0,
} as const;

/** What the model assumes where a price alone does not say; each can be changed by a flag of `npm run cost`. */
export const ASSUMPTIONS = {
  /** Originals viewed in the month (each with `variantsPerObject` variants). */
  objects: 100_000,
  /** Average variant size, KB: the field reference, a 1.8 MB photo served as a 15.8 KB variant. */
  variantKb: 15.8,
  /** Originals overwritten, deleted or added in the month (the purge's invalidation paths). */
  changes: 0,
  /**
   * Without edge normalization, how many cache keys one variant gets on average (parameter order, defaults spelled
   * out, the browsers' different Accept strings): each is its own miss and its own transformation.
   */
  spellingsPerVariant: 1.5,
  /** One CloudFront access log record in JSON, KB (its some 30 fields). */
  accessLogRecordKb: 1,
  /** Milliseconds a transformation waits on I/O (reading a 1.8 MB original in-region, writing the answer), billed at the function's memory. */
  ioMs: 60,
} as const;

/** A setup compared: the kit's defaults and the two AWS peers' published defaults. */
export interface Setup {
  /** Column heading. */
  readonly name: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly architecture: "arm64" | "x86_64";
  /** How a miss reaches the function. */
  readonly front: "object-lambda" | "function-url" | "api-gateway-rest" | "s3-then-function-url";
  /** CloudFront Functions run per view. */
  readonly edgeFunctionsPerView: number;
  /** The edge normalizes parameters and Accept into one cache key per variant. */
  readonly normalizesAtEdge: boolean;
  /** Transformed variants are stored in S3 and served from there on later misses. */
  readonly storesVariants: boolean;
  /** Changed originals are invalidated automatically (one path each). */
  readonly purgesOnChange: boolean;
  /** Origin Shield on by default: its request fee on every miss. */
  readonly originShield: boolean;
  /** What is watched by default: dashboards, alarms and custom metrics a month. */
  readonly monitoring: { readonly dashboards: number; readonly alarms: number; readonly customMetrics: number };
  readonly source: string;
}

/**
 * The kit's `monitoring` default: one dashboard, five alarms (six with purge), and the resizer's custom metrics a
 * busy month sees: the 7 base ones, 2xx and 4xx, and two error codes (23 at most: lambda-src/core/metrics.ts).
 */
const KIT_MONITORING = { dashboards: 1, alarms: 5, customMetrics: 11 };
/** The peers' dashboards are optional and not on by default in the code cited. */
const NOT_COUNTED = { dashboards: 0, alarms: 0, customMetrics: 0 };

export const SETUPS: readonly Setup[] = [
  {
    name: "kit function-url",
    description: "this kit's defaults: function-URL origin, resizer 512 MB arm64",
    memoryMb: 512,
    architecture: "arm64",
    front: "function-url",
    edgeFunctionsPerView: 1,
    normalizesAtEdge: true,
    storesVariants: false,
    purgesOnChange: true,
    originShield: false,
    monitoring: KIT_MONITORING,
    source: "modules/: the default origin, DEFAULT_MEMORY_SIZE, one viewer-request function",
  },
  {
    name: "kit object-lambda",
    description: "this kit with origin: object-lambda (accounts that already use it), resizer 512 MB arm64",
    memoryMb: 512,
    architecture: "arm64",
    front: "object-lambda",
    edgeFunctionsPerView: 2, // viewer-request normalizer, viewer-response header restore
    normalizesAtEdge: true,
    storesVariants: false,
    purgesOnChange: true,
    originShield: false,
    monitoring: KIT_MONITORING,
    source: "modules/ with origin: \"object-lambda\": the viewer-request and viewer-response functions",
  },
  {
    name: "Dynamic Image Transf.",
    description: "Dynamic Image Transformation for Amazon CloudFront: API Gateway REST + Lambda 1024 MB",
    memoryMb: 1024,
    architecture: "x86_64",
    front: "api-gateway-rest",
    edgeFunctionsPerView: 0,
    normalizesAtEdge: false,
    storesVariants: false,
    purgesOnChange: false,
    originShield: false,
    monitoring: NOT_COUNTED,
    source:
      "aws-solutions/dynamic-image-transformation-for-amazon-cloudfront, source/constructs/lib/back-end: memorySize 1024, no architecture (x86), " +
      "LambdaRestApi behind CloudFront, cache key = all query strings + Origin (Accept only with AutoWebP), Origin Shield off",
  },
  {
    name: "image-optimization",
    description: "aws-samples/image-optimization: CloudFront origin group, S3 variant store, Lambda URL 1500 MB",
    memoryMb: 1500,
    architecture: "x86_64",
    front: "s3-then-function-url",
    edgeFunctionsPerView: 1,
    normalizesAtEdge: true,
    storesVariants: true,
    purgesOnChange: false,
    originShield: true,
    monitoring: NOT_COUNTED,
    source:
      "aws-samples/image-optimization, lib/image-optimization-stack.ts: LAMBDA_MEMORY 1500, no architecture (x86), origin group " +
      "(S3 store of transformed images, 90-day expiry, then the Lambda URL), a viewer-request function normalizing the URL, Origin Shield on",
  },
];
