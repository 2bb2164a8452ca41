import { createHash } from "node:crypto";
import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../modules";
import { resolveAppSettings, settingLookup, type SettingName } from "../modules/app/app-settings";
import { ImageCdnStack } from "../modules/app/image-cdn-stack";
import { literalDiscriminator } from "../modules/construct/naming";
import type { Synthesized } from "./support/synth";

/** Every name the stack gives a resource, with the limits AWS sets on it (the pattern includes the length). */
const NAMED: Array<{ type: string; attribute: string; pattern: RegExp; scope: "account" | "region" }> = [
  // IAM: name_prefix, to which Terraform appends 26 characters; the prefix may have at most 38.
  { type: "aws_iam_role", attribute: "name_prefix", pattern: /^[\w+=,.@-]{1,38}$/, scope: "account" },
  { type: "aws_cloudfront_cache_policy", attribute: "name", pattern: /^[A-Za-z0-9_-]{1,128}$/, scope: "account" },
  { type: "aws_cloudfront_response_headers_policy", attribute: "name", pattern: /^[A-Za-z0-9_-]{1,128}$/, scope: "account" },
  { type: "aws_cloudfront_function", attribute: "name", pattern: /^[A-Za-z0-9_-]{1,64}$/, scope: "account" },
  // CreateKeyValueStore (CloudFront API reference): Name matches [a-zA-Z0-9-_]{1,64}, unique in the account.
  { type: "aws_cloudfront_key_value_store", attribute: "name", pattern: /^[a-zA-Z0-9_-]{1,64}$/, scope: "account" },
  { type: "aws_cloudfront_origin_access_control", attribute: "name", pattern: /^.{1,64}$/, scope: "account" },
  { type: "aws_lambda_function", attribute: "function_name", pattern: /^[A-Za-z0-9_-]{1,64}$/, scope: "region" },
  { type: "aws_cloudwatch_log_group", attribute: "name", pattern: /^[\w\-/.#]{1,512}$/, scope: "region" },
  { type: "aws_s3_access_point", attribute: "name", pattern: /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/, scope: "region" },
  { type: "aws_s3control_object_lambda_access_point", attribute: "name", pattern: /^[a-z0-9][a-z0-9-]{1,43}[a-z0-9]$/, scope: "region" },
  // CreateQueue (SQS API reference): up to 80 alphanumerics, hyphens and underscores.
  { type: "aws_sqs_queue", attribute: "name", pattern: /^[A-Za-z0-9_-]{1,80}$/, scope: "region" },
  // PutRule (EventBridge API reference): Name matches [\.\-_A-Za-z0-9]+, 1-64 characters.
  { type: "aws_cloudwatch_event_rule", attribute: "name", pattern: /^[.\-_A-Za-z0-9]{1,64}$/, scope: "region" },
];

function names(json: Synthesized, scope?: "account" | "region"): string[] {
  return NAMED.filter((n) => scope === undefined || n.scope === scope).flatMap(({ type, attribute }) =>
    Object.values(json.resource[type] ?? {}).map((r) => `${type}: ${String(r[attribute])}`));
}

function appStack(env: Partial<Record<SettingName, string>>): Synthesized {
  const settings = resolveAppSettings(settingLookup(env, () => undefined));
  return JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings)));
}

