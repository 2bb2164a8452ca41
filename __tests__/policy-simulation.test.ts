/**
 * The synthesized policies evaluated by an IAM policy engine (@cloud-copilot/iam-simulate, AGPL-3.0: a
 * devDependency of these tests only, never bundled or shipped), with Terraform references replaced by the
 * ARNs of a test account. Every expected decision is written here by hand from what the kit promises,
 * never derived from the policy under test.
 *
 * A request through an access point is allowed only when every layer allows it (S3 user guide,
 * "Configuring IAM policies for using access points"): the Object Lambda access point policy, the Lambda
 * permission that lets the caller invoke the resizer, the supporting access point policy, and the bucket
 * policy. Each layer is one simulation; the request is allowed when all its layers are.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument, PolicyStatement } from "../modules/construct/policies";
import { DefaultTokenResolver, StringConcat, TerraformStack, Testing, Tokenization } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../modules";
import { all, only, synthImageCdn, type Synthesized } from "./support/synth";

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const REGION = "eu-west-1";
const BUCKET = "images-test-bucket";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const AP_ARN = `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/images-ap`;
const OLAP_ARN = `arn:aws:s3-object-lambda:${REGION}:${ACCOUNT}:accesspoint/images-olap`;
const DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
const OTHER_DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2OTHERDISTRIB`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/images-resizer-20261123`;
const FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:images-resizer`;
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/images-resizer`;
const KEY = "photos/cat.jpg";
const CLOUDFRONT = "cloudfront.amazonaws.com";
const OTHER_ACCOUNT_ADMIN = `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`;
const OWN_ACCOUNT_USER = `arn:aws:iam::${ACCOUNT}:user/alice`;

/** Concrete values for each `${type.name.attribute}` reference the policies hold. */
const REFERENCES: Record<string, string> = {
  "aws_s3_bucket.arn": BUCKET_ARN,
  "aws_s3_bucket.bucket": BUCKET,
  "aws_s3_access_point.arn": AP_ARN,
  "aws_s3_access_point.account_id": ACCOUNT,
  "aws_s3control_object_lambda_access_point.arn": OLAP_ARN,
  "aws_cloudfront_distribution.arn": DISTRIBUTION,
  "aws_cloudwatch_log_group.arn": LOG_GROUP,
  "aws_iam_role.arn": ROLE,
  "aws_lambda_function.function_name": FUNCTION,
};

/** The purge path's resources, told apart by their construct names. */
const PURGE_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:images-purge`;
const PURGE_DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:images-purge-dlq`;
const PURGE_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/images-purge`;
const PURGE_ROLE = `arn:aws:iam::${ACCOUNT}:role/images-purge-20261123`;
const PURGE_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/images-purge`;
const BY_NAME: Array<[RegExp, string]> = [
  [/^aws_sqs_queue\.images_purge_dead-letter-queue_[^.]+\.arn$/, PURGE_DLQ],
  [/^aws_sqs_queue\.images_purge_queue_[^.]+\.arn$/, PURGE_QUEUE],
  [/^aws_cloudwatch_event_rule\.images_purge_rule_[^.]+\.arn$/, PURGE_RULE],
  [/^aws_cloudwatch_log_group\.images_purge_logs_[^.]+\.arn$/, PURGE_LOG_GROUP],
];

