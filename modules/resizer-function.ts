import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { configToEnv, ORIGIN_BUCKET_ENV, type ResizerConfig } from "../lambda-src/core/config";
import { RESIZER_NODE_MAJOR, resizerZip } from "./bundle";
import { lambdaAssumeRolePolicy, policyJson, type PolicyDocument } from "./policies";
import type { LambdaArchitecture } from "./props";

export interface ResizerFunctionProps {
  readonly functionName: string;
  /** IAM role names are account-global: Terraform appends a unique suffix to this prefix (at most 38 characters). */
  readonly roleNamePrefix: string;
  readonly reservedConcurrency?: number;
  /** A prebuilt zip to deploy instead of the kit's own. */
  readonly bundle?: string;
  readonly architecture: LambdaArchitecture;
  readonly memorySize: number;
  readonly timeout: number;
  readonly logRetentionDays: number;
  readonly config: ResizerConfig;
  /** Function-url origin: the bucket the resizer reads originals from itself. */
  readonly originBucketName?: string;
  readonly tags: Record<string, string> | undefined;
}


/** The resizer Lambda: its reproducible bundle, its own role (no permissions until granted) and log group. */
export class ResizerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ResizerFunctionProps) {
    super(scope, id);
    const bundle = resizerZip(props.architecture, props.bundle);
    const asset = new TerraformAsset(this, "bundle", { path: bundle.zipPath, type: AssetType.FILE });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
      tags: props.tags,
    });
    this.role = new IamRole(this, "role", {
      namePrefix: props.roleNamePrefix,
      description: "Runs the image resizer; permissions come from its inline policy only",
      assumeRolePolicy: policyJson(this, lambdaAssumeRolePolicy()),
      tags: props.tags,
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: "Resizes images from the originals bucket (sharp)",
      role: this.role.arn,
      runtime: `nodejs${RESIZER_NODE_MAJOR}.x`,
      architectures: [props.architecture],
      handler: "index.handler",
      filename: asset.path,
      // Terraform's filebase64sha256 of the zip: an unchanged resizer plans no update.
      sourceCodeHash: bundle.sourceCodeHash,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        variables: props.originBucketName === undefined
          ? configToEnv(props.config)
          : { ...configToEnv(props.config), [ORIGIN_BUCKET_ENV]: props.originBucketName },
      },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      tags: props.tags,
      dependsOn: [this.logGroup],
    });
  }

  /** The role's one inline policy. */
  grant(document: PolicyDocument): IamRolePolicy {
    return new IamRolePolicy(this, "policy", { name: "resizer", role: this.role.id, policy: policyJson(this, document) });
  }
}
