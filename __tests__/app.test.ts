import { Testing } from "cdktf";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SETTINGS, contextKey, resolveAppSettings, settingErrorLine, settingLookup, unknownSettings, type SettingName } from "../modules/app/app-settings";
import { AWS_REGIONS_FILE, awsRegions, loadAwsRegions, regionsOfPartitions, sdkRegionList, writeAwsRegionsFile } from "../modules/construct/aws-regions";
import { didYouMean, editDistance, nameWords } from "../modules/construct/did-you-mean";
import { ImageCdnStack } from "../modules/app/image-cdn-stack";
import { ImageCdn, useKitBackend } from "../modules";
import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, synthApp } from "./support/run-app";

function settings(env: Partial<Record<SettingName, string>>, context: Record<string, unknown> = {}) {
  return resolveAppSettings(settingLookup(env, (key) => context[key]));
}

describe("app settings", () => {
  it("has defaults that synthesize without any setting", () => {
    const s = settings({});
    expect(s).toMatchObject({ stackName: "image-cdn", region: "us-east-1", imageCdn: { bucket: { namePrefix: "images-" } } });
    expect(s.backend).toEqual({ kind: "local" });
    expect(s.imageCdn.domain).toBeUndefined();
  });

  it("reads environment variables before cdktf.json context", () => {
    const s = settings(
      { IMAGE_CDN_REGION: "ap-northeast-2", IMAGE_CDN_DOMAIN_NAMES: "img.example.com, cdn.example.com", IMAGE_CDN_HOSTED_ZONE_ID: "Z1" },
      { region: "eu-west-1", bucket_prefix: "photos-", allowed_widths: [150, 500], cors_origins: "https://app.example.com" },
    );
    expect(s.region).toBe("ap-northeast-2");
    expect(s.imageCdn.bucket).toEqual({ namePrefix: "photos-" });
    expect(s.imageCdn.resizer?.allowedWidths).toEqual([150, 500]);
    expect(s.imageCdn.cors).toEqual({ allowedOrigins: ["https://app.example.com"] });
    expect(s.imageCdn.domain).toEqual({ names: ["img.example.com", "cdn.example.com"], hostedZoneId: "Z1", certificateArn: undefined });
  });

  it("chooses the state backend: local by default, S3 with a bucket, Terraform Cloud with an organization", () => {
    expect(settings({ IMAGE_CDN_STACK: "img", IMAGE_CDN_REGION: "eu-west-1", IMAGE_CDN_STATE_BUCKET: "acme-tfstate" }).backend)
      .toEqual({ kind: "s3", bucket: "acme-tfstate", key: "image-cdn/img.tfstate", region: "eu-west-1" });
    expect(settings({ IMAGE_CDN_STATE_BUCKET: "acme-tfstate", IMAGE_CDN_STATE_KEY: "cdn/prod.tfstate", IMAGE_CDN_STATE_REGION: "us-west-2" }).backend)
      .toEqual({ kind: "s3", bucket: "acme-tfstate", key: "cdn/prod.tfstate", region: "us-west-2" });
    expect(() => settings({ IMAGE_CDN_STATE_BUCKET: "b", IMAGE_CDN_TFC_ORGANIZATION: "acme", IMAGE_CDN_TFC_WORKSPACE: "w" }))
      .toThrow("IMAGE_CDN_STATE_BUCKET and IMAGE_CDN_TFC_ORGANIZATION are both set: they choose two backends; set one");
    expect(() => settings({ IMAGE_CDN_STATE_KEY: "k" })).toThrow("IMAGE_CDN_STATE_KEY is set but means nothing without IMAGE_CDN_STATE_BUCKET");
  });

  it.each<[string, Partial<Record<SettingName, string>>, string]>([
    ["half a Terraform Cloud setting", { IMAGE_CDN_TFC_ORGANIZATION: "acme" }, "IMAGE_CDN_TFC_ORGANIZATION is set but means nothing without IMAGE_CDN_TFC_WORKSPACE"],
    ["a hosted zone without domain names", { IMAGE_CDN_HOSTED_ZONE_ID: "Z123" }, "IMAGE_CDN_HOSTED_ZONE_ID is set but means nothing without IMAGE_CDN_DOMAIN_NAMES"],
    ["a certificate without domain names", { IMAGE_CDN_CERTIFICATE_ARN: "arn:aws:acm:us-east-1:1:certificate/x" }, "IMAGE_CDN_CERTIFICATE_ARN is set but means nothing without IMAGE_CDN_DOMAIN_NAMES"],
    ["two ways to choose the bucket", { IMAGE_CDN_BUCKET_NAME: "a", IMAGE_CDN_EXISTING_BUCKET: "b" }, "IMAGE_CDN_BUCKET_NAME and IMAGE_CDN_EXISTING_BUCKET are both set: they choose the bucket three ways; set one"],
    ["a region outside every AWS partition", { IMAGE_CDN_REGION: "mars-1" }, 'IMAGE_CDN_REGION="mars-1" is not allowed: an AWS region such as us-east-1, eu-west-1 or ap-northeast-2'],
    ["a malformed list", { IMAGE_CDN_ALLOWED_WIDTHS: "150,big" }, 'IMAGE_CDN_ALLOWED_WIDTHS="150,big" is not allowed: a comma-separated list of integers, e.g. 150,500'],
    ["a malformed number", { IMAGE_CDN_MEMORY_SIZE: "1GB" }, 'IMAGE_CDN_MEMORY_SIZE="1GB" is not allowed: an integer (MB)'],
  ])("refuses %s in one line naming the variable", (_what, env, message) => {
    expect(() => settings(env)).toThrow(message);
  });

  // An app user sets every prop a deployment needs without writing TypeScript.
  it("feeds presets, only-presets, Origin Shield, WAF, reserved concurrency, timeout, originals, browser TTL, the KMS key and client hints to the construct", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const webAcl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/images/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const s = settings({
      IMAGE_CDN_PRESETS: "thumb=w=150&h=150&fit=cover, hero=w=1600&format=webp",
      IMAGE_CDN_ONLY_PRESETS: "true",
      IMAGE_CDN_ORIGIN_SHIELD_REGION: "eu-west-1",
      IMAGE_CDN_WEB_ACL_ID: webAcl,
      IMAGE_CDN_RESERVED_CONCURRENCY: "20",
      IMAGE_CDN_TIMEOUT: "25",
      IMAGE_CDN_ORIGINALS: "deny",
      IMAGE_CDN_BROWSER_TTL: "600",
      IMAGE_CDN_KMS_KEY_ARN: key,
      IMAGE_CDN_CLIENT_HINTS: "true",
    });
    expect(s.imageCdn).toMatchObject({
      presets: { thumb: { w: 150, h: 150, fit: "cover" }, hero: { w: 1600, format: "webp" } },
      onlyPresets: true,
      originShieldRegion: "eu-west-1",
      webAclId: webAcl,
      resizer: { reservedConcurrency: 20, timeout: 25 },
      originals: "deny",
      cache: { browserTtl: 600 },
      bucket: { namePrefix: "images-", kmsKeyArn: key },
      clientHints: true,
    });
    const json = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), s)));
    expect(Object.values(json.resource.aws_lambda_function as Record<string, { reserved_concurrent_executions?: number; timeout: number }>)[0]).toMatchObject({ reserved_concurrent_executions: 20, timeout: 25 });
    expect(json.output.kms_key_policy_statements).toBeDefined();
    // Client hints reach the resizer (Vary) and the edge (the ladder).
    const environment = Object.values(json.resource.aws_lambda_function as Record<string, { environment: { variables: Record<string, string> } }>)[0]?.environment.variables;
    expect(environment).toMatchObject({ RESIZER_CLIENT_HINT_WIDTHS: "160,320,480,640,828,1080,1440,1920,2560,3840", RESIZER_CLIENT_HINT_FALLBACK_WIDTH: "1080" });
    const edgeCode = Object.values(json.resource.aws_cloudfront_function as Record<string, { name: string; code: string }>).find((f) => f.code.includes("function normalize"))?.code;
    expect(edgeCode).toContain('"hints":{"widths":[160,320,480,640,828,1080,1440,1920,2560,3840],"fallbackWidth":1080}');
    // cdktf.json context may hold presets as an object.
    expect(settings({}, { presets: { thumb: { w: 150, h: 150 } } }).imageCdn.presets).toEqual({ thumb: { w: 150, h: 150 } });
  });

  it("monitoring: IMAGE_CDN_ALARM_EMAIL subscribes an address; IMAGE_CDN_MONITORING=false turns it off, and the two together are refused", () => {
    expect(settings({ IMAGE_CDN_ALARM_EMAIL: "oncall@example.com" }).imageCdn.monitoring).toEqual({ alarmEmail: "oncall@example.com" });
    expect(settings({ IMAGE_CDN_MONITORING: "true", IMAGE_CDN_ALARM_EMAIL: "oncall@example.com" }).imageCdn.monitoring).toEqual({ alarmEmail: "oncall@example.com" });
    expect(settings({ IMAGE_CDN_MONITORING: "false" }).imageCdn.monitoring).toBe(false);
    expect(() => settings({ IMAGE_CDN_MONITORING: "false", IMAGE_CDN_ALARM_EMAIL: "oncall@example.com" })).toThrow(/^IMAGE_CDN_ALARM_EMAIL is set but means nothing with IMAGE_CDN_MONITORING=false \(no alarms\)$/);
  });

  it.each<[string, Partial<Record<SettingName, string>>, RegExp]>([
    ["an Origin Shield region CloudFront does not offer", { IMAGE_CDN_ORIGIN_SHIELD_REGION: "eu-north-1" }, /^IMAGE_CDN_ORIGIN_SHIELD_REGION="eu-north-1" is not allowed: a region CloudFront offers Origin Shield in .*\(ImageCdn originShieldRegion\)$/],
    ["a preset the resizer would refuse", { IMAGE_CDN_PRESETS: "huge=w=99999" }, /^IMAGE_CDN_PRESETS="huge=w=99999" is not allowed: w must be an integer from 1 to 4096 \(ImageCdn presets\.huge\)$/],
    ["a malformed preset list", { IMAGE_CDN_PRESETS: "thumb" }, /^IMAGE_CDN_PRESETS="thumb" is not allowed: comma-separated NAME=PARAMETERS/],
    ["originals neither serve nor deny", { IMAGE_CDN_ORIGINALS: "hide" }, /^IMAGE_CDN_ORIGINALS="hide" is not allowed: "serve", "deny" \(ImageCdn originals\)$/],
    ["a KMS alias", { IMAGE_CDN_KMS_KEY_ARN: "alias/images" }, /^IMAGE_CDN_KMS_KEY_ARN="alias\/images" is not allowed: a KMS key ARN/],
  ])("names the variable when the construct refuses %s", (_what, env, line) => {
    const lookup = settingLookup(env, () => undefined);
    let thrown: unknown;
    try {
      new ImageCdnStack(Testing.app(), resolveAppSettings(lookup));
    } catch (error) {
      thrown = error;
    }
    expect(settingErrorLine(thrown, lookup)).toMatch(line);
  });

  it("names the cdktf.json context key when the value came from there", () => {
    expect(() => settings({}, { region: "moon-2" })).toThrow('cdktf.json context "region"="moon-2" is not allowed');
  });

  it("re-says the construct's refusal of a prop with the setting that fed it", () => {
    const lookup = settingLookup({ IMAGE_CDN_MEMORY_SIZE: "64" }, () => undefined);
    let thrown: unknown;
    try {
      new ImageCdnStack(Testing.app(), resolveAppSettings(lookup));
    } catch (error) {
      thrown = error;
    }
    expect(settingErrorLine(thrown, lookup)).toBe('IMAGE_CDN_MEMORY_SIZE="64" is not allowed: an integer from 128 to 10240 MB (ImageCdn resizer.memorySize)');
    expect(settingErrorLine(new Error("a bug"), lookup)).toBeUndefined();
  });

  it("refuses an IMAGE_CDN_ variable it does not know, suggesting the nearest when one is close", () => {
    expect(unknownSettings({ IMAGE_CDN_MEMORY: "64", PATH: "/bin" })?.message).toBe("IMAGE_CDN_MEMORY is not a setting of the app; did you mean IMAGE_CDN_MEMORY_SIZE? (see help)");
    expect(unknownSettings({ IMAGE_CDN_REGOIN: "eu-west-1" })?.message).toMatch(/did you mean IMAGE_CDN_REGION\?/);
    expect(unknownSettings({ IMAGE_CDN_PRESETS_ONLY: "true" })?.message).toMatch(/did you mean IMAGE_CDN_ONLY_PRESETS\?/);
    expect(unknownSettings({ IMAGE_CDN_WAF: "x" })?.message).toBe("IMAGE_CDN_WAF is not a setting of the app (see help)");
    expect(unknownSettings({ IMAGE_CDN_REGION: "eu-west-1", IMAGE_CDN_PRESETS: "thumb=w=150" })).toBeUndefined();
  });

  // cdktf's CLI hands cdktf.json's "context" to the app in CDKTF_CONTEXT_JSON, adding its own keys.
  it("refuses a cdktf.json context key it does not know, suggesting the nearest, and leaves cdktf's own keys alone", () => {
    const withContext = (context: Record<string, unknown>) => unknownSettings({ CDKTF_CONTEXT_JSON: JSON.stringify(context) })?.message;
    expect(withContext({ memroy_size: 1024 })).toBe('cdktf.json context "memroy_size" is not a setting of the app; did you mean "memory_size"? (see help)');
    expect(withContext({ region: "eu-west-1", IMAGE_CDN_BUCKET_PREFIX: "photos-" })).toBe('cdktf.json context "IMAGE_CDN_BUCKET_PREFIX" is not a setting of the app; did you mean "bucket_prefix"? (see help)');
    expect(withContext({ colour: "blue" })).toBe('cdktf.json context "colour" is not a setting of the app (see help)');
    expect(withContext({
      ...Object.fromEntries(Object.keys(SETTINGS).map((name) => [contextKey(name as SettingName), "x"])),
      // Written by older `cdktf init`s; set or read by cdktf itself (its CLI, App, Testing, assets, annotations).
      excludeStackIdFromLogicalIds: "true", allowSepCharsInLogicalIds: "true",
      cdktfRelativeModules: ["./"], cdktfStaticModuleAssetHash: "abc", cdktfJsonPath: "/x/cdktf.json", cdktfVersion: "0.21.0",
      "@cdktf/disable_stack_trace_in_metadata": true,
    })).toBeUndefined();
    expect(unknownSettings({})).toBeUndefined();
    // A variable's typo is reported first: one line at a time.
    expect(unknownSettings({ IMAGE_CDN_MEMORY: "64", CDKTF_CONTEXT_JSON: '{"memroy_size": 1}' })?.message).toMatch(/^IMAGE_CDN_MEMORY /);
  });

  it.each<[string, string | undefined]>([
    ["IMAGE_CDN_PRESET", "IMAGE_CDN_PRESETS"],
    ["IMAGE_CDN_PERSETS", "IMAGE_CDN_PRESETS"],
    ["IMAGE_CDN_PRESETS_ONLY", "IMAGE_CDN_ONLY_PRESETS"],
    ["IMAGE_CDN_ONLY_PRESET", "IMAGE_CDN_ONLY_PRESETS"],
    ["IMAGE_CDN_MEMORY", "IMAGE_CDN_MEMORY_SIZE"],
    ["IMAGE_CDN_MEM", "IMAGE_CDN_MEMORY_SIZE"],
    ["IMAGE_CDN_MEMORYSIZE", "IMAGE_CDN_MEMORY_SIZE"],
    ["IMAGE_CDN_REGOIN", "IMAGE_CDN_REGION"],
    ["IMAGE_CDN_STAK", "IMAGE_CDN_STACK"],
    ["IMAGE_CDN_DOMAIN", "IMAGE_CDN_DOMAIN_NAMES"],
    ["IMAGE_CDN_ZONE_ID", "IMAGE_CDN_HOSTED_ZONE_ID"],
    ["IMAGE_CDN_CERT_ARN", "IMAGE_CDN_CERTIFICATE_ARN"],
    ["IMAGE_CDN_SHIELD_REGION", "IMAGE_CDN_ORIGIN_SHIELD_REGION"],
    ["IMAGE_CDN_STATE_REGIONS", "IMAGE_CDN_STATE_REGION"],
    ["IMAGE_CDN_TTL", "IMAGE_CDN_BROWSER_TTL"],
    ["IMAGE_CDN_SIGNED", "IMAGE_CDN_SIGNING"],
    ["IMAGE_CDN_PRICECLASS", "IMAGE_CDN_PRICE_CLASS"],
    ["IMAGE_CDN_WEBACL_ID", "IMAGE_CDN_WEB_ACL_ID"],
    ["IMAGE_CDN_FOO", undefined],
    ["IMAGE_CDN_X", undefined],
  ])("suggests for the variable %s: %s", (typo, suggestion) => {
    expect(didYouMean(typo, Object.keys(SETTINGS))).toBe(suggestion);
  });

  it.each<[string, string | undefined]>([
    ["memroy_size", "memory_size"],
    ["memorySize", "memory_size"],
    ["bucketprefix", "bucket_prefix"],
    ["presets_only", "only_presets"],
    ["region_", "region"],
    ["colour", undefined],
  ])("suggests for the context key %s: %s", (typo, suggestion) => {
    expect(didYouMean(typo, Object.keys(SETTINGS).map((name) => contextKey(name as SettingName)))).toBe(suggestion);
  });

  it.each<[string, string | undefined]>([
    ["us-eats-1", "us-east-1"],
    ["us-east1", "us-east-1"],
    ["useast1", "us-east-1"],
    ["US-EAST-1", "us-east-1"],
    ["eu-wset-1", "eu-west-1"],
    ["ap-northest-2", "ap-northeast-2"],
    ["ap-north-east-1", "ap-northeast-1"],
    ["cn-nort-1", "cn-north-1"],
    ["us-gov-west", "us-gov-west-1"],
    ["mars-1", undefined],
    ["frankfurt", undefined],
    ["aws-global", undefined],
  ])("suggests for the region %s: %s", (typo, suggestion) => {
    expect(didYouMean(typo, awsRegions())).toBe(suggestion);
  });

  // The case: before IMAGE_CDN_PRESETS existed it was answered with IMAGE_CDN_REGION (fewest edits).
  it("ranks shared words before edits, in any order, and counts a swap of two letters as one edit", () => {
    expect(didYouMean("IMAGE_CDN_PRESETS", Object.keys(SETTINGS).filter((name) => name !== "IMAGE_CDN_PRESETS"))).toBe("IMAGE_CDN_ONLY_PRESETS");
    expect(nameWords("excludeStackIdFromLogicalIds")).toEqual(["exclude", "stack", "id", "from", "logical", "ids"]);
    expect(nameWords("IMAGE_CDN_MEMORY_SIZE")).toEqual(["image", "cdn", "memory", "size"]);
    expect(nameWords("ap-southeast7")).toEqual(["ap", "southeast", "7"]);
    expect(editDistance("us-eats-1", "us-east-1")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(didYouMean("anything", [])).toBeUndefined();
  });

  // The AWS SDK's partitions data, read through aws-regions.ts: fails here if a new SDK version moves it.
  it("knows the regions of every AWS partition from the AWS SDK's data", () => {
    const { regions, source } = sdkRegionList();
    expect(source).toMatch(/^@aws-sdk\/core \d+\.\d+\.\d+ dist-es\/submodules\/client\/util-endpoints\/lib\/aws\/partitions\.js$/);
    expect(regions).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1", "ap-northeast-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"]));
    expect(regions.length).toBeGreaterThan(30);
    expect(regions).not.toContain("aws-global");
    expect(awsRegions()).toEqual(regions);
    expect(() => regionsOfPartitions({ partitions: [{ id: "aws" }] })).toThrow("partition aws has no regionRegex or regions");
  });

  // npm run build writes the list into dist/modules: a consumer's install has no AWS SDK.
  it("reads the list written beside the module when there is one", () => {
    const dir = mkdtempSync(join(tmpdir(), "image-cdn-regions-"));
    try {
      writeAwsRegionsFile(dir);
      expect(loadAwsRegions(dir)).toEqual(sdkRegionList().regions);
      writeFileSync(join(dir, AWS_REGIONS_FILE), JSON.stringify({ source: "test", regions: ["xx-test-1"] }));
      expect(loadAwsRegions(dir)).toEqual(["xx-test-1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks regions against that list, naming the nearest, and accepts newer ones", () => {
    expect(() => settings({ IMAGE_CDN_REGION: "us-eats-1" })).toThrow(/^IMAGE_CDN_REGION="us-eats-1" is not allowed: an AWS region; did you mean us-east-1\?$/);
    expect(() => settings({ IMAGE_CDN_STATE_BUCKET: "acme-tfstate", IMAGE_CDN_STATE_REGION: "eu-wset-1" })).toThrow(/^IMAGE_CDN_STATE_REGION="eu-wset-1" is not allowed: an AWS region; did you mean eu-west-1\?$/);
    expect(() => settings({}, { region: "ap-northest-2" })).toThrow('cdktf.json context "region"="ap-northest-2" is not allowed: an AWS region; did you mean ap-northeast-2?');
    expect(() => settings({ IMAGE_CDN_REGION: "aws-global" })).toThrow(/is not allowed: an AWS region such as/);
    for (const good of ["us-east-1", "eu-central-2", "cn-northwest-1", "us-gov-west-1", "ap-southeast-7", "mx-central-1", "ap-east-2", "ca-west-1", "eusc-de-east-1"]) {
      expect(settings({ IMAGE_CDN_REGION: good }).region).toBe(good);
    }
  });

  it("describes every setting in help and in the README's table, and no other", () => {
    const names = Object.keys(SETTINGS).sort();
    const mentioned = (text: string) => [...new Set(text.match(/IMAGE_CDN_[A-Z_]+[A-Z]/g))].sort();
    expect(mentioned(readFileSync(`${ROOT}/help`, "utf8"))).toEqual(names);
    const readme = readFileSync(`${ROOT}/README.md`, "utf8");
    const table = readme.slice(readme.indexOf("## Settings of the app"), readme.indexOf("## Using the construct"));
    expect(mentioned(table)).toEqual(names);
  });
});

// A stack of one's own with an ImageCdn gets cdktf's local backend with the synthesizing machine's absolute
// path; useKitBackend gives it the kit's choice, read from the same settings.
describe("useKitBackend in a consumer's own stack", () => {
  const consumerStack = (env: NodeJS.ProcessEnv) => {
    const stack = new TerraformStack(Testing.app(), "shop-images");
    const chosen = useKitBackend(stack, { region: "eu-west-1", env });
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new ImageCdn(stack, "images", {});
    return { chosen, json: JSON.parse(Testing.synth(stack)) as { terraform: { backend?: Record<string, unknown>; cloud?: unknown; required_version?: string } } };
  };

  it("writes local state at a relative path by default (no machine's path in the JSON)", () => {
    const { chosen, json } = consumerStack({});
    expect(chosen).toEqual({ kind: "local" });
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.shop-images.tfstate" } });
    expect(JSON.stringify(json)).not.toContain(process.cwd());
  });

  it("writes the S3 backend with native locking, or Terraform Cloud, from the IMAGE_CDN_ settings", () => {
    const s3 = consumerStack({ IMAGE_CDN_STATE_BUCKET: "acme-tfstate" }).json;
    expect(s3.terraform.backend).toEqual({ s3: { bucket: "acme-tfstate", key: "image-cdn/shop-images.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true } });
    expect(s3.terraform.required_version).toBe(">= 1.11");
    const cloud = consumerStack({ IMAGE_CDN_TFC_ORGANIZATION: "acme", IMAGE_CDN_TFC_WORKSPACE: "images" }).json;
    expect(cloud.terraform.backend).toBeUndefined();
    expect(cloud.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "images" } });
  });
});

describe("the app's stack", () => {
  it("emits every public attribute as an output", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({}));
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.output).sort()).toEqual([
      "bucket_arn", "bucket_name", "distribution_arn", "distribution_domain_name", "distribution_id",
      "function_name", "function_url",
    ]);
    // Local state named as cdktf names it, at the project root, reached from cdktf.out/stacks/<stack>.
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.image-cdn.tfstate" } });
    expect(json.output.distribution_domain_name.value).toMatch(/^\$\{aws_cloudfront_distribution\..+\.domain_name\}$/);
    expect(json.provider.aws).toEqual([expect.objectContaining({ region: "us-east-1" })]);
  });

  it("serves through the function URL by default; object-lambda outputs the access point instead", () => {
    const json = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings({}))));
    expect(json.output.function_url.value).toMatch(/^\$\{aws_lambda_function_url\..+\.function_url\}$/);
    expect(json.output.object_lambda_access_point_arn).toBeUndefined();
    const olap = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings({ IMAGE_CDN_ORIGIN: "object-lambda" }))));
    expect(olap.output.function_url).toBeUndefined();
    expect(olap.output.object_lambda_access_point_arn.value).toMatch(/^\$\{aws_s3control_object_lambda_access_point\..+\.arn\}$/);
    expect(olap.output.object_lambda_access_point_alias).toBeDefined();
  });

  it("adds an aliased us-east-1 provider for the certificate, and a cloud backend when asked", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({
      IMAGE_CDN_REGION: "eu-west-1", IMAGE_CDN_DOMAIN_NAMES: "img.example.com", IMAGE_CDN_HOSTED_ZONE_ID: "Z1",
      IMAGE_CDN_TFC_ORGANIZATION: "acme", IMAGE_CDN_TFC_WORKSPACE: "image-cdn-prod",
    }));
    const json = JSON.parse(Testing.synth(stack));
    const defaultTags = [{ tags: { "image-cdn": "image-cdn", "managed-by": "cdktf" } }];
    // The certificate is made by the aliased provider: it carries the default tags too.
    expect(json.provider.aws).toEqual([
      expect.objectContaining({ region: "eu-west-1", default_tags: defaultTags }),
      expect.objectContaining({ alias: "us_east_1", region: "us-east-1", default_tags: defaultTags }),
    ]);
    expect(Object.values(json.resource.aws_acm_certificate)[0]).toMatchObject({ provider: "aws.us_east_1" });
    expect(json.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "image-cdn-prod" } });
    expect(json.terraform.backend).toBeUndefined();
    expect(json.output.domain_names.value).toEqual(["img.example.com"]);
    expect(json.output.certificate_arn.value).toMatch(/^\$\{aws_acm_certificate_validation\..+\.certificate_arn\}$/);
  });

  // use_lockfile: experimental in Terraform 1.10, generally available in 1.11 (Terraform 1.11.0 CHANGELOG).
  it("writes an S3 backend with S3-native locking (use_lockfile) when asked, and requires Terraform 1.11 for it", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({ IMAGE_CDN_STATE_BUCKET: "acme-tfstate", IMAGE_CDN_REGION: "eu-west-1" }));
    const json = JSON.parse(Testing.synth(stack));
    expect(json.terraform.backend).toEqual({ s3: { bucket: "acme-tfstate", key: "image-cdn/image-cdn.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true } });
    expect(json.terraform.required_version).toBe(">= 1.11");
    expect(JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings({})))).terraform.required_version).toBeUndefined();
  });

  it("outputs the bucket policy statements to add when an existing bucket's policy is left to its owner", () => {
    const statements = (env: Record<string, string>) => {
      const json = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings({ IMAGE_CDN_EXISTING_BUCKET: "legacy-photos", ...env }, { manage_bucket_policy: "false" }))));
      return JSON.parse(json.output.bucket_policy_statements.value.replace(/\$\{[^}]+\}/g, "X")).map((s: { Sid: string }) => s.Sid);
    };
    expect(statements({})).toEqual(["CloudFrontReadsOriginalsForThisDistribution"]);
    expect(statements({ IMAGE_CDN_ORIGIN: "object-lambda" })).toEqual(["DelegateReadsToSupportingAccessPoint", "DelegateListingToSupportingAccessPoint", "CloudFrontReadsOriginalsForThisDistribution"]);
  });
});

