import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { configToEnv, ORIGIN_BUCKET_ENV, type ResizerConfig } from "../../lambda-src/core/contract";
import { resizerZip } from "../bundle";
import { kitFunction, type KitFunction } from "./kit-function";
import type { PolicyDocument } from "./policies";
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
  private readonly parts: KitFunction;

  constructor(scope: Construct, id: string, props: ResizerFunctionProps) {
    super(scope, id);
    this.parts = kitFunction(this, {
      functionName: props.functionName,
      description: "Resizes images from the originals bucket (sharp)",
      roleNamePrefix: props.roleNamePrefix,
      roleDescription: "Runs the image resizer; permissions come from its inline policy only",
      zip: resizerZip(props.architecture, props.bundle),
      architecture: props.architecture,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetentionDays: props.logRetentionDays,
      environment: props.originBucketName === undefined
        ? configToEnv(props.config)
        : { ...configToEnv(props.config), [ORIGIN_BUCKET_ENV]: props.originBucketName },
      reservedConcurrency: props.reservedConcurrency,
      tags: props.tags,
    });
    this.function = this.parts.function;
    this.role = this.parts.role;
    this.logGroup = this.parts.logGroup;
  }

  /** The role's one inline policy. */
  grant(document: PolicyDocument): IamRolePolicy {
    return this.parts.grant("resizer", document);
  }
}
