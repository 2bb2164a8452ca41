/**
 * CloudFront standard logging (v2), opt-in (`monitoring.accessLogs`): the distribution's access logs delivered by
 * CloudWatch Logs' vended-log delivery to a log group the kit makes (with its retention) or to an S3 bucket the user
 * names. The delivery source "must" be in us-east-1 ("Configure standard logging (v2)", CloudFront Developer Guide),
 * so all three delivery resources, and the log group, are made there (provider 6's resource-level region).
 */
import { Construct } from "constructs";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { CLOUDFRONT_METRICS_REGION } from "./dashboard";
import { logDeliveryWritePolicy, policyJson } from "./policies";

export type AccessLogsDestination =
  | { readonly destination: "cloudwatch-logs"; readonly retentionDays: number }
  | { readonly destination: "s3"; readonly bucketArn: string };

export interface AccessLogsProps {
  readonly namePrefix: string;
  readonly distributionArn: string;
  readonly logs: AccessLogsDestination;
  readonly tags: Record<string, string> | undefined;
}

/** The standard logging (v2) delivery source's log type for a distribution. */
export const CLOUDFRONT_ACCESS_LOG_TYPE = "ACCESS_LOGS";

export class AccessLogs extends Construct {
  /** With destination "cloudwatch-logs": the log group in us-east-1. */
  readonly logGroup?: CloudwatchLogGroup;
  readonly delivery: CloudwatchLogDelivery;

  constructor(scope: Construct, id: string, props: AccessLogsProps) {
    super(scope, id);
    const region = CLOUDFRONT_METRICS_REGION;
    const source = new CloudwatchLogDeliverySource(this, "source", {
      name: `${props.namePrefix}-access-logs`,
      logType: CLOUDFRONT_ACCESS_LOG_TYPE,
      resourceArn: props.distributionArn,
      region,
      tags: props.tags,
    });
    let destinationArn: string;
    if (props.logs.destination === "cloudwatch-logs") {
      // Log group names of a v2 destination take [\w-/] only ("Configure standard logging (v2)").
      this.logGroup = new CloudwatchLogGroup(this, "log-group", {
        name: `/aws/cloudfront/${props.namePrefix}`,
        retentionInDays: props.logs.retentionDays,
        region,
        tags: props.tags,
      });
      const account = new DataAwsCallerIdentity(this, "account");
      new CloudwatchLogResourcePolicy(this, "delivery-policy", {
        policyName: `${props.namePrefix}-access-log-delivery`,
        policyDocument: policyJson(this, logDeliveryWritePolicy({ logGroupArn: this.logGroup.arn, accountId: account.accountId, region })),
        region,
      });
      destinationArn = this.logGroup.arn;
    } else {
      destinationArn = props.logs.bucketArn;
    }
    const destination = new CloudwatchLogDeliveryDestination(this, "destination", {
      name: `${props.namePrefix}-access-logs`,
      // JSON: fields Logs Insights reads without a parse step (the format cannot change once the destination exists).
      outputFormat: "json",
      deliveryDestinationConfiguration: [{ destinationResourceArn: destinationArn }],
      region,
      tags: props.tags,
    });
    this.delivery = new CloudwatchLogDelivery(this, "delivery", {
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
      region,
      tags: props.tags,
    });
  }
}
