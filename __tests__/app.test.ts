import { Testing } from "cdktf";
import { resolveAppSettings, settingLookup, type SettingName } from "../modules/app-settings";
import { ImageCdnStack } from "../modules/image-cdn-stack";
import { synthApp } from "./support/run-app";

function settings(env: Partial<Record<SettingName, string>>, context: Record<string, unknown> = {}) {
  return resolveAppSettings(settingLookup(env, (key) => context[key]));
}

describe("app settings", () => {
  it("has defaults that synthesize without any setting", () => {
    const s = settings({});
    expect(s).toMatchObject({ stackName: "image-cdn", region: "us-east-1", imageCdn: { bucket: { namePrefix: "images-" } } });
    expect(s.terraformCloud).toBeUndefined();
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

  it("refuses half a Terraform Cloud setting and malformed numbers", () => {
    expect(() => settings({ IMAGE_CDN_TFC_ORGANIZATION: "acme" })).toThrow(/IMAGE_CDN_TFC_ORGANIZATION and IMAGE_CDN_TFC_WORKSPACE go together/);
    expect(() => settings({ IMAGE_CDN_ALLOWED_WIDTHS: "150,big" })).toThrow(/IMAGE_CDN_ALLOWED_WIDTHS must be a comma-separated list of integers, got "150,big"/);
    expect(() => settings({ IMAGE_CDN_MEMORY_SIZE: "1GB" })).toThrow(/IMAGE_CDN_MEMORY_SIZE must be an integer/);
  });
});

describe("the app's stack", () => {
  it("emits every public attribute as an output", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({}));
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.output).sort()).toEqual([
      "bucket_arn", "bucket_name", "distribution_arn", "distribution_domain_name", "distribution_id",
      "function_name", "object_lambda_access_point_alias", "object_lambda_access_point_arn",
    ]);
    expect(json.output.distribution_domain_name.value).toMatch(/^\$\{aws_cloudfront_distribution\..+\.domain_name\}$/);
    expect(json.provider.aws).toEqual([expect.objectContaining({ region: "us-east-1" })]);
  });

  it("switches to the function-url origin and outputs the function URL instead of the access point", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({ IMAGE_CDN_ORIGIN: "function-url" }));
    const json = JSON.parse(Testing.synth(stack));
    expect(json.output.function_url.value).toMatch(/^\$\{aws_lambda_function_url\..+\.function_url\}$/);
    expect(json.output.object_lambda_access_point_arn).toBeUndefined();
  });

  it("adds an aliased us-east-1 provider for the certificate, and a cloud backend when asked", () => {
    const stack = new ImageCdnStack(Testing.app(), settings({
      IMAGE_CDN_REGION: "eu-west-1", IMAGE_CDN_DOMAIN_NAMES: "img.example.com", IMAGE_CDN_HOSTED_ZONE_ID: "Z1",
      IMAGE_CDN_TFC_ORGANIZATION: "acme", IMAGE_CDN_TFC_WORKSPACE: "image-cdn-prod",
    }));
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider.aws).toEqual([
      expect.objectContaining({ region: "eu-west-1" }),
      expect.objectContaining({ alias: "us_east_1", region: "us-east-1" }),
    ]);
    expect(Object.values(json.resource.aws_acm_certificate)[0]).toMatchObject({ provider: "aws.us_east_1" });
    expect(json.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "image-cdn-prod" } });
  });
});

describe("synthesis of main.ts", () => {
  it("runs offline with no AWS credentials and is byte-identical across runs, assets included", () => {
    const outputs = [0, 1].map(() => Object.fromEntries([...synthApp("main.ts")].map(([f, bytes]) => [f, bytes.toString("base64")])));
    const stackFile = "stacks/image-cdn/cdk.tf.json";
    expect(Object.keys(outputs[0])).toContain(stackFile);
    expect(Object.keys(outputs[0]).some((f) => /^stacks\/image-cdn\/assets\/.+\/resizer-arm64\.zip$/.test(f))).toBe(true);
    expect(outputs[1]).toEqual(outputs[0]);
  }, 120_000);
});
