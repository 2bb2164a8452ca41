import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { configToEnv, ORIGIN_BUCKET_ENV } from "../../lambda-src/core/contract";
import { METRICS_ENV } from "../../lambda-src/core/metrics";
import { resizerZip } from "../bundle";
import { kitFunction, type KitFunction } from "./kit-function";
import type { PolicyDocument } from "./policies";
import type { ResolvedProps } from "./validate-props";

/** The resolved `resizer` props as they are, and the names and bucket the construct gives it. */
export type ResizerFunctionProps = Pick<ResolvedProps, "resizer" | "tags" | "monitoring"> & {
  /** `resizer.functionName`, or the deployment's default. */
  readonly functionName: string;
  /** IAM role names are account-global: Terraform appends a unique suffix to this prefix (at most 38 characters). */
  readonly roleNamePrefix: string;
  /** Function-url origin: the bucket the resizer reads originals from itself. */
  readonly originBucketName?: string;
};

/** The resizer Lambda: its reproducible bundle, its own role (no permissions until granted) and log group. */
export class ResizerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  private readonly parts: KitFunction;

  constructor(scope: Construct, id: string, props: ResizerFunctionProps) {
    super(scope, id);
    const { resizer } = props;
    this.parts = kitFunction(this, {
      functionName: props.functionName,
      description: "Resizes images from the originals bucket (sharp)",
      roleNamePrefix: props.roleNamePrefix,
      roleDescription: "Runs the image resizer; permissions come from its inline policy only",
      zip: resizerZip(resizer.architecture, resizer.bundle),
      architecture: resizer.architecture,
      memorySize: resizer.memorySize,
      timeout: resizer.timeout,
      logRetentionDays: resizer.logRetentionDays,
      environment: {
        ...configToEnv(resizer.config),
        ...(props.originBucketName === undefined ? {} : { [ORIGIN_BUCKET_ENV]: props.originBucketName }),
        // Without monitoring, no metrics in the log line: custom metrics are billed.
        ...(props.monitoring === undefined ? { [METRICS_ENV]: "off" } : {}),
      },
      reservedConcurrency: resizer.reservedConcurrency,
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
