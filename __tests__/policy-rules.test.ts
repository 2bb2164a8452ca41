/**
 * Static rules over every policy of every synthesized variant of the stack: what must hold whatever the
 * props, checked on the JSON Terraform receives.
 */
import type { ImageCdnProps } from "../modules";
import type { PolicyStatement } from "../modules/construct/policies";
import { all, only, policyOf, ref, synthImageCdn, type Synthesized } from "./support/synth";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
const VARIANTS: Array<[string, ImageCdnProps]> = [
  ["default (function-url)", {}],
  ["object-lambda", { origin: "object-lambda" }],
  ["originals denied", { originals: "deny" }],
  ["custom domain", { domain: { names: ["img.example.com", "*.example.com"], hostedZoneId: "Z123EXAMPLE" } }],
  ["existing bucket, policy managed, object-lambda", { origin: "object-lambda", bucket: { existingBucketName: "legacy-photos", managePolicy: true } }],
  ["existing bucket, policy managed, function-url", { bucket: { existingBucketName: "legacy-photos", managePolicy: true } }],
  ["existing bucket, variants only", { originals: "deny", bucket: { existingBucketName: "legacy-photos" } }],
  ["purge on change", { purgeOnChange: true }],
  ["access logs to CloudWatch Logs, alarms by email", { monitoring: { accessLogs: { destination: "cloudwatch-logs" }, alarmEmail: "oncall@example.com" } }],
  ["purge on change, existing bucket, function-url", { bucket: { existingBucketName: "legacy-photos", managePolicy: false }, purgeOnChange: { batchWindowSeconds: 10 } }],
  ["CORS and an existing certificate", { cors: { allowedOrigins: ["https://app.example.com"] }, domain: { names: ["img.example.com"], certificateArn: CERT } }],
];

interface Located extends PolicyStatement {
  readonly where: string;
}

