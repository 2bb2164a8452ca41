import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../modules";
import { buildResizerBundle } from "../modules/bundle/build";
import { all, named, only, ref, synthImageCdn, type Synthesized } from "./support/synth";

/**
 * Terraform needs for_each and count known at plan time: an attribute of a resource that does not exist
 * yet (domain_validation_options of a certificate to be created) is "Invalid for_each argument" with two
 * or more names (hashicorp/terraform#31074). The rule: for_each and count are literals, never references
 * to a resource or data source of the stack.
 */
function expectPlanKnownIterations(json: Synthesized): number {
  let checked = 0;
  for (const [type, byName] of Object.entries({ ...json.resource, ...(json.data ?? {}) })) {
    for (const [name, body] of Object.entries(byName)) {
      for (const key of ["for_each", "count"]) {
        if (body[key] === undefined) continue;
        checked += 1;
        expect({ address: `${type}.${name}`, [key]: body[key] }).toEqual({
          address: `${type}.${name}`,
          [key]: expect.not.stringMatching(/\b(aws_[a-z0-9_]+\.|data\.)/),
        });
      }
    }
  }
  return checked;
}

describe("ImageCdn resources", () => {
  /** The default stack: the function-url origin. */
  const json = synthImageCdn();
  const objectLambda = synthImageCdn({ origin: "object-lambda" });

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
    expect(only(objectLambda, "aws_s3_access_point").public_access_block_configuration).toEqual({
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
    const existing = synthImageCdn({ bucket: { existingBucketName: "legacy-photos", managePolicy: false } });
    expect(json.data).toBeUndefined();
    expect(Object.values(existing.data!.aws_s3_bucket ?? {})[0]).toMatchObject({ bucket: "legacy-photos" });
    for (const type of ["aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block"]) expect(existing.resource[type]).toBeUndefined();
    // Variants only: nothing of the bucket policy is needed, so managePolicy may stay unset.
    const variantsOnly = synthImageCdn({ originals: "deny", bucket: { existingBucketName: "legacy-photos" } });
    expect(variantsOnly.resource.aws_s3_bucket_policy).toBeUndefined();
    const managed = synthImageCdn({ origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: true } });
    expect(all(managed, "aws_s3_bucket_policy")).toHaveLength(1);
    expect(only(managed, "aws_s3_access_point").bucket).toMatch(/^\$\{data\.aws_s3_bucket\./);
  });

  // SSE-KMS originals: GetObject needs kms:Decrypt on the key (S3 user guide, SSE-KMS permissions). The resizer gets it
  // through S3 only; CloudFront reads originals itself, so the key policy must allow it for this distribution
  // (CloudFront developer guide, "Restrict access to an Amazon S3 origin", SSE-KMS). The kit writes no key policy.
  describe("an SSE-KMS bucket (bucket.kmsKeyArn)", () => {
    const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    it("encrypts a bucket made here with the key and bucket keys, lets the resizer decrypt through S3, and outputs the key policy statements", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const cdn = new ImageCdn(stack, "images", { bucket: { namePrefix: "images-", kmsKeyArn: KEY } });
      const json = JSON.parse(Testing.synth(stack)) as Synthesized;
      expect(only(json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true }]);
      const statements = JSON.parse(only(json, "aws_iam_role_policy").policy as string).Statement as Array<Record<string, unknown>>;
      expect(statements.find((s) => s.Sid === "DecryptOriginalsThroughS3")).toEqual({
        Sid: "DecryptOriginalsThroughS3", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY,
        Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
      });
      const keyPolicy = JSON.parse(cdn.kmsKeyPolicyStatements!) as Array<Record<string, unknown>>;
      expect(keyPolicy.map((s) => s.Sid)).toEqual(["CloudFrontDecryptsOriginalsForThisDistribution", "ResizerDecryptsOriginalsThroughS3"]);
      expect(keyPolicy[0]).toMatchObject({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:SourceArn": expect.stringMatching(/^\$\{TfToken\[/) } } });
      expect(keyPolicy[1]).toMatchObject({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } });
    });

    it("leaves an existing bucket's encryption alone; with originals denied CloudFront needs no key statement", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const cdn = new ImageCdn(stack, "images", { originals: "deny", bucket: { existingBucketName: "legacy-photos", kmsKeyArn: KEY } });
      const json = JSON.parse(Testing.synth(stack)) as Synthesized;
      expect(json.resource.aws_s3_bucket_server_side_encryption_configuration).toBeUndefined();
      expect((JSON.parse(cdn.kmsKeyPolicyStatements!) as Array<{ Sid: string }>).map((s) => s.Sid)).toEqual(["ResizerDecryptsOriginalsThroughS3"]);
      expect(synthImageCdn().resource.aws_iam_role_policy).toBeDefined();
      expect(JSON.stringify(synthImageCdn().resource.aws_iam_role_policy)).not.toContain("kms:");
    });
  });

  // S3 answers a request for a bucket of another region with a redirect or an error: every request would fail.
  // A postcondition stops the plan (a check block would only warn); bucket_region is hashicorp/aws 6's attribute.
  it("stops the plan when an existing bucket is not in the stack's region, naming both", () => {
    const lookup = (json: Synthesized) => Object.values(json.data!.aws_s3_bucket!)[0]! as { lifecycle: { postcondition: Array<{ condition: string; error_message: string }> } };
    const [literal] = lookup(synthImageCdn({ originals: "deny", bucket: { existingBucketName: "legacy-photos" } })).lifecycle.postcondition;
    expect(literal!.condition).toBe('${self.bucket_region == "eu-west-1"}');
    expect(literal!.error_message).toMatch(/^The existing bucket \$\{self\.bucket\} is in \$\{self\.bucket_region\} and this stack in eu-west-1: /);
    // A region known only at plan: the provider's, from data.aws_region (the one the names are hashed from).
    const unknownRegion = synthImageCdn({}, (stack) => {
      (stack.node.findAll().find((c) => (c as { terraformResourceType?: string }).terraformResourceType === "aws") as AwsProvider).region =
        new TerraformVariable(stack, "region", { type: "string" }).stringValue;
      return { originals: "deny", bucket: { existingBucketName: "legacy-photos" } };
    });
    const [fromData] = lookup(unknownRegion).lifecycle.postcondition;
    const regionData = Object.keys(unknownRegion.data!.aws_region!);
    expect(regionData).toHaveLength(1);
    expect(fromData!.condition).toBe(`\${self.bucket_region == data.aws_region.${regionData[0]}.region}`);
    expect(fromData!.error_message).toContain(`and this stack in \${data.aws_region.${regionData[0]}.region}: `);
  });

  // Originals are read by CloudFront itself (the bucket origin's OAC), which only a bucket policy can allow.
  describe("existing bucket with the function-url origin, originals served", () => {
    it("fails synthesis without a managePolicy choice, printing CloudFront's statement and the way out", () => {
      let message = "";
      try {
        synthImageCdn({ bucket: { existingBucketName: "legacy-photos" } });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^ImageCdn: invalid bucket\.managePolicy: got undefined; allowed: true .*, or originals: "deny" to serve variants only: \[/);
      expect(message).not.toContain("\n");
      expect(JSON.parse(message.slice(message.indexOf("[{")))).toEqual([{
        Sid: "CloudFrontReadsOriginalsForThisDistribution",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::legacy-photos/*",
        Condition: { StringEquals: { "aws:SourceArn": "arn:aws:cloudfront::<ACCOUNT_ID>:distribution/<DISTRIBUTION_ID>" } },
      }]);
    });

    it("with managePolicy: true writes it beside the resizer's read; with false exposes it with this distribution's ARN", () => {
      const managed = synthImageCdn({ bucket: { existingBucketName: "legacy-photos", managePolicy: true } });
      const policy = JSON.parse(only(managed, "aws_s3_bucket_policy").policy as string);
      expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["DenyInsecureTransport", "ResizerReadsOriginals", "CloudFrontReadsOriginalsForThisDistribution"]);
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const cdn = new ImageCdn(stack, "images", { bucket: { existingBucketName: "legacy-photos", managePolicy: false } });
      const statements = JSON.parse(cdn.bucketPolicyStatements!);
      expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["CloudFrontReadsOriginalsForThisDistribution"]);
      expect(statements[0].Condition.StringEquals["aws:SourceArn"]).toMatch(/^\$\{TfToken\[/);
    });
  });

  // S3 user guide ("Configuring IAM policies for using access points"): both the access point policy and
  // the bucket policy must permit a request made through an access point. An existing bucket that does not
  // delegate would answer every request with 403, so the kit makes the user choose.
  describe("existing bucket with the object-lambda origin", () => {
    it("fails synthesis without a managePolicy choice, printing the exact statements to add", () => {
      let message = "";
      try {
        synthImageCdn({ origin: "object-lambda", bucket: { existingBucketName: "legacy-photos" } });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^ImageCdn: invalid bucket\.managePolicy: got undefined; allowed: true .* or false once the bucket's own policy has these statements/);
      expect(message).not.toContain("\n");
      const statements = JSON.parse(message.slice(message.indexOf("[{")));
      expect(statements).toEqual([
        expect.objectContaining({ Action: "s3:GetObject", Resource: "arn:aws:s3:::legacy-photos/*", Principal: { AWS: "*" } }),
        expect.objectContaining({ Action: "s3:ListBucket", Resource: "arn:aws:s3:::legacy-photos" }),
        expect.objectContaining({ Action: "s3:GetObject", Resource: "arn:aws:s3:::legacy-photos/*", Principal: { Service: "cloudfront.amazonaws.com" } }),
      ]);
      // The provider's region is known at synth (eu-west-1 in these tests); the account id is not.
      expect(statements[0].Condition.StringEquals).toEqual({
        "s3:DataAccessPointAccount": "<ACCOUNT_ID>",
        "s3:DataAccessPointArn": expect.stringMatching(/^arn:aws:s3:eu-west-1:<ACCOUNT_ID>:accesspoint\/images-[0-9a-f]{8}-ap$/),
      });
    });

    it("with managePolicy: true writes the delegation and CloudFront's read of originals into the bucket's policy", () => {
      const managed = synthImageCdn({ origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: true } });
      const sids = JSON.parse(only(managed, "aws_s3_bucket_policy").policy as string).Statement.map((s: { Sid: string }) => s.Sid);
      expect(sids).toEqual(["DenyInsecureTransport", "DelegateReadsToSupportingAccessPoint", "DelegateListingToSupportingAccessPoint", "CloudFrontReadsOriginalsForThisDistribution"]);
    });

    it("with managePolicy: false leaves the policy alone and exposes the statements with this deployment's ARNs", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "test");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const cdn = new ImageCdn(stack, "images", { origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: false } });
      const synthesized = JSON.parse(Testing.synth(stack));
      expect(synthesized.resource.aws_s3_bucket_policy).toBeUndefined();
      const statements = JSON.parse(cdn.bucketPolicyStatements!);
      expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["DelegateReadsToSupportingAccessPoint", "DelegateListingToSupportingAccessPoint", "CloudFrontReadsOriginalsForThisDistribution"]);
      expect(statements[0].Condition.StringEquals["s3:DataAccessPointArn"]).toMatch(/^\$\{TfToken\[/);
    });
  });

  it("wires the Object Lambda access point to the supporting access point and the resizer", () => {
    expect(only(objectLambda, "aws_s3control_object_lambda_access_point").configuration).toEqual({
      cloud_watch_metrics_enabled: true,
      supporting_access_point: ref(objectLambda, "aws_s3_access_point", "arn"),
      transformation_configuration: [{
        actions: ["GetObject", "HeadObject"],
        content_transformation: { aws_lambda: { function_arn: ref(objectLambda, "aws_lambda_function", "arn") } },
      }],
    });
  });

  it("deploys the resizer bundle with a stable source_code_hash", () => {
    const fn = only(json, "aws_lambda_function");
    const bundle = buildResizerBundle({ architecture: "arm64" });
    expect(fn).toMatchObject({
      runtime: "nodejs24.x",
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
      RESIZER_ALLOWED_HEIGHTS: "", RESIZER_ALLOWED_WIDTHS: "", RESIZER_DEFAULT_QUALITY: "80", RESIZER_ERROR_TTL: "10", RESIZER_MAX_HEIGHT: "4096",
      RESIZER_MAX_INPUT_BYTES: "52428800", RESIZER_MAX_INPUT_PIXELS: "100000000", RESIZER_MAX_WIDTH: "4096",
      RESIZER_ORIGIN_BUCKET: ref(json, "aws_s3_bucket", "bucket"),
    });
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({ name: `/aws/lambda/${fn.function_name as string}`, retention_in_days: 30 });
  });

  it("deploys a prebuilt zip given as resizer.bundle, and refuses one that cannot be it", () => {
    const dir = mkdtempSync(join(tmpdir(), "image-cdn-zip-"));
    try {
      const arm = buildResizerBundle({ architecture: "arm64" });
      const given = join(dir, "resizer.zip");
      copyFileSync(arm.zipPath, given);
      const fn = only(synthImageCdn({ resizer: { bundle: given } }), "aws_lambda_function");
      expect(fn.source_code_hash).toBe(arm.sourceCodeHash);
      // The zip's sharp binaries are arm64: an x86_64 function would fail at its first request.
      expect(() => synthImageCdn({ resizer: { bundle: given, architecture: "x86_64" } }))
        .toThrow(/invalid resizer\.bundle: got ".*resizer\.zip"; allowed: a zip with sharp's binaries for x86_64 \(@img\/sharp-linux-x64\)/);
      const notZip = join(dir, "notes.zip");
      writeFileSync(notZip, "hello");
      expect(() => synthImageCdn({ resizer: { bundle: notZip } })).toThrow(/invalid resizer\.bundle: .*allowed: a zip file/);
      expect(() => synthImageCdn({ resizer: { bundle: join(dir, "missing.zip") } })).toThrow(/invalid resizer\.bundle: .*allowed: the path of a readable zip file/);
      expect(() => synthImageCdn({ resizer: { bundle: join(dir, "resizer.tar") } })).toThrow(/invalid resizer\.bundle: .*allowed: the path of a \.zip file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes resizer props into the function and its environment", () => {
    const custom = synthImageCdn({ resizer: { architecture: "x86_64", memorySize: 1536, timeout: 20, allowedWidths: [500, 150], defaultQuality: 70, logRetentionDays: 7 } });
    const fn = only(custom, "aws_lambda_function");
    expect(fn).toMatchObject({ architectures: ["x86_64"], memory_size: 1536, timeout: 20 });
    expect(fn.filename).toMatch(/resizer-x86_64\.zip$/);
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({ RESIZER_ALLOWED_WIDTHS: "150,500", RESIZER_DEFAULT_QUALITY: "70" });
    expect(only(custom, "aws_cloudwatch_log_group").retention_in_days).toBe(7);
    expect(named(custom, "aws_cloudfront_function", "-normalize").resource.code).toContain('"w":["i",4096,[150,500]]');
  });

  // One contract: the error TTL the distribution caches errors for is the max-age the resizer and the edge
  // function send with them (it used to be hard-coded to 10 s in the resizer).
  it("cache.errorTtl reaches the distribution, the edge function and the resizer alike", () => {
    const d = synthImageCdn({ cache: { errorTtl: 3 } });
    const errors = only(d, "aws_cloudfront_distribution").custom_error_response as { error_caching_min_ttl: number }[];
    expect(new Set(errors.map((e) => e.error_caching_min_ttl))).toEqual(new Set([3]));
    expect((only(d, "aws_lambda_function").environment as { variables: Record<string, string> }).variables.RESIZER_ERROR_TTL).toBe("3");
    expect(named(d, "aws_cloudfront_function", "-normalize").resource.code).toContain('"errorTtl":3');
  });

  it("OAC: the resizer's of type lambda and the originals' of type s3, both always signing with SigV4; one s3 OAC for both in object-lambda mode", () => {
    const byType = Object.fromEntries(all(json, "aws_cloudfront_origin_access_control").map((oac) => [oac.origin_access_control_origin_type, oac]));
    expect(Object.keys(byType).sort()).toEqual(["lambda", "s3"]);
    for (const oac of Object.values(byType)) expect(oac).toMatchObject({ signing_behavior: "always", signing_protocol: "sigv4" });
    expect(only(objectLambda, "aws_cloudfront_origin_access_control")).toMatchObject({ origin_access_control_origin_type: "s3", signing_behavior: "always", signing_protocol: "sigv4" });
    expect(only(synthImageCdn({ originals: "deny" }), "aws_cloudfront_origin_access_control").origin_access_control_origin_type).toBe("lambda");
  });

  // "Controlling the cache key": values in the cache key are forwarded to the origin, query strings with
  // behavior none are not. The edge function puts the normalized parameters in x-resize-params, so the
  // origin never parses a URL (whose key may hold '?', '#' or '%') for them.
  it("cache policy: keyed on the edge's normalized parameter and Accept headers only; no query string forwarded", () => {
    expect(only(json, "aws_cloudfront_cache_policy")).toMatchObject({
      min_ttl: 0,
      default_ttl: 86400,
      max_ttl: 31536000,
      parameters_in_cache_key_and_forwarded_to_origin: {
        cookies_config: { cookie_behavior: "none" },
        headers_config: { header_behavior: "whitelist", headers: { items: ["x-resize-accept", "x-resize-params"] } },
        query_strings_config: { query_string_behavior: "none" },
        enable_accept_encoding_gzip: false,
        enable_accept_encoding_brotli: false,
      },
    });
  });

  it("distribution: the resizer's function URL (one connection attempt) and the bucket itself for originals, each through its OAC", () => {
    const distribution = only(json, "aws_cloudfront_distribution");
    const oac = (type: string) => {
      const [name] = Object.entries(json.resource.aws_cloudfront_origin_access_control!).find(([, o]) => o.origin_access_control_origin_type === type)!;
      return `\${aws_cloudfront_origin_access_control.${name}.id}`;
    };
    expect(distribution.origin).toEqual([
      {
        origin_id: "resizer",
        domain_name: `\${element(split("/", ${ref(json, "aws_lambda_function_url", "function_url").slice(2, -1)}), 2)}`,
        origin_access_control_id: oac("lambda"),
        connection_attempts: 1,
        custom_origin_config: {
          http_port: 80, https_port: 443, origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"],
          origin_read_timeout: 10, origin_keepalive_timeout: 5,
        },
      },
      { origin_id: "originals", domain_name: ref(json, "aws_s3_bucket", "bucket_regional_domain_name"), origin_access_control_id: oac("s3") },
    ]);
    expect(distribution.default_cache_behavior).toMatchObject({ target_origin_id: "resizer" });
    // The function that picks the originals' origin names it by this id.
    expect(named(json, "aws_cloudfront_function", "-normalize").resource.code).toContain('"originals":"originals"');
    const denied = only(synthImageCdn({ originals: "deny" }), "aws_cloudfront_distribution");
    expect((denied.origin as Array<{ origin_id: string }>).map((o) => o.origin_id)).toEqual(["resizer"]);
  });

  it("distribution (object-lambda): OLAP alias origin, bucket origin, edge normalizer, short error caching, default certificate", () => {
    const json = objectLambda;
    const olap = "aws_s3control_object_lambda_access_point";
    const distribution = only(json, "aws_cloudfront_distribution");
    const normalize = named(json, "aws_cloudfront_function", "-normalize");
    const restoreHeaders = named(json, "aws_cloudfront_function", "-restore-headers");
    expect(distribution.origin).toEqual([{
      origin_id: "resizer",
      domain_name: `${ref(json, olap, "alias")}.s3.${ref(json, olap, "region")}.amazonaws.com`,
      origin_access_control_id: ref(json, "aws_cloudfront_origin_access_control", "id"),
      connection_attempts: 1,
    }, {
      origin_id: "originals",
      domain_name: ref(json, "aws_s3_bucket", "bucket_regional_domain_name"),
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
    expect((only(json, "aws_cloudfront_distribution").default_cache_behavior as Record<string, unknown>).allowed_methods).toEqual(["GET", "HEAD"]);
    const withCors = synthImageCdn({ cors: { allowedOrigins: ["https://app.example.com"] } });
    // OPTIONS must be an allowed method for a preflight to be processed at all (API_AllowedMethods); the
    // viewer-request function answers it, with the origins written into its code.
    expect(only(withCors, "aws_cloudfront_distribution").default_cache_behavior).toMatchObject({
      allowed_methods: ["GET", "HEAD", "OPTIONS"],
      cached_methods: ["GET", "HEAD"],
    });
    expect(named(withCors, "aws_cloudfront_function", "-normalize").resource.code).toContain('"cors":{"allowedOrigins":["https://app.example.com"],"maxAgeSeconds":600}');
    const cors = only(withCors, "aws_cloudfront_response_headers_policy");
    expect(cors.cors_config).toMatchObject({
      access_control_allow_origins: { items: ["https://app.example.com"] },
      access_control_allow_methods: { items: ["GET", "HEAD"] },
      access_control_allow_credentials: false,
      access_control_max_age_sec: 600,
      origin_override: true,
    });
  });

  it("exposes its main resources for overrides, without node.findChild", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const images = new ImageCdn(stack, "images", {});
    images.distribution.addOverride("comment", "shop images");
    images.resizerFunction.addOverride("ephemeral_storage", { size: 1024 });
    images.cachePolicy.addOverride("comment", "variants");
    const synthesized = JSON.parse(Testing.synth(stack)) as Synthesized;
    expect(only(synthesized, "aws_cloudfront_distribution").comment).toBe("shop images");
    expect(only(synthesized, "aws_lambda_function").ephemeral_storage).toEqual({ size: 1024 });
    expect(only(synthesized, "aws_cloudfront_cache_policy").comment).toBe("variants");
    expect(images.bucket?.terraformResourceType).toBe("aws_s3_bucket");
    expect(images.resizerRole.terraformResourceType).toBe("aws_iam_role");
    expect(new ImageCdn(stack, "legacy", { bucket: { existingBucketName: "legacy-photos", managePolicy: false } }).bucket).toBeUndefined();
  });

  it("writes presets and onlyPresets into the edge function, validated at synth; Origin Shield only when asked", () => {
    expect(named(json, "aws_cloudfront_function", "-normalize").resource.code).toContain('"presets":{},"onlyPresets":false');
    expect((only(json, "aws_cloudfront_distribution").origin as Array<Record<string, unknown>>)[0]!.origin_shield).toBeUndefined();
    const d = synthImageCdn({ presets: { thumb: { w: 150, h: 150, fit: "cover" }, detail: { w: 500, h: 700, fit: "inside" } }, onlyPresets: true, originShieldRegion: "eu-west-1" });
    expect(named(d, "aws_cloudfront_function", "-normalize").resource.code).toContain('"presets":{"detail":"w=500&h=700&fit=inside","thumb":"w=150&h=150"},"onlyPresets":true');
    // Both origins: a variant's miss and an original's go through the same regional cache.
    expect((only(d, "aws_cloudfront_distribution").origin as Array<Record<string, unknown>>).map((o) => o.origin_shield)).toEqual([
      { enabled: true, origin_shield_region: "eu-west-1" },
      { enabled: true, origin_shield_region: "eu-west-1" },
    ]);
  });

  it("guards against request floods only when asked: reserved concurrency and a WAF web ACL", () => {
    expect(only(json, "aws_lambda_function").reserved_concurrent_executions).toBeUndefined();
    expect(only(json, "aws_cloudfront_distribution").web_acl_id).toBeUndefined();
    const webAclId = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/images/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const guarded = synthImageCdn({ resizer: { reservedConcurrency: 50 }, webAclId });
    expect(only(guarded, "aws_lambda_function").reserved_concurrent_executions).toBe(50);
    // Provider docs: for WAFv2 web_acl_id takes the web ACL's ARN, which must be in the global (CloudFront) scope.
    expect(only(guarded, "aws_cloudfront_distribution").web_acl_id).toBe(webAclId);
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
      const certificate = `aws_acm_certificate.${Object.keys(d.resource.aws_acm_certificate ?? {})[0]}`;
      const validation = only(d, "aws_acm_certificate_validation");
      expect(validation).toMatchObject({ region: "us-east-1", certificate_arn: ref(d, "aws_acm_certificate", "arn") });
      const records = Object.entries(d.resource.aws_route53_record ?? {});
      const [validationName, validationRecord] = records.find(([, r]) => r.alias === undefined)!;
      // Keyed on the configured names; each instance finds its own option by domain name inside.
      const lookUp = (attribute: string) =>
        `\${one([for option in ${certificate}.domain_validation_options : option.${attribute} if option.domain_name == each.key])}`;
      expect(validationRecord).toEqual({
        for_each: '${toset(["img.example.com", "images.example.com"])}',
        zone_id: "Z123EXAMPLE",
        name: lookUp("resource_record_name"),
        type: lookUp("resource_record_type"),
        records: [lookUp("resource_record_value")],
        ttl: 60,
        allow_overwrite: true,
      });
      expect(validation.validation_record_fqdns).toBe(`\${[for record in aws_route53_record.${validationName} : record.fqdn]}`);
      const aliases = records.filter(([, r]) => r.alias !== undefined).map(([, r]) => r);
      expect(aliases.map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
      for (const alias of aliases) {
        expect(alias).toMatchObject({
          for_each: '${toset(["img.example.com", "images.example.com"])}',
          name: "${each.value}",
          zone_id: "Z123EXAMPLE",
          alias: {
            name: ref(d, "aws_cloudfront_distribution", "domain_name"),
            zone_id: ref(d, "aws_cloudfront_distribution", "hosted_zone_id"),
            evaluate_target_health: false,
          },
        });
      }
      expect(expectPlanKnownIterations(d)).toBe(3);
      const distribution = only(d, "aws_cloudfront_distribution");
      expect(distribution.aliases).toEqual(names);
      expect(distribution.viewer_certificate).toEqual({
        acm_certificate_arn: ref(d, "aws_acm_certificate_validation", "certificate_arn"),
        ssl_support_method: "sni-only",
        minimum_protocol_version: "TLSv1.2_2021",
      });
    });

    it("keys records by name: reordering the names keeps every record address and instance key", () => {
      const keysOf = (json: Synthesized) => Object.fromEntries(Object.entries(json.resource.aws_route53_record ?? {})
        .map(([address, r]) => [address, JSON.parse((r.for_each as string).slice(8, -2)).sort()]));
      const forward = synthImageCdn({ domain: { names, hostedZoneId: "Z123EXAMPLE" } });
      const reversed = synthImageCdn({ domain: { names: [...names].reverse(), hostedZoneId: "Z123EXAMPLE" } });
      expect(keysOf(reversed)).toEqual(keysOf(forward));
    });

    // ACM user guide, DNS validation: *.example.com and example.com share one validation record.
    it("writes one validation record for an apex and its wildcard", () => {
      const d = synthImageCdn({ domain: { names: ["example.com", "*.example.com", "img.example.org"], hostedZoneId: "Z123EXAMPLE" } });
      const validation = Object.values(d.resource.aws_route53_record ?? {}).find((r) => r.alias === undefined)!;
      expect(validation.for_each).toBe('${toset(["example.com", "img.example.org"])}');
      const aliases = Object.values(d.resource.aws_route53_record ?? {}).filter((r) => r.alias !== undefined);
      for (const alias of aliases) expect(alias.for_each).toBe('${toset(["example.com", "*.example.com", "img.example.org"])}');
    });

    it("no for_each or count depends on a resource in any variant of the stack", () => {
      const variants = [
        synthImageCdn(),
        synthImageCdn({ origin: "function-url" }),
        synthImageCdn({ domain: { names: ["a.example.com", "b.example.com", "*.example.com"], hostedZoneId: "Z123EXAMPLE" } }),
        synthImageCdn({ origin: "function-url", domain: { names: ["a.example.com"], hostedZoneId: "Z123EXAMPLE" }, cors: { allowedOrigins: ["*"] } }),
        synthImageCdn({ origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: true } }),
      ];
      expect(variants.map(expectPlanKnownIterations)).toEqual([0, 0, 3, 3, 0]);
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
      expect(all(d, "aws_route53_record").map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
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
    expect(only(synthImageCdn({ resourcePrefix: "shop-img" }), "aws_lambda_function").function_name).toBe("shop-img-resizer");
    expect(only(synthImageCdn({ origin: "object-lambda", resourcePrefix: "shop-img" }), "aws_s3_access_point").name).toBe("shop-img-ap");
  });
});
