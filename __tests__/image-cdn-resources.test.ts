import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { buildResizerBundle } from "../modules/bundle";
import { all, named, only, ref, synthImageCdn } from "./support/synth";

describe("ImageCdn resources", () => {
  const json = synthImageCdn();

  it("hardens the originals bucket", () => {
    expect(only(json, "aws_s3_bucket")).toMatchObject({ bucket_prefix: "images-", force_destroy: false });
    expect(only(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      bucket: ref(json, "aws_s3_bucket", "id"),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, "aws_s3_bucket_ownership_controls")).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(only(json, "aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true }],
    });
    expect(json.resource.aws_s3_bucket_versioning).toBeUndefined();
    expect(json.resource.aws_s3_bucket_cors_configuration).toBeUndefined();
    expect(only(json, "aws_s3_access_point").public_access_block_configuration).toEqual({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
  });

  it("adds versioning and upload CORS only when asked", () => {
    const withBoth = synthImageCdn({ bucket: { name: "my-originals", versioning: true, uploadCors: { allowedOrigins: ["https://admin.example.com"] } } });
    expect(only(withBoth, "aws_s3_bucket").bucket).toBe("my-originals");
    expect(only(withBoth, "aws_s3_bucket_versioning")).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(only(withBoth, "aws_s3_bucket_cors_configuration")).toMatchObject({
      cors_rule: [{ allowed_origins: ["https://admin.example.com"], allowed_methods: ["PUT", "POST"] }],
    });
  });

  it("serves an existing bucket without touching it unless managePolicy is set", () => {
    const existing = synthImageCdn({ bucket: { existingBucketName: "legacy-photos" } });
    expect(json.data).toBeUndefined();
    expect(Object.values(existing.data!.aws_s3_bucket)[0]).toMatchObject({ bucket: "legacy-photos" });
    for (const type of ["aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block"]) expect(existing.resource[type]).toBeUndefined();
    expect(only(existing, "aws_s3_access_point").bucket).toMatch(/^\$\{data\.aws_s3_bucket\./);
    const managed = synthImageCdn({ bucket: { existingBucketName: "legacy-photos", managePolicy: true } });
    expect(all(managed, "aws_s3_bucket_policy")).toHaveLength(1);
  });

  it("wires the Object Lambda access point to the supporting access point and the resizer", () => {
    expect(only(json, "aws_s3control_object_lambda_access_point").configuration).toEqual({
      cloud_watch_metrics_enabled: true,
      supporting_access_point: ref(json, "aws_s3_access_point", "arn"),
      transformation_configuration: [{
        actions: ["GetObject"],
        content_transformation: { aws_lambda: { function_arn: ref(json, "aws_lambda_function", "arn") } },
      }],
    });
  });

  it("deploys the resizer bundle with a stable source_code_hash", () => {
    const fn = only(json, "aws_lambda_function");
    const bundle = buildResizerBundle({ architecture: "arm64" });
    expect(fn).toMatchObject({
      runtime: "nodejs22.x",
      handler: "index.handler",
      architectures: ["arm64"],
      memory_size: 512,
      timeout: 10,
      role: ref(json, "aws_iam_role", "arn"),
      source_code_hash: createHash("sha256").update(readFileSync(bundle.zipPath)).digest("base64"),
      logging_config: { log_format: "JSON", log_group: ref(json, "aws_cloudwatch_log_group", "name") },
    });
    expect(fn.filename).toMatch(/^assets\/.+\/resizer-arm64\.zip$/);
    expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({
      RESIZER_ALLOWED_HEIGHTS: "", RESIZER_ALLOWED_WIDTHS: "", RESIZER_DEFAULT_QUALITY: "80", RESIZER_MAX_HEIGHT: "4096",
      RESIZER_MAX_INPUT_BYTES: "52428800", RESIZER_MAX_INPUT_PIXELS: "100000000", RESIZER_MAX_WIDTH: "4096",
    });
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({ name: `/aws/lambda/${fn.function_name}`, retention_in_days: 30 });
  });

  it("passes resizer props into the function and its environment", () => {
    const custom = synthImageCdn({ resizer: { architecture: "x86_64", memorySize: 1536, timeout: 20, allowedWidths: [500, 150], defaultQuality: 70, logRetentionDays: 7 } });
    const fn = only(custom, "aws_lambda_function");
    expect(fn).toMatchObject({ architectures: ["x86_64"], memory_size: 1536, timeout: 20 });
    expect(fn.filename).toMatch(/resizer-x86_64\.zip$/);
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({ RESIZER_ALLOWED_WIDTHS: "150,500", RESIZER_DEFAULT_QUALITY: "70" });
    expect(only(custom, "aws_cloudwatch_log_group").retention_in_days).toBe(7);
    expect(named(custom, "aws_cloudfront_function", "-normalize").resource.code).toContain('"allowedWidths":[150,500]');
  });

  it("OAC: S3 type, always signs, SigV4", () => {
    expect(only(json, "aws_cloudfront_origin_access_control")).toMatchObject({
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
  });

  it("cache policy: keyed on the resize parameters and the normalized Accept token only", () => {
    expect(only(json, "aws_cloudfront_cache_policy")).toMatchObject({
      min_ttl: 0,
      default_ttl: 86400,
      max_ttl: 31536000,
      parameters_in_cache_key_and_forwarded_to_origin: {
        cookies_config: { cookie_behavior: "none" },
        headers_config: { header_behavior: "whitelist", headers: { items: ["x-resize-accept"] } },
        query_strings_config: { query_string_behavior: "whitelist", query_strings: { items: ["fit", "format", "h", "q", "w"] } },
        enable_accept_encoding_gzip: false,
        enable_accept_encoding_brotli: false,
      },
    });
  });

  it("distribution: OLAP alias origin through the OAC, edge normalizer, short error caching, default certificate", () => {
    const olap = "aws_s3control_object_lambda_access_point";
    const distribution = only(json, "aws_cloudfront_distribution");
    const normalize = named(json, "aws_cloudfront_function", "-normalize");
    const restoreHeaders = named(json, "aws_cloudfront_function", "-restore-headers");
    expect(distribution.origin).toEqual([{
      origin_id: "resizer",
      domain_name: `${ref(json, olap, "alias")}.s3.${ref(json, olap, "region")}.amazonaws.com`,
      origin_access_control_id: ref(json, "aws_cloudfront_origin_access_control", "id"),
    }]);
    expect(distribution.default_cache_behavior).toMatchObject({
      target_origin_id: "resizer",
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["GET", "HEAD"],
      cache_policy_id: ref(json, "aws_cloudfront_cache_policy", "id"),
      response_headers_policy_id: ref(json, "aws_cloudfront_response_headers_policy", "id"),
      function_association: [
        { event_type: "viewer-request", function_arn: normalize.ref("arn") },
        { event_type: "viewer-response", function_arn: restoreHeaders.ref("arn") },
      ],
    });
    expect(normalize.resource).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
    expect(restoreHeaders.resource).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
    const errors = distribution.custom_error_response as { error_code: number; error_caching_min_ttl: number }[];
    expect(errors.map((e) => e.error_code)).toEqual([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
    expect(errors.every((e) => e.error_caching_min_ttl === 10)).toBe(true);
    expect(distribution.viewer_certificate).toEqual({ cloudfront_default_certificate: true });
    expect(distribution.aliases).toBeUndefined();
    expect(distribution.price_class).toBe("PriceClass_100");
    expect(distribution.restrictions).toEqual({ geo_restriction: { restriction_type: "none", locations: [] } });
    expect(json.resource.aws_acm_certificate).toBeUndefined();
    expect(json.resource.aws_route53_record).toBeUndefined();
  });

  it("response headers: CORS for the configured origins only, nosniff and a sandboxing CSP always", () => {
    const plain = only(json, "aws_cloudfront_response_headers_policy");
    expect(plain.cors_config).toBeUndefined();
    expect(plain.security_headers_config).toMatchObject({ content_type_options: { override: true } });
    const cors = only(synthImageCdn({ cors: { allowedOrigins: ["https://app.example.com"] } }), "aws_cloudfront_response_headers_policy");
    expect(cors.cors_config).toMatchObject({
      access_control_allow_origins: { items: ["https://app.example.com"] },
      access_control_allow_methods: { items: ["GET", "HEAD"] },
      access_control_allow_credentials: false,
      access_control_max_age_sec: 600,
      origin_override: true,
    });
  });

  it("price class, geo restriction and logging pass through", () => {
    const d = only(synthImageCdn({
      priceClass: "PriceClass_All",
      geoRestriction: { type: "whitelist", locations: ["KR", "JP"] },
      logging: { bucketDomainName: "logs.s3.amazonaws.com", prefix: "cdn/" },
    }), "aws_cloudfront_distribution");
    expect(d.price_class).toBe("PriceClass_All");
    expect(d.restrictions).toEqual({ geo_restriction: { restriction_type: "whitelist", locations: ["JP", "KR"] } });
    expect(d.logging_config).toEqual({ bucket: "logs.s3.amazonaws.com", prefix: "cdn/", include_cookies: false });
  });

  describe("custom domain", () => {
    const names = ["img.example.com", "images.example.com"];

    it("requests a DNS-validated certificate in us-east-1 and points A and AAAA aliases at the distribution", () => {
      const d = synthImageCdn({ domain: { names, hostedZoneId: "Z123EXAMPLE" } });
      expect(only(d, "aws_acm_certificate")).toMatchObject({
        region: "us-east-1",
        domain_name: "img.example.com",
        subject_alternative_names: ["images.example.com"],
        validation_method: "DNS",
        lifecycle: { create_before_destroy: true },
      });
      const validation = only(d, "aws_acm_certificate_validation");
      expect(validation).toMatchObject({ region: "us-east-1", certificate_arn: ref(d, "aws_acm_certificate", "arn") });
      const records = Object.entries(d.resource.aws_route53_record);
      const [validationName, validationRecord] = records.find(([, r]) => r.for_each !== undefined)!;
      expect(validationRecord).toMatchObject({ zone_id: "Z123EXAMPLE", ttl: 60, allow_overwrite: true, records: ["${each.value.resource_record_value}"] });
      expect(validationRecord.for_each).toContain("aws_acm_certificate.");
      expect(validation.validation_record_fqdns).toBe(`\${[for record in aws_route53_record.${validationName} : record.fqdn]}`);
      const aliases = records.filter(([, r]) => r.alias !== undefined).map(([, r]) => r);
      expect(aliases.map((r) => `${r.name} ${r.type}`).sort()).toEqual([
        "images.example.com A", "images.example.com AAAA", "img.example.com A", "img.example.com AAAA",
      ]);
      for (const alias of aliases) {
        expect(alias).toMatchObject({
          zone_id: "Z123EXAMPLE",
          alias: {
            name: ref(d, "aws_cloudfront_distribution", "domain_name"),
            zone_id: ref(d, "aws_cloudfront_distribution", "hosted_zone_id"),
            evaluate_target_health: false,
          },
        });
      }
      const distribution = only(d, "aws_cloudfront_distribution");
      expect(distribution.aliases).toEqual(names);
      expect(distribution.viewer_certificate).toEqual({
        acm_certificate_arn: ref(d, "aws_acm_certificate_validation", "certificate_arn"),
        ssl_support_method: "sni-only",
        minimum_protocol_version: "TLSv1.2_2021",
      });
    });

    it("uses an aliased us-east-1 provider for the certificate when one is given", () => {
      const d = synthImageCdn({}, (stack) => ({
        domain: { names, hostedZoneId: "Z123EXAMPLE", certificateProvider: new AwsProvider(stack, "use1", { alias: "use1", region: "us-east-1" }) },
      }));
      const certificate = only(d, "aws_acm_certificate");
      expect(certificate.provider).toBe("aws.use1");
      expect(certificate.region).toBeUndefined();
      expect(only(d, "aws_acm_certificate_validation").provider).toBe("aws.use1");
    });

    it("serves an existing certificate without requesting one", () => {
      const arn = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
      const d = synthImageCdn({ domain: { names: ["img.example.com"], hostedZoneId: "Z123EXAMPLE", certificateArn: arn } });
      expect(d.resource.aws_acm_certificate).toBeUndefined();
      expect((only(d, "aws_cloudfront_distribution").viewer_certificate as Record<string, string>).acm_certificate_arn).toBe(arn);
      expect(all(d, "aws_route53_record")).toHaveLength(2);
      const noDns = synthImageCdn({ domain: { names: ["img.example.com"], certificateArn: arn } });
      expect(noDns.resource.aws_route53_record).toBeUndefined();
    });
  });

  it("tags every taggable resource when tags are given, and writes no empty tag maps otherwise", () => {
    const tagged = synthImageCdn({ tags: { team: "media" } });
    for (const type of ["aws_s3_bucket", "aws_lambda_function", "aws_iam_role", "aws_cloudwatch_log_group", "aws_cloudfront_distribution"]) {
      expect(only(tagged, type).tags).toEqual({ team: "media" });
      expect(only(json, type).tags).toBeUndefined();
    }
  });

  it("names resources from the construct path, stable across synths; resourcePrefix overrides it", () => {
    expect(only(json, "aws_lambda_function").function_name).toBe(only(synthImageCdn(), "aws_lambda_function").function_name);
    expect(only(json, "aws_lambda_function").function_name).toMatch(/^images-[0-9a-f]{8}-resizer$/);
    expect(only(synthImageCdn({ resourcePrefix: "shop-img" }), "aws_s3_access_point").name).toBe("shop-img-ap");
  });
});
