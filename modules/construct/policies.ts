/**
 * Every IAM and resource policy of the kit, built by pure functions from ARNs (literal strings or
 * Terraform references). Nothing else in the kit writes a policy statement.
 */

import type { IConstruct } from "constructs";
import { App, Fn } from "cdktf";

export type PolicyPrincipal = "*" | { AWS?: string | string[]; Service?: string | string[] };

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: PolicyPrincipal;
  Action: string | string[];
  /** Absent only in trust policies, which must not name a resource. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const CLOUDFRONT = "cloudfront.amazonaws.com";

function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Serialized for a Terraform `policy` argument. In Terraform JSON it is a JSON string (key order fixed,
 * so synth stays byte-identical, and policy scanners read it as JSON). In HCL (`cdktf synth --hcl`) it is
 * `jsonencode({...})`: cdktf's HCL writer mangles a JSON string holding references (cdktf issue 3911),
 * and jsonencode reads better in a diff. AWS compares policies by meaning, not by text.
 */
export function policyJson(scope: IConstruct, doc: PolicyDocument | PolicyStatement[]): string {
  return jsonArgument(scope, doc);
}

/** Any JSON-valued argument (an event pattern, a redrive policy), serialized as policies are, for the same reasons. */
export function jsonArgument(scope: IConstruct, value: object): string {
  return App.of(scope).hclOutput ? Fn.jsonencode(value) : JSON.stringify(value);
}

/** Refuses plain-HTTP requests to the bucket and its objects, whoever makes them. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * The bucket's side of the access point delegation, object-lambda origin. S3 authorizes a request made
 * through an access point only when both the access point policy and the bucket policy permit it (S3 user
 * guide, "Configuring IAM policies for using access points"). AWS's delegation example allows `Action: "*"`
 * to every access point of the account; the kit's access point only reads objects (GET and HEAD are both
 * authorized as s3:GetObject) and lists (so that S3 can answer a missing key with 404), so only those two
 * actions are delegated, and only to that access point of the owning account.
 */
export function accessPointDelegation(args: { bucketArn: string; accountId: string; accessPointArn: string }): PolicyStatement[] {
  const condition = {
    StringEquals: {
      "s3:DataAccessPointAccount": args.accountId,
      "s3:DataAccessPointArn": args.accessPointArn,
    },
  };
  return [
    { Sid: "DelegateReadsToSupportingAccessPoint", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: `${args.bucketArn}/*`, Condition: condition },
    { Sid: "DelegateListingToSupportingAccessPoint", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:ListBucket", Resource: args.bucketArn, Condition: condition },
  ];
}

/** The originals bucket's policy: TLS only, and the grants its origin mode needs (nothing else). */
export function bucketPolicy(bucketArn: string, grants: PolicyStatement[]): PolicyDocument {
  return policy(denyInsecureTransport(bucketArn), ...grants);
}

/**
 * Originals served straight from the bucket: CloudFront may read objects, for this distribution only (CloudFront
 * developer guide, "Restrict access to an Amazon S3 origin": the OAC bucket policy with AWS:SourceArn). No
 * s3:ListBucket: with it, a request for `/` would list the bucket through the distribution; without it, S3
 * answers a missing key with 403 (GetObject API reference, "Permissions"), which viewers see.
 */
export function cloudFrontReadsOriginals(args: { bucketArn: string; distributionArn: string }): PolicyStatement {
  return {
    Sid: "CloudFrontReadsOriginalsForThisDistribution",
    Effect: "Allow",
    Principal: { Service: CLOUDFRONT },
    Action: "s3:GetObject",
    Resource: `${args.bucketArn}/*`,
    Condition: { StringEquals: { "aws:SourceArn": args.distributionArn } },
  };
}

/**
 * Supporting access point: CloudFront may read objects, and only through S3 Object Lambda (the
 * CalledVia condition), so the plain access point cannot be used to fetch untransformed originals.
 * s3:ListBucket on the access point itself: the presigned inputS3Url is signed for the caller
 * (CloudFront), and S3 answers a missing key with 404 only to a caller that may list, else 403
 * (GetObject API reference, "Permissions").
 * No aws:SourceAccount beside aws:CalledVia: the IAM guide ("AWS global condition context keys") documents
 * aws:SourceAccount and aws:SourceArn only for a call a service principal makes directly to the resource, and this
 * one is S3 Object Lambda's, on CloudFront's behalf, with CloudFront's presigned URL; a condition on a key the
 * request may not carry would deny every request. The distribution is pinned at the Object Lambda access point.
 */
export function supportingAccessPointPolicy(args: { accessPointArn: string }): PolicyDocument {
  const viaObjectLambda = { "ForAnyValue:StringEquals": { "aws:CalledVia": "s3-object-lambda.amazonaws.com" } };
  return policy(
    {
      Sid: "CloudFrontReadsViaObjectLambdaOnly",
      Effect: "Allow",
      Principal: { Service: CLOUDFRONT },
      Action: "s3:GetObject",
      Resource: `${args.accessPointArn}/object/*`,
      Condition: viaObjectLambda,
    },
    {
      Sid: "CloudFrontListsViaObjectLambdaOnly",
      Effect: "Allow",
      Principal: { Service: CLOUDFRONT },
      Action: "s3:ListBucket",
      Resource: args.accessPointArn,
      Condition: viaObjectLambda,
    },
  );
}

/**
 * Object Lambda access point: only this distribution (aws:SourceArn) may GET (and HEAD) through it.
 * GetObject alone instead of AWS's example `s3-object-lambda:Get*`: HEAD is authorized as GetObject
 * (HeadObject API reference: "To use HEAD, you must have the s3:GetObject permission").
 */
export function objectLambdaAccessPointPolicy(args: { objectLambdaAccessPointArn: string; distributionArn: string }): PolicyDocument {
  return policy({
    Sid: "ThisDistributionOnly",
    Effect: "Allow",
    Principal: { Service: CLOUDFRONT },
    Action: "s3-object-lambda:GetObject",
    Resource: args.objectLambdaAccessPointArn,
    Condition: { StringEquals: { "aws:SourceArn": args.distributionArn } },
  });
}

/** Trust policy of the kit's function roles (resizer, purge): only the Lambda service assumes them. */
export function lambdaAssumeRolePolicy(): PolicyDocument {
  return policy({
    Sid: "LambdaAssumesRole",
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
  });
}

/** A function writes its own log streams (the group is created by Terraform, so no logs:CreateLogGroup). */
function writeOwnLogs(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    // The group's streams only (`<group arn>:*`), the form CreateLogStream and PutLogEvents are checked against.
    Resource: `${logGroupArn}:*`,
  };
}