function resolve(text: string): string {
  return text.replace(/\$\{(aws_[a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}/g, (_m, type: string, name: string, attribute: string) => {
    const named = BY_NAME.find(([pattern]) => pattern.test(`${type}.${name}.${attribute}`))?.[1];
    if (named !== undefined) return named;
    const value = REFERENCES[`${type}.${attribute}`];
    if (value === undefined) throw new Error(`no test value for ${type}.${attribute}: add it to REFERENCES`);
    return value;
  });
}

const documentOf = (resource: Record<string, unknown>, key = "policy"): PolicyDocument => JSON.parse(resolve(resource[key] as string)) as PolicyDocument;

/**
 * Lambda stores each permission as a resource-policy statement (GetPolicy): the principal, the action, the
 * function, and conditions for source_arn (AWS:SourceArn), function_url_auth_type
 * (lambda:FunctionUrlAuthType) and invoked_via_function_url (lambda:InvokedViaFunctionUrl).
 */
function lambdaResourcePolicy(json: Synthesized): PolicyDocument {
  const statements = all(json, "aws_lambda_permission").map((p): PolicyStatement => {
    const condition: Record<string, Record<string, string>> = p.source_arn === undefined ? {} : { ArnLike: { "aws:SourceArn": resolve(p.source_arn as string) } };
    if (p.function_url_auth_type !== undefined) condition.StringEquals = { "lambda:FunctionUrlAuthType": p.function_url_auth_type as string };
    if (p.invoked_via_function_url === true) condition.Bool = { "lambda:InvokedViaFunctionUrl": "true" };
    return { Sid: p.statement_id as string, Effect: "Allow", Principal: { Service: p.principal as string }, Action: p.action as string, Resource: FUNCTION, ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
  });
  return { Version: "2012-10-17", Statement: statements };
}

type Decision = "Allowed" | "Denied";

interface Layer {
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly context?: Record<string, string | string[]>;
}

interface Caller {
  readonly principal: string | typeof anonymousPrincipal;
  readonly identityPolicies?: PolicyDocument[];
  /** Requests arrive over TLS unless a case says otherwise. */
  readonly secureTransport?: boolean;
}

/**
 * The simulator does not evaluate s3:DataAccessPointArn / s3:DataAccessPointAccount on bucket-object
 * requests (it reports them missing). The bucket policy's delegation statements are therefore checked
 * statically (below, and in the static rules): an Allow that failed only on those two keys is decided
 * here, by comparing the keys' values with the access point the request came through.
 */
function delegationDecides(response: Awaited<ReturnType<typeof runSimulation>>, context: Record<string, string | string[]>): boolean {
  if (response.resultType !== "single") return false;
  const unmatched = response.result.analysis?.resourceAnalysis?.unmatchedStatements ?? [];
  return unmatched.some((s) => {
    const { actionMatch, resourceMatch, principalMatch, explain } = s as unknown as {
      actionMatch: boolean; resourceMatch: boolean; principalMatch: string;
      explain: { effect: string; conditions?: Array<{ conditionKeyValue: string; matches: boolean; values: { value: string } | Array<{ value: string }> }> };
    };
    if (explain.effect !== "Allow" || !actionMatch || !resourceMatch || principalMatch !== "Match") return false;
    const conditions = explain.conditions ?? [];
    const delegation = conditions.filter((c) => /^s3:DataAccessPoint(Arn|Account)$/.test(c.conditionKeyValue));
    const expected = (c: (typeof conditions)[number]): string[] => (Array.isArray(c.values) ? c.values : [c.values]).map((v) => v.value);
    return delegation.length > 0 &&
      conditions.every((c) => c.matches || delegation.includes(c)) &&
      delegation.every((c) => expected(c).includes(String(context[c.conditionKeyValue])));
  });
}

async function decide(caller: Caller, layers: Layer[]): Promise<Decision> {
  for (const layer of layers) {
    const context = { "aws:SecureTransport": String(caller.secureTransport ?? true), ...layer.context };
    const simulation = {
      request: {
        principal: caller.principal,
        action: layer.action,
        resource: { resource: layer.resource, accountId: layer.resource.startsWith("arn:aws:s3:::") ? ACCOUNT : layer.resource.split(":")[4] || ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: (caller.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: layer.resourcePolicy,
    } as unknown as Simulation;
    const response = await runSimulation(simulation, {});
    if (response.resultType === "error") throw new Error(`simulation refused: ${JSON.stringify(response.errors).slice(0, 500)}`);
    if (response.overallResult === "Allowed") continue;
    if (response.overallResult === "ImplicitlyDenied" && delegationDecides(response, context)) continue;
    return "Denied";
  }
  return "Allowed";
}

const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }] };
const THROUGH_OBJECT_LAMBDA = { "aws:CalledVia": ["s3-object-lambda.amazonaws.com"] };

/** CloudFront's OAC request for an original at the originals' origin: the bucket itself, signed for a distribution. */
const atBucket = (bucketPolicy: PolicyDocument, sourceArn: string, action = "s3:GetObject"): Layer[] => [
  { action, resource: action === "s3:ListBucket" ? BUCKET_ARN : `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy, context: { "aws:SourceArn": sourceArn } },
];

/** Originals straight from the bucket (the distribution's second origin): the same rules in both origin modes. */
function originalsCases(bucketPolicy: () => PolicyDocument): Array<[string, Caller, () => Layer[], Decision]> {
  return [
    ["this distribution reads an original at the bucket (the originals' origin)", { principal: CLOUDFRONT }, () => atBucket(bucketPolicy(), DISTRIBUTION), "Allowed"],
    ["another distribution of the same account reads an original at the bucket", { principal: CLOUDFRONT }, () => atBucket(bucketPolicy(), OTHER_DISTRIBUTION), "Denied"],
    ["this distribution reads an original at the bucket without TLS", { principal: CLOUDFRONT, secureTransport: false }, () => atBucket(bucketPolicy(), DISTRIBUTION), "Denied"],
    ["this distribution lists the bucket (a listing through the distribution)", { principal: CLOUDFRONT }, () => atBucket(bucketPolicy(), DISTRIBUTION, "s3:ListBucket"), "Denied"],
    ["this distribution writes an object at the bucket", { principal: CLOUDFRONT }, () => atBucket(bucketPolicy(), DISTRIBUTION, "s3:PutObject"), "Denied"],
    ["this distribution deletes an object at the bucket", { principal: CLOUDFRONT }, () => atBucket(bucketPolicy(), DISTRIBUTION, "s3:DeleteObject"), "Denied"],
    ["CloudFront with no source reads an original at the bucket", { principal: CLOUDFRONT }, () => [{ action: "s3:GetObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy() }], "Denied"],
  ];
}

describe("policy simulation, object-lambda origin", () => {
  const json = synthImageCdn({ origin: "object-lambda" });
  const bucketPolicy = documentOf(only(json, "aws_s3_bucket_policy"));
  const accessPointPolicy = documentOf(only(json, "aws_s3control_access_point_policy"));
  const objectLambdaPolicy = documentOf(only(json, "aws_s3control_object_lambda_access_point_policy"));
  const rolePolicy = documentOf(only(json, "aws_iam_role_policy"));
  const trustPolicy = documentOf(only(json, "aws_iam_role"), "assume_role_policy");
  const lambdaPolicy = lambdaResourcePolicy(json);

  /** Through our access point: its policy, then the bucket's, with the access point in the context. */
  const viaAccessPoint = (action: "s3:GetObject" | "s3:ListBucket", context: Record<string, string | string[]> = {}, accessPoint = AP_ARN, apAccount = ACCOUNT): Layer[] => [
    { action, resource: action === "s3:GetObject" ? `${accessPoint}/object/${KEY}` : accessPoint, resourcePolicy: accessPoint === AP_ARN ? accessPointPolicy : undefined, context },
    { action, resource: action === "s3:GetObject" ? `${BUCKET_ARN}/${KEY}` : BUCKET_ARN, resourcePolicy: bucketPolicy, context: { ...context, "s3:DataAccessPointArn": accessPoint, "s3:DataAccessPointAccount": apAccount } },
  ];
  /** CloudFront's GET through the Object Lambda access point: the OLAP, the resizer's invocation, then the supporting access point. */
  const throughObjectLambda = (sourceArn: string, s3Action: "s3:GetObject" | "s3:ListBucket" = "s3:GetObject"): Layer[] => [
    { action: "s3-object-lambda:GetObject", resource: OLAP_ARN, resourcePolicy: objectLambdaPolicy, context: { "aws:SourceArn": sourceArn } },
    { action: "lambda:InvokeFunction", resource: FUNCTION, resourcePolicy: lambdaPolicy, context: { "aws:SourceArn": sourceArn } },
    ...viaAccessPoint(s3Action, { ...THROUGH_OBJECT_LAMBDA, "aws:SourceArn": sourceArn }),
  ];
  const resizer: Caller = { principal: ROLE, identityPolicies: [rolePolicy] };

  it.each<[string, Caller, () => Layer[], Decision]>([
    ["this distribution reads an original through the Object Lambda access point", { principal: CLOUDFRONT }, () => throughObjectLambda(DISTRIBUTION), "Allowed"],
    ["this distribution lists (a missing key is 404) through Object Lambda", { principal: CLOUDFRONT }, () => throughObjectLambda(DISTRIBUTION, "s3:ListBucket"), "Allowed"],
    ["this distribution without TLS", { principal: CLOUDFRONT, secureTransport: false }, () => throughObjectLambda(DISTRIBUTION), "Denied"],
    ["another distribution of the same account through Object Lambda", { principal: CLOUDFRONT }, () => throughObjectLambda(OTHER_DISTRIBUTION), "Denied"],
    // Each control on its own, so that one failing is seen even where another would still stop the request.
    ["another distribution, the Object Lambda access point's policy alone", { principal: CLOUDFRONT }, () => throughObjectLambda(OTHER_DISTRIBUTION).slice(0, 1), "Denied"],
    // The invoke permission has no SourceArn (S3 Object Lambda invokes on CloudFront's behalf; the IAM guide documents
    // aws:SourceArn for direct calls only): the Object Lambda access point's policy is what pins the distribution.
    ["another distribution, the resizer's invoke permission alone", { principal: CLOUDFRONT }, () => throughObjectLambda(OTHER_DISTRIBUTION).slice(1, 2), "Allowed"],
    ["another service invokes the resizer", { principal: "s3.amazonaws.com" }, () => throughObjectLambda(DISTRIBUTION).slice(1, 2), "Denied"],
    ["this distribution, the Object Lambda access point's policy alone", { principal: CLOUDFRONT }, () => throughObjectLambda(DISTRIBUTION).slice(0, 1), "Allowed"],
    ["an anonymous caller through Object Lambda", { principal: anonymousPrincipal }, () => throughObjectLambda(DISTRIBUTION), "Denied"],
    ["an admin of another account through Object Lambda", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => throughObjectLambda(DISTRIBUTION), "Denied"],
    ...originalsCases(() => bucketPolicy),
    ["this distribution at the supporting access point, not via Object Lambda", { principal: CLOUDFRONT }, () => viaAccessPoint("s3:GetObject", { "aws:SourceArn": DISTRIBUTION }), "Denied"],
    ["this distribution at the supporting access point, via Object Lambda", { principal: CLOUDFRONT }, () => viaAccessPoint("s3:GetObject", THROUGH_OBJECT_LAMBDA), "Allowed"],
    ["an anonymous caller at the bucket", { principal: anonymousPrincipal }, () => [{ action: "s3:GetObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy }], "Denied"],
    ["an admin of another account at the bucket", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => [{ action: "s3:GetObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy }], "Denied"],
    ["an admin of another account through an access point of its own account", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => viaAccessPoint("s3:GetObject", {}, `arn:aws:s3:${REGION}:${OTHER_ACCOUNT}:accesspoint/theirs`, OTHER_ACCOUNT), "Denied"],
    ["a user of the owning account through another access point of the account", { principal: OWN_ACCOUNT_USER }, () => viaAccessPoint("s3:GetObject", {}, `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/other-ap`), "Denied"],
    ["this distribution writes through Object Lambda", { principal: CLOUDFRONT }, () => [{ action: "s3-object-lambda:PutObject", resource: OLAP_ARN, resourcePolicy: objectLambdaPolicy, context: { "aws:SourceArn": DISTRIBUTION } }], "Denied"],
    ["the resizer answers its Object Lambda access point (WriteGetObjectResponse)", resizer, () => [{ action: "s3-object-lambda:WriteGetObjectResponse", resource: OLAP_ARN }], "Allowed"],
    ["the resizer answers another Object Lambda access point", resizer, () => [{ action: "s3-object-lambda:WriteGetObjectResponse", resource: `arn:aws:s3-object-lambda:${REGION}:${ACCOUNT}:accesspoint/other-olap` }], "Denied"],
    ["the resizer reads an original itself", resizer, () => [{ action: "s3:GetObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy }], "Denied"],
    ["the resizer writes an object", resizer, () => [{ action: "s3:PutObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy }], "Denied"],
    ["the resizer deletes an object", resizer, () => [{ action: "s3:DeleteObject", resource: `${BUCKET_ARN}/${KEY}`, resourcePolicy: bucketPolicy }], "Denied"],
    ["the resizer reads another bucket", resizer, () => [{ action: "s3:GetObject", resource: "arn:aws:s3:::someone-elses-bucket/x.jpg" }], "Denied"],
    ["the resizer invokes itself", resizer, () => [{ action: "lambda:InvokeFunction", resource: FUNCTION, resourcePolicy: lambdaPolicy }], "Denied"],
    ["the resizer writes its own log stream", resizer, () => [{ action: "logs:PutLogEvents", resource: `${LOG_GROUP}:log-stream:2026/11/23/abc` }], "Allowed"],
    ["the resizer writes another function's logs", resizer, () => [{ action: "logs:PutLogEvents", resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x` }], "Denied"],
    ["Lambda assumes the resizer's role", { principal: "lambda.amazonaws.com" }, () => [{ action: "sts:AssumeRole", resource: ROLE, resourcePolicy: trustPolicy }], "Allowed"],
    ["EC2 assumes the resizer's role", { principal: "ec2.amazonaws.com" }, () => [{ action: "sts:AssumeRole", resource: ROLE, resourcePolicy: trustPolicy }], "Denied"],
  ])("%s", async (_name, caller, layers, expected) => {
    expect(await decide(caller, layers())).toBe(expected);
  });
});

