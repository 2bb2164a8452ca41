/**
 * The kit's named variants: one stack each, the configurations the tests synthesize, planned by Terraform
 * offline in CI (`npm run plan`). Each names what it exercises; a new prop that makes new resources or
 * new references belongs here.
 */
import { Construct } from "constructs";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { AppSettings } from "../../app/app-settings";
import { ImageCdn } from "../../construct/image-cdn";
import { ImageCdnStack } from "../../app/image-cdn-stack";

export interface PlanVariant {
  readonly name: string;
  /** What it exercises, one line. */
  readonly covers: string;
  /** Makes the variant's stack (named `name`) in the app. */
  readonly build: (app: App, name: string) => TerraformStack;
}

const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
const WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/images/a1b2c3d4-5678-90ab-cdef-0123456789ab";
const ZONE = "Z0123456789EXAMPLE";

type Settings = Omit<AppSettings, "stackName">;
const LOCAL: Settings["backend"] = { kind: "local" };

/** A variant made by the app's own stack, as `main.ts` makes it from settings. */
function appVariant(name: string, covers: string, settings: Partial<Settings>): PlanVariant {
  return {
    name,
    covers,
    build: (app, stackName) => new ImageCdnStack(app, { region: "us-east-1", backend: LOCAL, imageCdn: {}, ...settings, stackName }),
  };
}

/** The construct alone in a stack a consumer writes, for what the app's stack never does. */
class ConsumerStack extends TerraformStack {
  constructor(scope: Construct, id: string, build: (stack: TerraformStack) => void) {
    super(scope, id);
    build(this);
  }
}