/**
 * The resizer's permissions, object-lambda origin: its logs, and answering requests of this Object
 * Lambda access point. It never reads the bucket itself: S3 hands it a presigned URL signed for the caller.
 */
export function resizerObjectLambdaPolicy(args: { logGroupArn: string; objectLambdaAccessPointArn: string }): PolicyDocument {
  return policy(writeOwnLogs(args.logGroupArn), {
    Sid: "AnswerObjectLambdaRequests",
    Effect: "Allow",
    Action: "s3-object-lambda:WriteGetObjectResponse",
    Resource: args.objectLambdaAccessPointArn,
  });
}

/**
 * The resizer's permissions, function-url origin: its logs, reading originals, and s3:ListBucket on
 * the bucket alone, without which S3 answers a missing key with 403 instead of 404. With an SSE-KMS bucket,
 * kms:Decrypt on its key, only as S3 uses it on the resizer's behalf (kms:ViaService): GetObject of an
 * SSE-KMS object needs it (S3 user guide, "Using server-side encryption with AWS KMS keys", permissions).
 */
export function resizerFunctionUrlPolicy(args: { logGroupArn: string; bucketArn: string; kms?: { keyArn: string; region: string } }): PolicyDocument {
  return policy(
    writeOwnLogs(args.logGroupArn),
    { Sid: "ReadOriginals", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.bucketArn}/*` },
    { Sid: "TellMissingKeysApart", Effect: "Allow", Action: "s3:ListBucket", Resource: args.bucketArn },
    ...(args.kms ? [{
      Sid: "DecryptOriginalsThroughS3",
      Effect: "Allow" as const,
      Action: "kms:Decrypt",
      Resource: args.kms.keyArn,
      Condition: { StringEquals: { "kms:ViaService": viaS3(args.kms.region) } },
    }] : []),
  );
}

function viaS3(region: string): string {
  return `s3.${region}.amazonaws.com`;
}

/**
 * What the owner of an SSE-KMS bucket's key adds to the key's policy (in a key policy, Resource "*" is that key).
 * CloudFront decrypts originals it reads through the bucket's OAC, for this distribution only (CloudFront developer
 * guide, "Restrict access to an Amazon S3 origin", SSE-KMS: the key policy statement with aws:SourceArn; AWS's
 * example also grants kms:Encrypt and kms:GenerateDataKey*, which reading does not use). The resizer's role decrypts
 * through S3; its inline policy grants that already where the key policy lets IAM policies grant (AWS's default key
 * policy does), else this statement is needed too.
 */
export function kmsKeyPolicyStatements(args: { distributionArn?: string; roleArn: string; region: string }): PolicyStatement[] {
  return [
    ...(args.distributionArn === undefined ? [] : [{
      Sid: "CloudFrontDecryptsOriginalsForThisDistribution",
      Effect: "Allow" as const,
      Principal: { Service: CLOUDFRONT },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceArn": args.distributionArn } },
    }]),
    {
      Sid: "ResizerDecryptsOriginalsThroughS3",
      Effect: "Allow",
      Principal: { AWS: args.roleArn },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": viaS3(args.region) } },
    },
  ];
}

/** Function-url origin: the resizer's role reads originals (the bucket's side of its identity policy). */
export function resizerReadsOriginals(args: { bucketArn: string; roleArn: string }): PolicyStatement {
  return {
    Sid: "ResizerReadsOriginals",
    Effect: "Allow",
    Principal: { AWS: args.roleArn },
    Action: "s3:GetObject",
    Resource: `${args.bucketArn}/*`,
  };
}

/**
 * The purge function's permissions: its logs, consuming its queue (the three actions Lambda's SQS event source
 * needs, as the AWSLambdaSQSQueueExecutionRole managed policy lists them), and invalidating this distribution
 * only (CloudFront's service authorization reference: CreateInvalidation takes the distribution ARN).
 */
export function purgeFunctionPolicy(args: { logGroupArn: string; queueArn: string; distributionArn: string }): PolicyDocument {
  return policy(
    writeOwnLogs(args.logGroupArn),
    { Sid: "ConsumeChangeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: args.queueArn },
    { Sid: "InvalidateThisDistribution", Effect: "Allow", Action: "cloudfront:CreateInvalidation", Resource: args.distributionArn },
  );
}

/**
 * A queue of the purge path: only EventBridge may send to it, and only for the kit's rule (EventBridge user
 * guide, "Amazon SQS permissions": aws:SourceArn is the rule's ARN). The dead-letter queue has the same policy,
 * as the rule's target dead-letter queue.
 */
export function eventBridgeQueuePolicy(args: { queueArn: string; ruleArn: string }): PolicyDocument {
  return policy({
    Sid: "ThisRuleSendsOnly",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: args.queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": args.ruleArn } },
  });
}

/**
 * The log group CloudFront's standard logging (v2) delivers to: the log delivery service may create streams and put
 * events in this group only, for deliveries of this account from us-east-1 ("Logs sent to CloudWatch Logs", CloudWatch
 * Logs user guide: the policy AWS would otherwise write itself if the deployer may call logs:PutResourcePolicy).
 */
export function logDeliveryWritePolicy(args: { logGroupArn: string; accountId: string; region: string }): PolicyDocument {
  return policy({
    Sid: "CloudFrontAccessLogDelivery",
    Effect: "Allow",
    Principal: { Service: "delivery.logs.amazonaws.com" },
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${args.logGroupArn}:log-stream:*`,
    Condition: {
      StringEquals: { "aws:SourceAccount": args.accountId },
      ArnLike: { "aws:SourceArn": `arn:aws:logs:${args.region}:${args.accountId}:*` },
    },
  });
}

/**
 * A topic the kit makes for its alarms: CloudWatch may publish to it for this deployment's alarms only (the SNS
 * developer guide's policy for CloudWatch alarms: the cloudwatch.amazonaws.com principal, aws:SourceArn the alarm's
 * ARN, aws:SourceAccount the account). The account's own principals keep what their IAM policies give them.
 */
export function alarmTopicPolicy(args: { topicArn: string; accountId: string; region: string; alarmNamePrefix: string }): PolicyDocument {
  return policy({
    Sid: "ThisDeploymentsAlarmsPublish",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: "sns:Publish",
    Resource: args.topicArn,
    Condition: {
      StringEquals: { "aws:SourceAccount": args.accountId },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${args.region}:${args.accountId}:alarm:${args.alarmNamePrefix}-*` },
    },
  });
}
