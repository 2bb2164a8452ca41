import { all, only, policyOf, ref, synthImageCdn, type Synthesized } from "./support/synth";

/** Every policy document in the stack, wherever a resource carries one. */
function allPolicyDocuments(json: Synthesized) {
  return Object.values(json.resource).flatMap((byName) => Object.values(byName)).flatMap((resource) =>
    ["policy", "assume_role_policy"].filter((key) => typeof resource[key] === "string").map((key) => policyOf(resource, key)));
}

function expectNoWildcardAllows(json: Synthesized, expectedAllows: number) {
  const allows = allPolicyDocuments(json).flatMap((d) => d.Statement).filter((s) => s.Effect === "Allow");
  expect(allows).toHaveLength(expectedAllows);
  for (const statement of allows) {
    for (const action of [statement.Action].flat() as string[]) expect(action).not.toMatch(/(^\*$|:\*$)/);
    for (const resource of [statement.Resource ?? []].flat() as string[]) expect(resource).not.toBe("*");
  }
}

/**
 * Originals straight from the bucket (CloudFront developer guide, "Restrict access to an Amazon S3 origin": the OAC
 * bucket policy): GetObject for the CloudFront service principal, this distribution only, and no s3:ListBucket,
 * so that `/` lists nothing through the distribution (GetObject API reference: a missing key is then 403).
 */
function cloudFrontReadsOriginals(bucketArn: string, distributionArn: string) {
  return {
    Sid: "CloudFrontReadsOriginalsForThisDistribution",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `${bucketArn}/*`,
    Condition: { StringEquals: { "aws:SourceArn": distributionArn } },
  };
}

