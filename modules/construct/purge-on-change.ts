import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { DISTRIBUTION_ID_ENV, PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES } from "../../lambda-src/purge/contract";
import { METRICS_ENV } from "../../lambda-src/core/metrics";
import { PURGE_ARCHITECTURE, purgeZip } from "../bundle";
import { kitFunction } from "./kit-function";
import { eventBridgeQueuePolicy, jsonArgument, policyJson, purgeFunctionPolicy } from "./policies";

export interface PurgeOnChangeConstructProps {
  readonly namePrefix: string;
  readonly bucketName: string;
  /** A bucket made by this stack gets EventBridge notifications turned on here; an existing one's owner does it. */
  readonly manageBucketNotifications: boolean;
  readonly distributionId: string;
  readonly distributionArn: string;
  readonly batchWindowSeconds: number;
  /** Whether its log lines carry metrics (the `monitoring` of the ImageCdn). @default true */
  readonly metrics?: boolean;
  readonly logRetentionDays: number;
  readonly tags: Record<string, string> | undefined;
}

/** One batch of changes takes a few CloudFront calls at most; a minute leaves room for slow API answers and retries. */
const FUNCTION_TIMEOUT_SECONDS = 60;
/**
 * Failed invalidations (most often too many in progress) are retried this often, a visibility timeout (7 minutes)
 * apart, before the dead-letter queue: about 12 hours, for a bulk change of tens of thousands of keys to drain
 * through CloudFront's 3,000 paths in progress (each invalidation stays in progress for minutes).
 */
const MAX_RECEIVE_COUNT = 100;

/**
 * Purge on change: S3 -> EventBridge (the bucket's "Object Created" / "Object Deleted" events) -> rule -> SQS ->
 * the purge function (lambda-src/purge), which turns each batch into one CloudFront invalidation. EventBridge
 * rather than an S3 event notification to the function, so an existing bucket's own notification configuration
 * stays untouched beside it; SQS in between to gather a burst of changes into one batch.
 */
export class PurgeOnChange extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: PurgeOnChangeConstructProps) {
    super(scope, id);
    const name = `${props.namePrefix}-purge`;
    if (props.manageBucketNotifications) {
      // The bucket's whole notification configuration: only for a bucket this stack owns.
      new S3BucketNotification(this, "bucket-notifications", { bucket: props.bucketName, eventbridge: true });
    }
    this.rule = new CloudwatchEventRule(this, "rule", {
      name,
      description: "Changes to the originals bucket, for the image CDN's purge",
      // S3 user guide, "Using EventBridge": source aws.s3, the detail types, detail.bucket.name.
      eventPattern: jsonArgument(this, { source: ["aws.s3"], "detail-type": PURGE_DETAIL_TYPES, detail: { bucket: { name: [props.bucketName] } } }),
      tags: props.tags,
    });
    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", {
      name: `${name}-dlq`,
      messageRetentionSeconds: 1_209_600, // 14 days, SQS's longest: time to look and redrive
      sqsManagedSseEnabled: true,
      tags: props.tags,
    });
    this.queue = new SqsQueue(this, "queue", {
      name,
      // Lambda developer guide ("Creating and configuring an Amazon SQS event source mapping"): at least six
      // times the function's timeout; the batching window is added, as records wait in flight while it fills.
      visibilityTimeoutSeconds: 6 * FUNCTION_TIMEOUT_SECONDS + props.batchWindowSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: jsonArgument(this, { deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
      tags: props.tags,
    });
    for (const [queueId, queue] of [["queue", this.queue], ["dead-letter-queue", this.deadLetterQueue]] as const) {
      new SqsQueuePolicy(this, `${queueId}-policy`, {
        queueUrl: queue.url,
        policy: policyJson(this, eventBridgeQueuePolicy({ queueArn: queue.arn, ruleArn: this.rule.arn })),
      });
    }
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "purge-queue",
      arn: this.queue.arn,
      // Events EventBridge could not deliver (after its 24 hours of retries) are kept, not dropped.
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });

    const parts = kitFunction(this, {
      functionName: name,
      description: "Invalidates the image CDN's cached variants of changed originals",
      roleNamePrefix: `${name}-`,
      roleDescription: "Runs the image CDN's purge function; permissions come from its inline policy only",
      zip: purgeZip(),
      architecture: PURGE_ARCHITECTURE,
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      // Without monitoring, no metrics in the log lines: custom metrics are billed.
      environment: { [DISTRIBUTION_ID_ENV]: props.distributionId, ...(props.metrics === false ? { [METRICS_ENV]: "off" } : {}) },
      tags: props.tags,
    });
    this.function = parts.function;
    this.role = parts.role;
    const rolePolicy = parts.grant("purge", purgeFunctionPolicy({ logGroupArn: parts.logGroup.arn, queueArn: this.queue.arn, distributionArn: props.distributionArn }));
    new LambdaEventSourceMapping(this, "queue-source", {
      eventSourceArn: this.queue.arn,
      functionName: this.function.arn,
      batchSize: PURGE_BATCH_SIZE,
      maximumBatchingWindowInSeconds: props.batchWindowSeconds,
      // Only the messages of a failed invalidation return to the queue (the function reports them).
      functionResponseTypes: ["ReportBatchItemFailures"],
      // Two calls at most at once (the least Lambda allows), so a burst queues here rather than in CloudFront's refusals.
      scalingConfig: { maximumConcurrency: 2 },
      // The mapping validates the role's SQS permissions when it is created.
      dependsOn: [rolePolicy],
      tags: props.tags,
    });
  }
}