describe("resource names: unique per deployment, within AWS's limits", () => {
  it("two deployments that differ only in region share no account-global name", () => {
    const [a, b] = [appStack({ IMAGE_CDN_REGION: "eu-west-1" }), appStack({ IMAGE_CDN_REGION: "ap-northeast-2" })];
    expect(names(a, "account")).toHaveLength(6);
    expect(names(a, "account").filter((n) => names(b, "account").includes(n))).toEqual([]);
  });

  it("two deployments that differ only in stack name share no name at all", () => {
    for (const origin of ["object-lambda", "function-url"]) {
      const [a, b] = [appStack({ IMAGE_CDN_STACK: "images-staging", IMAGE_CDN_ORIGIN: origin }), appStack({ IMAGE_CDN_STACK: "images-prod", IMAGE_CDN_ORIGIN: origin })];
      expect(names(a).length).toBeGreaterThanOrEqual(7);
      expect(names(a).filter((n) => names(b).includes(n))).toEqual([]);
    }
  });

  it("the same deployment synthesized twice keeps its names (no plan churn)", () => {
    expect(names(appStack({ IMAGE_CDN_REGION: "eu-west-1" }))).toEqual(names(appStack({ IMAGE_CDN_REGION: "eu-west-1" })));
  });

  it("every name fits its resource's length and character rules, even from long stack and construct ids", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "a-very-long-stack-name-for-the-marketing-department-images");
    new AwsProvider(stack, "aws", { region: "ap-southeast-2" });
    new ImageCdn(stack, "Product_Images_For_The_Storefront_2026", { domain: { names: ["img.example.com"], hostedZoneId: "Z123" }, signing: true, purgeOnChange: true });
    const json = JSON.parse(Testing.synth(stack)) as Synthesized;
    expect(Object.keys(json.resource.aws_cloudfront_key_value_store ?? {})).toHaveLength(1);
    expect(Object.keys(json.resource.aws_sqs_queue ?? {})).toHaveLength(2);
    for (const { type, attribute, pattern } of NAMED) {
      for (const resource of Object.values(json.resource[type] ?? {})) expect({ type, name: resource[attribute] }).toEqual({ type, name: expect.stringMatching(pattern) });
    }
    const hex = literalDiscriminator("a-very-long-stack-name-for-the-marketing-department-images/Product_Images_For_The_Storefront_2026", "ap-southeast-2");
    expect(names(json)).toContain(`aws_lambda_function: product-images-${hex}-resizer`);
  });

  it("a region unknown at synth gives the same names, computed by Terraform from data.aws_region", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "images");
    const region = new TerraformVariable(stack, "region", { type: "string" });
    new AwsProvider(stack, "aws", { region: region.stringValue });
    new ImageCdn(stack, "images", {});
    const json = JSON.parse(Testing.synth(stack)) as Synthesized & { data: Record<string, Record<string, unknown>> };
    const regionData = Object.keys(json.data.aws_region ?? {});
    expect(regionData).toHaveLength(1);
    const fn = Object.values(json.resource.aws_lambda_function ?? {})[0]!.function_name as string;
    const expression = /^images-\$\{substr\(sha1\(join\("@", \["images\/images", data\.aws_region\.([^.]+)\.region\]\)\), 0, 8\)\}-resizer$/;
    expect(fn).toMatch(expression);
    expect(fn.match(expression)![1]).toBe(regionData[0]);
    // What Terraform's sha1() computes for a region is what the literal path writes at synth.
    const terraformSide = createHash("sha1").update("images/images@eu-central-1").digest("hex").slice(0, 8);
    expect(terraformSide).toBe(literalDiscriminator("images/images", "eu-central-1"));
  });

  it("resourcePrefix is used as given", () => {
    const json = appStack({ IMAGE_CDN_RESOURCE_PREFIX: "shop-img-prod" });
    expect(names(json)).toEqual(expect.arrayContaining([
      "aws_lambda_function: shop-img-prod-resizer",
      "aws_iam_role: shop-img-prod-",
      "aws_cloudfront_origin_access_control: shop-img-prod-lambda",
      "aws_cloudfront_origin_access_control: shop-img-prod-s3",
      "aws_cloudfront_cache_policy: shop-img-prod-variants",
    ]));
    expect(names(appStack({ IMAGE_CDN_RESOURCE_PREFIX: "shop-img-prod", IMAGE_CDN_ORIGIN: "object-lambda" }))).toEqual(expect.arrayContaining([
      "aws_s3_access_point: shop-img-prod-ap",
      "aws_s3control_object_lambda_access_point: shop-img-prod-olap",
    ]));
  });
});