/** The statement every bucket policy opens with, spelled out once. */
function tlsOnly(bucketArn: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

// Policies checked statement by statement against the real Terraform references of the synthesized stack.
describe("ImageCdn policies (object-lambda origin)", () => {
  const json = synthImageCdn({ origin: "object-lambda" });
  const bucketArn = ref(json, "aws_s3_bucket", "arn");
  const accessPointArn = ref(json, "aws_s3_access_point", "arn");
  const olapArn = ref(json, "aws_s3control_object_lambda_access_point", "arn");
  const distributionArn = ref(json, "aws_cloudfront_distribution", "arn");

  // S3 user guide, "Configuring IAM policies for using access points": a request through an access point
  // needs both the access point policy and the bucket policy to permit it.
  it("bucket policy: TLS-only deny, s3:GetObject and s3:ListBucket delegated to the one supporting access point of the owning account, CloudFront's read of originals", () => {
    const bucketPolicy = only(json, "aws_s3_bucket_policy");
    expect(bucketPolicy.bucket).toBe(ref(json, "aws_s3_bucket", "bucket"));
    expect(bucketPolicy.depends_on).toEqual([`aws_s3_bucket_public_access_block.${Object.keys(json.resource.aws_s3_bucket_public_access_block ?? {})[0]}`]);
    expect(policyOf(bucketPolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        tlsOnly(bucketArn),
        {
          Sid: "DelegateReadsToSupportingAccessPoint",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: `${bucketArn}/*`,
          Condition: {
            StringEquals: {
              "s3:DataAccessPointAccount": ref(json, "aws_s3_access_point", "account_id"),
              "s3:DataAccessPointArn": accessPointArn,
            },
          },
        },
        {
          Sid: "DelegateListingToSupportingAccessPoint",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:ListBucket",
          Resource: bucketArn,
          Condition: {
            StringEquals: {
              "s3:DataAccessPointAccount": ref(json, "aws_s3_access_point", "account_id"),
              "s3:DataAccessPointArn": accessPointArn,
            },
          },
        },
        cloudFrontReadsOriginals(bucketArn, distributionArn),
      ],
    });
  });

  // GetObject API reference: without s3:ListBucket a missing key is 403 Access Denied, with it 404. The
  // presigned inputS3Url is signed for the caller (CloudFront), so the caller needs ListBucket on the access
  // point, whose ARN (no /object/*) is the resource ListBucket is checked against (access-points-policies).
  it("supporting access point policy: CloudFront only, reads and listing (404 for missing keys), only via S3 Object Lambda", () => {
    const policy = only(json, "aws_s3control_access_point_policy");
    expect(policy.access_point_arn).toBe(accessPointArn);
    const viaObjectLambda = { "ForAnyValue:StringEquals": { "aws:CalledVia": "s3-object-lambda.amazonaws.com" } };
    expect(policyOf(policy).Statement).toEqual([
      {
        Sid: "CloudFrontReadsViaObjectLambdaOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${accessPointArn}/object/*`,
        Condition: viaObjectLambda,
      },
      {
        Sid: "CloudFrontListsViaObjectLambdaOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:ListBucket",
        Resource: accessPointArn,
        Condition: viaObjectLambda,
      },
    ]);
  });

  it("Object Lambda access point policy: this distribution only", () => {
    const policy = only(json, "aws_s3control_object_lambda_access_point_policy");
    expect(policy.name).toBe(ref(json, "aws_s3control_object_lambda_access_point", "name"));
    expect(policyOf(policy).Statement).toEqual([{
      Sid: "ThisDistributionOnly",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3-object-lambda:GetObject",
      Resource: olapArn,
      Condition: { StringEquals: { "aws:SourceArn": distributionArn } },
    }]);
  });

  // S3 Object Lambda invokes the function on CloudFront's behalf; the IAM guide documents aws:SourceArn for calls a
  // service principal makes directly, and AWS's working configuration (CloudFront developer guide, "Use Amazon S3
  // Object Lambda"; Dynamic Image Transformation) grants CloudFront without a condition: the Object Lambda access
  // point's policy above pins the distribution instead.
  it("Lambda permission: the CloudFront service principal, InvokeFunction on the resizer only, with no condition", () => {
    const permission = only(json, "aws_lambda_permission");
    expect(permission).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "cloudfront.amazonaws.com",
      function_name: ref(json, "aws_lambda_function", "function_name"),
    });
    for (const key of ["source_arn", "source_account", "qualifier", "function_url_auth_type"]) expect(permission).not.toHaveProperty(key);
  });

  it("resizer role: assumed by Lambda only; exactly its log streams and WriteGetObjectResponse on this OLAP", () => {
    const role = only(json, "aws_iam_role");
    expect(policyOf(role, "assume_role_policy").Statement).toEqual([{
      Sid: "LambdaAssumesRole",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    }]);
    const inline = only(json, "aws_iam_role_policy");
    expect(inline.role).toBe(ref(json, "aws_iam_role", "id"));
    expect(policyOf(inline).Statement).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${ref(json, "aws_cloudwatch_log_group", "arn")}:*`,
      },
      {
        Sid: "AnswerObjectLambdaRequests",
        Effect: "Allow",
        Action: "s3-object-lambda:WriteGetObjectResponse",
        Resource: olapArn,
      },
    ]);
    // Nothing else grants the role anything.
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(role.managed_policy_arns).toBeUndefined();
  });

  it("no Allow statement anywhere grants a wildcard action or a wildcard resource", () => {
    expectNoWildcardAllows(json, 9);
  });

  it("every policy is written exactly once", () => {
    for (const type of ["aws_s3_bucket_policy", "aws_s3control_access_point_policy", "aws_s3control_object_lambda_access_point_policy", "aws_iam_role_policy", "aws_lambda_permission"]) {
      expect(all(json, type)).toHaveLength(1);
    }
    expect(only(json, "aws_s3_access_point").policy).toBeUndefined();
  });
});

describe("ImageCdn policies (function-url origin, the default)", () => {
  const json = synthImageCdn();
  const bucketArn = ref(json, "aws_s3_bucket", "arn");
  const distributionArn = ref(json, "aws_cloudfront_distribution", "arn");
  const functionName = ref(json, "aws_lambda_function", "function_name");

  it("creates no access points", () => {
    for (const type of ["aws_s3_access_point", "aws_s3control_access_point_policy", "aws_s3control_object_lambda_access_point", "aws_s3control_object_lambda_access_point_policy"]) {
      expect(json.resource[type]).toBeUndefined();
    }
  });

  it("bucket policy: TLS-only deny, reads by the resizer's role, and CloudFront's read of originals for this distribution", () => {
    const resizerReads = {
      Sid: "ResizerReadsOriginals",
      Effect: "Allow",
      Principal: { AWS: ref(json, "aws_iam_role", "arn") },
      Action: "s3:GetObject",
      Resource: `${bucketArn}/*`,
    };
    expect(policyOf(only(json, "aws_s3_bucket_policy")).Statement).toEqual([tlsOnly(bucketArn), resizerReads, cloudFrontReadsOriginals(bucketArn, distributionArn)]);
    // originals: "deny": CloudFront reads nothing at the bucket.
    const denied = synthImageCdn({ originals: "deny" });
    expect(policyOf(only(denied, "aws_s3_bucket_policy")).Statement.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "ResizerReadsOriginals"]);
  });

  it("resizer role: its log streams, s3:GetObject on the objects and s3:ListBucket (404 for missing keys), nothing else", () => {
    expect(policyOf(only(json, "aws_iam_role_policy")).Statement).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${ref(json, "aws_cloudwatch_log_group", "arn")}:*`,
      },
      { Sid: "ReadOriginals", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/*` },
      { Sid: "TellMissingKeysApart", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    ]);
  });

  // Lambda developer guide, "Control access to Lambda function URLs": function URLs created since October
  // 2025 need both actions. The InvokeFunction grant carries invoked_via_function_url (the resource policy's
  // Bool condition lambda:InvokedViaFunctionUrl), so CloudFront's identity cannot invoke the function any
  // other way; the argument exists from hashicorp/aws 6.28.0 on (provider CHANGELOG, #44858).
  it("function URL: IAM auth; CloudFront of this distribution may InvokeFunctionUrl, and InvokeFunction only via the URL", () => {
    // Lambda developer guide, "Response streaming": RESPONSE_STREAM lets a function URL answer up to 200 MB.
    expect(only(json, "aws_lambda_function_url")).toMatchObject({ authorization_type: "AWS_IAM", invoke_mode: "RESPONSE_STREAM", function_name: functionName });
    const permissions = all(json, "aws_lambda_permission").map((p) => ({ ...p, "//": undefined }));
    expect(permissions).toEqual([
      expect.objectContaining({ action: "lambda:InvokeFunctionUrl", function_url_auth_type: "AWS_IAM", principal: "cloudfront.amazonaws.com", source_arn: distributionArn, function_name: functionName }),
      expect.objectContaining({ action: "lambda:InvokeFunction", invoked_via_function_url: true, principal: "cloudfront.amazonaws.com", source_arn: distributionArn, function_name: functionName }),
    ]);
    expect(permissions[0]).not.toHaveProperty("invoked_via_function_url");
  });

  it("requires a hashicorp/aws version that knows invoked_via_function_url (6.28+), in both origins", () => {
    for (const stack of [json, synthImageCdn()] as unknown as { terraform: { required_providers: { aws: { version: string } } } }[]) {
      expect(stack.terraform.required_providers.aws.version).toBe("~> 6.28");
    }
  });

  it("OAC of type lambda, and the function URL host as an HTTPS-only custom origin", () => {
    const json = synthImageCdn({ originals: "deny" });
    expect(only(json, "aws_cloudfront_origin_access_control")).toMatchObject({
      origin_access_control_origin_type: "lambda", signing_behavior: "always", signing_protocol: "sigv4",
    });
    expect(only(json, "aws_cloudfront_distribution").origin).toEqual([{
      origin_id: "resizer",
      domain_name: `\${element(split("/", ${ref(json, "aws_lambda_function_url", "function_url").slice(2, -1)}), 2)}`,
      origin_access_control_id: ref(json, "aws_cloudfront_origin_access_control", "id"),
      connection_attempts: 1,
      custom_origin_config: { http_port: 80, https_port: 443, origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"], origin_read_timeout: 10, origin_keepalive_timeout: 5 },
    }]);
  });

  // CloudFront's origin read timeout (default 30 s) is its wait for the first byte and between the packets
  // of a streamed response; the function answers before its own timeout, so the two match.
  it("waits for the function URL as long as the function may run", () => {
    for (const timeout of [3, 25, 60]) {
      const origin = (only(synthImageCdn({ origin: "function-url", resizer: { timeout } }), "aws_cloudfront_distribution").origin as Array<{ custom_origin_config: Record<string, number> }>)[0]!;
      expect(origin.custom_origin_config).toMatchObject({ origin_read_timeout: timeout, origin_keepalive_timeout: 5 });
      expect(only(synthImageCdn({ origin: "function-url", resizer: { timeout } }), "aws_lambda_function").timeout).toBe(timeout);
    }
  });

  it("no Allow statement grants a wildcard action or a wildcard resource", () => {
    expectNoWildcardAllows(json, 6);
  });

  it("needs no header-restoring viewer-response function: the function URL sends real headers", () => {
    const distribution = only(json, "aws_cloudfront_distribution") as { default_cache_behavior: { function_association: { event_type: string }[] } };
    expect(distribution.default_cache_behavior.function_association.map((f) => f.event_type)).toEqual(["viewer-request"]);
    expect(all(json, "aws_cloudfront_function")).toHaveLength(1);
  });

  it("tells the resizer which bucket to read", () => {
    const variables = (only(json, "aws_lambda_function").environment as { variables: Record<string, string> }).variables;
    expect(variables.RESIZER_ORIGIN_BUCKET).toBe(ref(json, "aws_s3_bucket", "bucket"));
  });
});