/** Every statement of every policy document in the stack, with the resource that carries it. */
function statements(json: Synthesized): Located[] {
  return Object.entries(json.resource).flatMap(([type, byName]) => Object.entries(byName).flatMap(([name, resource]) =>
    ["policy", "assume_role_policy", "policy_document"].filter((key) => typeof resource[key] === "string")
      .flatMap((key) => (policyOf(resource, key).Statement as unknown as PolicyStatement[]).map((s) => ({ ...s, where: `${type}.${name}.${key}` })))));
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isAnyone = (principal: PolicyStatement["Principal"]): boolean =>
  principal === "*" || (typeof principal === "object" && list(principal.AWS).includes("*"));

/** Condition keys that pin a request to an account, an access point or a source, compared to fixed values. */
const PINNING_KEYS = ["s3:DataAccessPointAccount", "s3:DataAccessPointArn", "aws:SourceArn", "aws:SourceAccount", "aws:PrincipalAccount"];
const EXACT_OPERATORS = ["StringEquals", "ArnEquals"];

describe.each(VARIANTS)("policy rules: %s", (_name, props) => {
  const json = synthImageCdn(props);
  const allows = statements(json).filter((s) => s.Effect === "Allow");

  it("no Allow grants every action of a service (Action \"*\", \"s3:*\", ...)", () => {
    expect(allows.flatMap((s) => list(s.Action).filter((a) => a === "*" || a.endsWith(":*")).map((a) => `${s.where}: ${a}`))).toEqual([]);
  });

  it("no Allow to anyone (\"*\" or {AWS: \"*\"}) without an exact condition on the account, access point or source", () => {
    const open = allows.filter((s) => isAnyone(s.Principal)).filter((s) => !Object.entries(s.Condition ?? {}).some(([operator, pairs]) =>
      EXACT_OPERATORS.includes(operator) && Object.entries(pairs).some(([key, value]) => PINNING_KEYS.includes(key) && list(value).every((v) => !v.includes("*")))));
    expect(open.map((s) => s.where)).toEqual([]);
  });

  // The policy engine cannot evaluate s3:DataAccessPointAccount/Arn on bucket-object requests, so the
  // delegation statements are held here to exactly the kit's own access point and its account.
  it("the bucket delegates to its own supporting access point and that access point's account only", () => {
    const delegations = allows.filter((s) => isAnyone(s.Principal) && s.Condition?.StringEquals?.["s3:DataAccessPointArn"] !== undefined);
    if (json.resource.aws_s3_access_point === undefined) {
      expect(delegations).toEqual([]);
      return;
    }
    expect(delegations.map((s) => s.Action).sort()).toEqual(["s3:GetObject", "s3:ListBucket"]);
    for (const s of delegations) {
      expect(s.Condition).toEqual({ StringEquals: { "s3:DataAccessPointAccount": ref(json, "aws_s3_access_point", "account_id"), "s3:DataAccessPointArn": ref(json, "aws_s3_access_point", "arn") } });
    }
  });

  it("every bucket the stack creates has all four public access blocks, and so has every access point", () => {
    const blocks = all(json, "aws_s3_bucket_public_access_block");
    for (const name of Object.keys(json.resource.aws_s3_bucket ?? {})) {
      const block = blocks.find((b) => b.bucket === `\${aws_s3_bucket.${name}.id}`);
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    for (const accessPoint of all(json, "aws_s3_access_point")) {
      expect(accessPoint.public_access_block_configuration).toEqual({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
  });

  // One exception, stated: the supporting access point's grants to CloudFront carry aws:CalledVia (only S3
  // Object Lambda may use them), as AWS's own CloudFront + Object Lambda example has it; the distribution's
  // ARN is enforced one step earlier, by the Object Lambda access point's policy and the invoke permission.
  it("every grant to CloudFront is conditioned on this distribution's ARN (the supporting access point via Object Lambda only)", () => {
    const distribution = ref(json, "aws_cloudfront_distribution", "arn");
    const toCloudFront = allows.filter((s) => typeof s.Principal === "object" && list(s.Principal.Service).includes("cloudfront.amazonaws.com"));
    for (const s of toCloudFront) {
      if (s.where.startsWith("aws_s3control_access_point_policy.")) {
        expect(s.Condition).toEqual({ "ForAnyValue:StringEquals": { "aws:CalledVia": "s3-object-lambda.amazonaws.com" } });
      } else {
        expect({ where: s.where, condition: s.Condition }).toEqual({ where: s.where, condition: { StringEquals: { "aws:SourceArn": distribution } } });
      }
    }
    const permissions = all(json, "aws_lambda_permission");
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.principal).toBe("cloudfront.amazonaws.com");
      // Object Lambda invokes on CloudFront's behalf (no documented aws:SourceArn there): that one permission goes
      // without, and only beside an Object Lambda access point whose policy pins this distribution.
      if (p.statement_id === "AllowCloudFrontViaObjectLambda") {
        expect(p.source_arn).toBeUndefined();
        const olap = policyOf(only(json, "aws_s3control_object_lambda_access_point_policy"));
        expect(olap.Statement.map((s) => s.Condition)).toEqual([{ StringEquals: { "aws:SourceArn": distribution } }]);
      } else {
        expect(p.source_arn).toBe(distribution);
      }
    }
  });

  it("every grant to EventBridge is for sending to a queue of this stack, from a rule of this stack only", () => {
    const toEvents = allows.filter((s) => typeof s.Principal === "object" && list(s.Principal.Service).includes("events.amazonaws.com"));
    const rules = Object.keys(json.resource.aws_cloudwatch_event_rule ?? {}).map((name) => `\${aws_cloudwatch_event_rule.${name}.arn}`);
    const queues = Object.keys(json.resource.aws_sqs_queue ?? {}).map((name) => `\${aws_sqs_queue.${name}.arn}`);
    expect(toEvents.length).toBe(queues.length);
    for (const s of toEvents) {
      expect(s.Action).toBe("sqs:SendMessage");
      expect(queues).toContain(s.Resource);
      expect(rules).toContain(s.Condition?.ArnEquals?.["aws:SourceArn"]);
    }
  });

  // Every action a role uses has resource-level permissions (the service authorization reference lists a
  // resource type for logs:CreateLogStream, logs:PutLogEvents, s3:GetObject, s3:ListBucket,
  // s3-object-lambda:WriteGetObjectResponse, the three SQS consumer actions and cloudfront:CreateInvalidation
  // (distribution)), so none needs "*".
  it("every function role names a resource in every statement, never \"*\"", () => {
    const roleStatements = statements(json).filter((s) => s.where.startsWith("aws_iam_role_policy."));
    expect(roleStatements.length).toBeGreaterThan(0);
    for (const s of roleStatements) {
      expect(list(s.Resource).length).toBeGreaterThan(0);
      expect(list(s.Resource).filter((r) => r === "*" || r.startsWith("arn:aws:s3:::*"))).toEqual([]);
    }
  });
});
