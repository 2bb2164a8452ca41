import { stackJson, synthApp } from "./support/run-app";

/** Runs an example the way `cdktf synth` runs an app, and returns its stack JSON. */
function synthExample(name: string, stack: string) {
  return stackJson(synthApp(`examples/${name}/main.ts`), stack);
}

describe("examples/ synthesize as users will copy them", () => {
  it("minimal", () => {
    const json = synthExample("minimal", "minimal-images");
    expect(Object.keys(json.resource.aws_cloudfront_distribution)).toHaveLength(1);
    expect(json.resource.aws_acm_certificate).toBeUndefined();
    expect(json.output.url.value).toMatch(/^https:\/\/\$\{aws_cloudfront_distribution\..+\.domain_name\}$/);
  }, 60_000);

  it("custom-domain", () => {
    const json = synthExample("custom-domain", "product-images");
    const certificate = Object.values(json.resource.aws_acm_certificate)[0] as Record<string, unknown>;
    expect(certificate).toMatchObject({ provider: "aws.us_east_1", domain_name: "img.example.com" });
    const distribution = Object.values(json.resource.aws_cloudfront_distribution)[0] as Record<string, unknown>;
    expect(distribution).toMatchObject({ aliases: ["img.example.com"], price_class: "PriceClass_200", tags: { service: "product-images", team: "media" } });
    const fn = Object.values(json.resource.aws_cloudfront_function).find((f) => String((f as { name: string }).name).endsWith("-normalize")) as { code: string };
    expect(fn.code).toContain('"allowedWidths":[150,500,1080]');
  }, 60_000);

  it("object-lambda", () => {
    const json = synthExample("object-lambda", "object-lambda-images");
    expect(json.resource.aws_lambda_function_url).toBeUndefined();
    expect(Object.keys(json.resource.aws_s3control_object_lambda_access_point)).toHaveLength(1);
    expect(Object.values(json.resource.aws_cloudfront_origin_access_control)[0]).toMatchObject({ origin_access_control_origin_type: "s3" });
  }, 60_000);

  it("minimal uses the function-url origin, the default", () => {
    const json = synthExample("minimal", "minimal-images");
    expect(json.resource.aws_s3control_object_lambda_access_point).toBeUndefined();
    expect(Object.values(json.resource.aws_lambda_function_url)[0]).toMatchObject({ authorization_type: "AWS_IAM", invoke_mode: "RESPONSE_STREAM" });
  }, 60_000);
});