describe("policy simulation, function-url origin", () => {
  const json = synthImageCdn({ origin: "function-url" });
  const bucketPolicy = documentOf(only(json, "aws_s3_bucket_policy"));
  const rolePolicy = documentOf(only(json, "aws_iam_role_policy"));
  const lambdaPolicy = lambdaResourcePolicy(json);
  const resizer: Caller = { principal: ROLE, identityPolicies: [rolePolicy] };
  const invokeUrl = (sourceArn: string, authType = "AWS_IAM"): Layer[] => [
    { action: "lambda:InvokeFunctionUrl", resource: FUNCTION, resourcePolicy: lambdaPolicy, context: { "aws:SourceArn": sourceArn, "lambda:FunctionUrlAuthType": authType } },
  ];
  const invoke = (sourceArn: string, viaUrl: boolean): Layer[] => [
    { action: "lambda:InvokeFunction", resource: FUNCTION, resourcePolicy: lambdaPolicy, context: { "aws:SourceArn": sourceArn, "lambda:InvokedViaFunctionUrl": String(viaUrl) } },
  ];
  const object = (action: string, bucketArn = BUCKET_ARN): Layer[] => [{ action, resource: `${bucketArn}/${KEY}`, resourcePolicy: bucketArn === BUCKET_ARN ? bucketPolicy : undefined }];

  it.each<[string, Caller, () => Layer[], Decision]>([
    ["this distribution calls the function URL (IAM auth)", { principal: CLOUDFRONT }, () => invokeUrl(DISTRIBUTION), "Allowed"],
    ["this distribution invokes the function through its URL", { principal: CLOUDFRONT }, () => invoke(DISTRIBUTION, true), "Allowed"],
    ["this distribution invokes the function other than through its URL", { principal: CLOUDFRONT }, () => invoke(DISTRIBUTION, false), "Denied"],
    ["another distribution of the same account calls the function URL", { principal: CLOUDFRONT }, () => invokeUrl(OTHER_DISTRIBUTION), "Denied"],
    ["another distribution invokes the function through its URL", { principal: CLOUDFRONT }, () => invoke(OTHER_DISTRIBUTION, true), "Denied"],
    ["an anonymous caller calls the function URL", { principal: anonymousPrincipal }, () => invokeUrl(DISTRIBUTION), "Denied"],
    ["an admin of another account calls the function URL", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => invokeUrl(DISTRIBUTION), "Denied"],
    ["the resizer reads an original", resizer, () => object("s3:GetObject"), "Allowed"],
    ["the resizer lists the bucket (a missing key is 404)", resizer, () => [{ action: "s3:ListBucket", resource: BUCKET_ARN, resourcePolicy: bucketPolicy }], "Allowed"],
    ["the resizer reads an original without TLS", { ...resizer, secureTransport: false }, () => object("s3:GetObject"), "Denied"],
    ["the resizer writes an object", resizer, () => object("s3:PutObject"), "Denied"],
    ["the resizer deletes an object", resizer, () => object("s3:DeleteObject"), "Denied"],
    ["the resizer reads another bucket", resizer, () => object("s3:GetObject", "arn:aws:s3:::someone-elses-bucket"), "Denied"],
    ["the resizer invokes itself", resizer, () => invoke(DISTRIBUTION, true), "Denied"],
    ["an anonymous caller reads an original at the bucket", { principal: anonymousPrincipal }, () => object("s3:GetObject"), "Denied"],
    ["an admin of another account reads an original", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => object("s3:GetObject"), "Denied"],
    ...originalsCases(() => bucketPolicy),
    ["a user of the owning account without an identity policy reads an original", { principal: OWN_ACCOUNT_USER }, () => object("s3:GetObject"), "Denied"],
    ["the resizer writes its own log stream", resizer, () => [{ action: "logs:CreateLogStream", resource: `${LOG_GROUP}:log-stream:x` }], "Allowed"],
  ])("%s", async (_name, caller, layers, expected) => {
    expect(await decide(caller, layers())).toBe(expected);
  });
});