describe("synthesis of main.ts", () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ["a value the construct refuses", { IMAGE_CDN_MEMORY_SIZE: "64" }, /^image-cdn: IMAGE_CDN_MEMORY_SIZE="64" is not allowed: an integer from 128 to 10240 MB \(ImageCdn resizer\.memorySize\)$/],
    ["an unknown variable", { IMAGE_CDN_MEMORY: "64" }, /^image-cdn: IMAGE_CDN_MEMORY is not a setting of the app; did you mean IMAGE_CDN_MEMORY_SIZE\? \(see help\)$/],
    ["an inconsistent pair", { IMAGE_CDN_HOSTED_ZONE_ID: "Z123" }, /^image-cdn: IMAGE_CDN_HOSTED_ZONE_ID is set but means nothing without IMAGE_CDN_DOMAIN_NAMES$/],
    ["a bad region", { IMAGE_CDN_REGION: "mars-1" }, /^image-cdn: IMAGE_CDN_REGION="mars-1" is not allowed/],
    ["a misspelt region", { IMAGE_CDN_REGION: "us-eats-1" }, /^image-cdn: IMAGE_CDN_REGION="us-eats-1" is not allowed: an AWS region; did you mean us-east-1\?$/],
    // As cdktf's CLI passes cdktf.json's "context", with its own key added.
    ["an unknown cdktf.json context key", { CDKTF_CONTEXT_JSON: JSON.stringify({ memroy_size: 1024, excludeStackIdFromLogicalIds: "true", cdktfRelativeModules: [] }) }, /^image-cdn: cdktf\.json context "memroy_size" is not a setting of the app; did you mean "memory_size"\? \(see help\)$/],
  ])("prints one line and exits 1 for %s, with no stack trace", (_what, env, line) => {
    const run = spawnSync(process.execPath, [`${ROOT}/node_modules/ts-node/dist/bin.js`, "--transpile-only", `${ROOT}/main.ts`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: tmpdir(), ...env },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(line)]);
    expect(run.stdout).toBe("");
  });

  it("runs offline with no AWS credentials and is byte-identical across runs, assets included", () => {
    const synthesized = () => Object.fromEntries([...synthApp("main.ts")].map(([f, bytes]) => [f, bytes.toString("base64")]));
    const [first, second] = [synthesized(), synthesized()];
    const stackFile = "stacks/image-cdn/cdk.tf.json";
    expect(Object.keys(first)).toContain(stackFile);
    expect(Object.keys(first).some((f) => /^stacks\/image-cdn\/assets\/.+\/resizer-arm64\.zip$/.test(f))).toBe(true);
    expect(second).toEqual(first);
  }, 120_000);

  // cdktf's implicit local backend writes `<cwd>/terraform.<stack>.tfstate`: the same commit would then
  // synthesize differently on each machine, and a committed folder planned in CI would start from empty state.
  it("holds no absolute path, and is byte-identical from another checkout and another working directory, zip included", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "image-cdn-checkout-"));
    try {
      const copy = join(elsewhere, "kit");
      for (const entry of ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "modules", "lambda-src"]) {
        cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
      const here = synthApp("main.ts");
      const there = synthApp("main.ts", {}, { root: copy, cwd: elsewhere });
      const stackJson = here.get("stacks/image-cdn/cdk.tf.json")!.toString("utf8");
      for (const path of [ROOT, tmpdir(), process.env.HOME ?? "/root"]) expect(stackJson).not.toContain(path);
      expect(stackJson).not.toMatch(/"\/(work|home|tmp|root|Users)\//);
      const base64 = (files: Map<string, Buffer>) => Object.fromEntries([...files].map(([f, bytes]) => [f, bytes.toString("base64")]));
      expect(Object.keys(base64(there)).sort()).toEqual(Object.keys(base64(here)).sort());
      expect(base64(there)).toEqual(base64(here));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 240_000);
});