export const PLAN_VARIANTS: readonly PlanVariant[] = [
  appVariant("default", "no settings at all", {}),
  appVariant("function-url", "the function-URL origin", { imageCdn: { origin: "function-url" } }),
  appVariant("object-lambda", "the S3 Object Lambda origin", { imageCdn: { origin: "object-lambda" } }),
  appVariant("custom-domain", "three names: apex, its wildcard and another host; certificate by an aliased us-east-1 provider", {
    imageCdn: { domain: { names: ["example.com", "*.example.com", "img.example.org"], hostedZoneId: ZONE } },
  }),
  {
    name: "custom-domain-region-argument",
    covers: "the construct in a consumer's stack without an aliased provider: the certificate's resource-level region",
    build: (app, name) => new ConsumerStack(app, name, (stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new ImageCdn(stack, "images", { origin: "function-url", domain: { names: ["img.example.com", "cdn.example.com"], hostedZoneId: ZONE } });
    }),
  },
  appVariant("existing-certificate", "a custom domain with a given certificate, CORS", {
    imageCdn: { domain: { names: ["img.example.com"], certificateArn: CERTIFICATE_ARN }, cors: { allowedOrigins: ["https://app.example.com"] } },
  }),
  appVariant("cors", "CORS for two origins, access logs to S3", {
    imageCdn: { cors: { allowedOrigins: ["https://app.example.com", "https://admin.example.com"], maxAgeSeconds: 300 }, monitoring: { accessLogs: { destination: "s3", bucketArn: "arn:aws:s3:::cdn-access-logs" } } },
  }),
  appVariant("purge", "purge on change (rule, queues, purge function)", { imageCdn: { purgeOnChange: true } }),
  appVariant("signing", "signed URLs (KeyValueStore), no monitoring", { imageCdn: { signing: true, monitoring: false } }),
  appVariant("presets", "presets and only-presets, client hints (a preset of w=auto)", {
    imageCdn: { presets: { thumb: { w: 150, h: 150, fit: "cover" }, hero: { w: 1600, format: "webp", q: 70 }, fluid: { w: "auto", format: "webp" } }, onlyPresets: true, clientHints: true },
  }),
  appVariant("origin-shield", "Origin Shield", { region: "eu-west-1", imageCdn: { originShieldRegion: "eu-west-1" } }),
  appVariant("waf", "a WAF web ACL", { imageCdn: { webAclId: WEB_ACL_ARN } }),
  appVariant("reserved-concurrency", "reserved concurrency, x86_64, 1024 MB, allow-lists", {
    imageCdn: { resizer: { reservedConcurrency: 20, architecture: "x86_64", memorySize: 1024, allowedWidths: [150, 500], allowedHeights: [150, 700] } },
  }),
  appVariant("existing-bucket-object-lambda", "an existing bucket, its policy managed, Object Lambda", {
    imageCdn: { origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: true } },
  }),
  appVariant("existing-bucket-object-lambda-unmanaged", "an existing bucket whose policy its owner edits, Object Lambda", {
    imageCdn: { origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: false } },
  }),
  appVariant("existing-bucket-function-url", "an existing bucket, its policy managed, function URL, purge", {
    imageCdn: { origin: "function-url", bucket: { existingBucketName: "legacy-photos", managePolicy: true }, purgeOnChange: { batchWindowSeconds: 10 } },
  }),
  appVariant("existing-bucket-variants-only", "an existing bucket left alone, originals denied: variants only", {
    imageCdn: { bucket: { existingBucketName: "legacy-photos" }, originals: "deny" },
  }),
  appVariant("sse-kms", "originals encrypted with a KMS key (SSE-KMS), purge (browser TTL)", {
    region: "eu-west-1",
    imageCdn: { bucket: { namePrefix: "images-", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, purgeOnChange: true },
  }),
  appVariant("s3-backend", "the S3 backend with use_lockfile (removed for the plan)", {
    backend: { kind: "s3", bucket: "tf-state-example", key: "image-cdn/s3-backend.tfstate", region: "us-east-1" },
  }),
  appVariant("terraform-cloud", "the Terraform Cloud backend (removed for the plan)", {
    backend: { kind: "cloud", organization: "example-org", workspace: "images" },
  }),
  appVariant("second-region", "another region (ap-northeast-2), a versioned bucket with upload CORS", {
    region: "ap-northeast-2",
    imageCdn: { bucket: { namePrefix: "photos-", versioning: true, uploadCors: { allowedOrigins: ["https://app.example.com"] } } },
  }),
  {
    name: "region-from-variable",
    covers: "a provider region known only at plan: names hashed by Terraform from data.aws_region",
    build: (app, name) => new ConsumerStack(app, name, (stack) => {
      const region = new TerraformVariable(stack, "region", { type: "string", default: "eu-central-1" });
      new AwsProvider(stack, "aws", { region: region.stringValue });
      new ImageCdn(stack, "images", { origin: "function-url" });
    }),
  },
  appVariant("everything-object-lambda", "Object Lambda with a custom domain (apex and wildcard), CORS, purge, signing, presets, Origin Shield, alarms by email, CloudFront's additional metrics, access logs to CloudWatch Logs", {
    imageCdn: {
      origin: "object-lambda",
      domain: { names: ["example.com", "*.example.com"], hostedZoneId: ZONE },
      cors: { allowedOrigins: ["https://app.example.com"] },
      purgeOnChange: true,
      signing: true,
      presets: { thumb: { w: 150, h: 150 } },
      originShieldRegion: "us-east-1",
      monitoring: { alarmEmail: "oncall@example.com", cloudfrontAdditionalMetrics: true, accessLogs: { destination: "cloudwatch-logs", retentionDays: 14 } },
    },
  }),
];

/** The variants named (all of them without names); an unknown name is an error naming the known ones. */
export function selectVariants(names: readonly string[] | undefined): PlanVariant[] {
  if (!names || names.length === 0) return [...PLAN_VARIANTS];
  return names.map((name) => {
    const variant = PLAN_VARIANTS.find((v) => v.name === name);
    if (!variant) throw new Error(`no plan variant named ${JSON.stringify(name)}; known: ${PLAN_VARIANTS.map((v) => v.name).join(", ")}`);
    return variant;
  });
}

/** Synthesizes the variants into `outdir` (one stack folder each, under stacks/). */
export function synthesizeVariants(variants: readonly PlanVariant[], outdir: string): void {
  const app = new App({ outdir, skipValidation: false });
  for (const variant of variants) variant.build(app, variant.name);
  app.synth();
}