// SSE-KMS: the resizer's identity policy and the statements the key's owner adds to the key policy (the kit's
// output, with this deployment's ARNs), each evaluated as the KMS request S3 or CloudFront makes.
describe("policy simulation, SSE-KMS originals", () => {
  const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/9999abcd-12ab-34cd-56ef-1234567890ab`;
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: REGION });
  const cdn = new ImageCdn(stack, "images", { bucket: { namePrefix: "images-", kmsKeyArn: KEY } });
  const json = JSON.parse(Testing.synth(stack)) as Synthesized;
  const rolePolicy = documentOf(only(json, "aws_iam_role_policy"));
  // The output is a token at construct time: resolve it as the stack resolves it, then put in the test ARNs.
  const keyPolicy: PolicyDocument = { Version: "2012-10-17", Statement: JSON.parse(resolve(Tokenization.resolve(cdn.kmsKeyPolicyStatements, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) }) as string)) as PolicyStatement[] };
  const resizer: Caller = { principal: ROLE, identityPolicies: [rolePolicy] };
  // AWS's default key policy ("Default key policy": the account may grant the key through IAM policies). KMS
  // evaluates the key policy always; with this one, the resizer's inline policy decides.
  const defaultKeyPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "EnableIAMUserPermissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] };
  const decrypt = (key: string, context: Record<string, string>, policy: PolicyDocument = defaultKeyPolicy): Layer[] => [{ action: "kms:Decrypt", resource: key, resourcePolicy: policy, context }];
  const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

  it.each<[string, Caller, () => Layer[], Decision]>([
    ["the resizer decrypts through S3 (GetObject of an SSE-KMS original)", resizer, () => decrypt(KEY, viaS3), "Allowed"],
    ["the resizer decrypts with the key directly, not through S3", resizer, () => decrypt(KEY, {}), "Denied"],
    ["the resizer decrypts through S3 of another region", resizer, () => decrypt(KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "Denied"],
    ["the resizer decrypts with another key", resizer, () => decrypt(OTHER_KEY, viaS3), "Denied"],
    ["the resizer encrypts with the key", resizer, () => [{ action: "kms:Encrypt", resource: KEY, resourcePolicy: defaultKeyPolicy, context: viaS3 }], "Denied"],
    ["key policy: this distribution decrypts an original it reads", { principal: CLOUDFRONT }, () => decrypt(KEY, { "aws:SourceArn": DISTRIBUTION }, keyPolicy), "Allowed"],
    ["key policy: another distribution decrypts", { principal: CLOUDFRONT }, () => decrypt(KEY, { "aws:SourceArn": OTHER_DISTRIBUTION }, keyPolicy), "Denied"],
    ["key policy: this distribution encrypts or makes data keys", { principal: CLOUDFRONT }, () => [{ action: "kms:GenerateDataKey", resource: KEY, resourcePolicy: keyPolicy, context: { "aws:SourceArn": DISTRIBUTION } }], "Denied"],
    ["key policy: the resizer's role through S3", { principal: ROLE }, () => decrypt(KEY, viaS3, keyPolicy), "Allowed"],
    ["key policy: the resizer's role directly", { principal: ROLE }, () => decrypt(KEY, {}, keyPolicy), "Denied"],
    ["key policy: an admin of another account", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => decrypt(KEY, viaS3, keyPolicy), "Denied"],
  ])("%s", async (_name, caller, layers, expected) => {
    expect(await decide(caller, layers())).toBe(expected);
  });
});

describe("policy simulation, originals denied", () => {
  it.each(["function-url", "object-lambda"] as const)("%s: no distribution reads an original at the bucket", async (origin) => {
    const bucketPolicy = documentOf(only(synthImageCdn({ origin, originals: "deny" }), "aws_s3_bucket_policy"));
    expect(await decide({ principal: CLOUDFRONT }, atBucket(bucketPolicy, DISTRIBUTION))).toBe("Denied");
  });
});

describe("policy simulation, purge on change", () => {
  const json = synthImageCdn({ purgeOnChange: true });
  const rolePolicy = documentOf(Object.values(json.resource.aws_iam_role_policy ?? {}).find((p) => p.name === "purge") as Record<string, unknown>);
  const queuePolicies = all(json, "aws_sqs_queue_policy").map((p) => documentOf(p));
  const queuePolicyOf = (queueArn: string): PolicyDocument => {
    const found = queuePolicies.find((doc) => doc.Statement.some((st) => st.Resource === queueArn));
    if (!found) throw new Error(`no queue policy for ${queueArn}`);
    return found;
  };
  const purge: Caller = { principal: PURGE_ROLE, identityPolicies: [rolePolicy] };
  const events: Caller = { principal: "events.amazonaws.com" };
  const send = (queueArn: string, sourceArn?: string): Layer[] => [
    { action: "sqs:SendMessage", resource: queueArn, resourcePolicy: queuePolicyOf(queueArn), context: sourceArn === undefined ? {} : { "aws:SourceArn": sourceArn } },
  ];
  const OTHER_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`;

  it.each<[string, Caller, () => Layer[], Decision]>([
    ["the purge role invalidates this distribution", purge, () => [{ action: "cloudfront:CreateInvalidation", resource: DISTRIBUTION }], "Allowed"],
    ["the purge role invalidates another distribution", purge, () => [{ action: "cloudfront:CreateInvalidation", resource: OTHER_DISTRIBUTION }], "Denied"],
    ["the purge role changes the distribution", purge, () => [{ action: "cloudfront:UpdateDistribution", resource: DISTRIBUTION }], "Denied"],
    ["the purge role receives from its queue", purge, () => [{ action: "sqs:ReceiveMessage", resource: PURGE_QUEUE, resourcePolicy: queuePolicyOf(PURGE_QUEUE) }], "Allowed"],
    ["the purge role deletes from its queue", purge, () => [{ action: "sqs:DeleteMessage", resource: PURGE_QUEUE, resourcePolicy: queuePolicyOf(PURGE_QUEUE) }], "Allowed"],
    ["the purge role receives from the dead-letter queue", purge, () => [{ action: "sqs:ReceiveMessage", resource: PURGE_DLQ, resourcePolicy: queuePolicyOf(PURGE_DLQ) }], "Denied"],
    ["the purge role sends to its queue", purge, () => [{ action: "sqs:SendMessage", resource: PURGE_QUEUE, resourcePolicy: queuePolicyOf(PURGE_QUEUE) }], "Denied"],
    ["the purge role reads an original", purge, () => [{ action: "s3:GetObject", resource: `${BUCKET_ARN}/${KEY}` }], "Denied"],
    ["the purge role writes its own log stream", purge, () => [{ action: "logs:PutLogEvents", resource: `${PURGE_LOG_GROUP}:log-stream:x` }], "Allowed"],
    ["the purge role writes the resizer's log stream", purge, () => [{ action: "logs:PutLogEvents", resource: `${LOG_GROUP}:log-stream:x` }], "Denied"],
    ["EventBridge sends to the queue for the kit's rule", events, () => send(PURGE_QUEUE, PURGE_RULE), "Allowed"],
    ["EventBridge sends to the dead-letter queue for the kit's rule", events, () => send(PURGE_DLQ, PURGE_RULE), "Allowed"],
    ["EventBridge sends to the queue for another rule", events, () => send(PURGE_QUEUE, OTHER_RULE), "Denied"],
    ["EventBridge sends to the queue with no source", events, () => send(PURGE_QUEUE), "Denied"],
    ["an anonymous caller sends to the queue", { principal: anonymousPrincipal }, () => send(PURGE_QUEUE, PURGE_RULE), "Denied"],
    ["an admin of another account sends to the queue", { principal: OTHER_ACCOUNT_ADMIN, identityPolicies: [ALLOW_ALL] }, () => send(PURGE_QUEUE, PURGE_RULE), "Denied"],
  ])("%s", async (_name, caller, layers, expected) => {
    expect(await decide(caller, layers())).toBe(expected);
  });
});
