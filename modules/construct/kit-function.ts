import type { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { RESIZER_NODE_MAJOR, type FunctionZip } from "../bundle";
import { lambdaAssumeRolePolicy, policyJson, type PolicyDocument } from "./policies";
import type { LambdaArchitecture } from "./props";

export interface KitFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** IAM role names are account-global: Terraform appends a unique suffix to this prefix (at most 38 characters). */
  readonly roleNamePrefix: string;
  readonly roleDescription: string;
  readonly zip: FunctionZip;
  readonly architecture: LambdaArchitecture;
  readonly memorySize: number;
  readonly timeout: number;
  readonly logRetentionDays: number;
  readonly environment: Record<string, string>;
  readonly reservedConcurrency?: number;
  readonly tags: Record<string, string> | undefined;
}

export interface KitFunction {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** The role's one inline policy. */
  grant(name: string, document: PolicyDocument): IamRolePolicy;
}

/**
 * A function of the kit (the resizer, the purge function), made the same way: its zip as a Terraform asset, its
 * own log group (created by Terraform, with retention, so the role needs no logs:CreateLogGroup), its own role
 * with no permissions until granted, Node.js on Lambda's LTS runtime, JSON logs. Made in `scope` itself, so the
 * resources keep their construct paths (and Terraform addresses) whoever calls.
 */
export function kitFunction(scope: Construct, props: KitFunctionProps): KitFunction {
  const asset = new TerraformAsset(scope, "bundle", { path: props.zip.zipPath, type: AssetType.FILE });
  const logGroup = new CloudwatchLogGroup(scope, "logs", {
    name: `/aws/lambda/${props.functionName}`,
    retentionInDays: props.logRetentionDays,
    tags: props.tags,
  });
  const role = new IamRole(scope, "role", {
    namePrefix: props.roleNamePrefix,
    description: props.roleDescription,
    assumeRolePolicy: policyJson(scope, lambdaAssumeRolePolicy()),
    tags: props.tags,
  });
  const fn = new LambdaFunction(scope, "function", {
    functionName: props.functionName,
    description: props.description,
    role: role.arn,
    runtime: `nodejs${RESIZER_NODE_MAJOR}.x`,
    architectures: [props.architecture],
    handler: "index.handler",
    filename: asset.path,
    // Terraform's filebase64sha256 of the zip: an unchanged function plans no update.
    sourceCodeHash: props.zip.sourceCodeHash,
    memorySize: props.memorySize,
    timeout: props.timeout,
    reservedConcurrentExecutions: props.reservedConcurrency,
    environment: { variables: props.environment },
    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    tags: props.tags,
    dependsOn: [logGroup],
  });
  return {
    function: fn,
    role,
    logGroup,
    grant: (name, document) => new IamRolePolicy(scope, "policy", { name, role: role.id, policy: policyJson(scope, document) }),
  };
}
