/**
 * purgeOnChange at synth: what EventBridge, SQS, Lambda's SQS event source and CloudFront require of the
 * resources, checked on the Terraform JSON.
 */
import { Testing } from "cdktf";
import { resolveAppSettings, settingLookup } from "../modules/app/app-settings";
import { ImageCdnStack } from "../modules/app/image-cdn-stack";
import { PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES } from "../lambda-src/purge/contract";
import { s3EventBridgeEvent } from "./support/s3-events";
import { named, only, policyOf, ref, synthImageCdn, type Synthesized } from "./support/synth";

const PURGE_TYPES = ["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sqs_queue", "aws_sqs_queue_policy", "aws_lambda_event_source_mapping", "aws_s3_bucket_notification"];

const s3Event = (detailType: string, bucket: string, key = "example-key"): Record<string, unknown> => s3EventBridgeEvent(detailType, bucket, key);

/**
 * EventBridge's matching for the pattern forms the kit uses (EventBridge user guide, "Event patterns"): every
 * field of the pattern must be in the event; an array matches when the event's value equals one of its values;
 * an object recurses.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) return expected.includes(actual);
    return typeof actual === "object" && actual !== null && matches(expected as Record<string, unknown>, actual as Record<string, unknown>);
  });
}

describe("purgeOnChange off (the default)", () => {
  it("adds nothing: no rule, queue, event source, bucket notification or output", () => {
    const json = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), resolveAppSettings(settingLookup({}, () => undefined))))) as Synthesized;
    for (const type of PURGE_TYPES) expect({ type, present: json.resource[type] !== undefined }).toEqual({ type, present: false });
    expect(Object.keys(json.output ?? {})).not.toContain("purge_dead_letter_queue_url");
    expect(Object.values(json.resource.aws_lambda_function ?? {})).toHaveLength(1);
  });
});

describe("purgeOnChange on, bucket made by the stack", () => {
  const json = synthImageCdn({ purgeOnChange: true });
  const bucketName = ref(json, "aws_s3_bucket", "bucket");
  const rule = only(json, "aws_cloudwatch_event_rule");
  const pattern = JSON.parse(rule.event_pattern as string) as Record<string, unknown>;
  const queue = named(json, "aws_sqs_queue", "-purge");
  const deadLetters = named(json, "aws_sqs_queue", "-purge-dlq");
  const purgeFunction = named(json, "aws_lambda_function", "-purge");
  const mapping = only(json, "aws_lambda_event_source_mapping");

  it("turns on the bucket's EventBridge notifications (S3 sends nothing to EventBridge otherwise)", () => {
    expect(only(json, "aws_s3_bucket_notification")).toEqual({ bucket: bucketName, eventbridge: true });
  });

  it("the rule matches S3's Object Created and Object Deleted events of this bucket, and nothing else", () => {
    const bucket = "amzn-s3-demo-bucket1";
    const concrete = JSON.parse(JSON.stringify(pattern).split(bucketName).join(bucket)) as Record<string, unknown>;
    expect(matches(concrete, s3Event("Object Created", bucket))).toBe(true);
    expect(matches(concrete, s3Event("Object Deleted", bucket))).toBe(true);
    expect(matches(concrete, s3Event("Object Restore Completed", bucket))).toBe(false);
    expect(matches(concrete, s3Event("Object Tags Added", bucket))).toBe(false);
    expect(matches(concrete, s3Event("Object Created", "another-bucket"))).toBe(false);
    expect(pattern["detail-type"]).toEqual([...PURGE_DETAIL_TYPES]);
  });

  it("the rule sends to the queue; what it cannot deliver goes to the dead-letter queue, and both queues take messages from that rule only", () => {
    expect(only(json, "aws_cloudwatch_event_target")).toMatchObject({ rule: ref(json, "aws_cloudwatch_event_rule", "name"), arn: queue.ref("arn"), dead_letter_config: { arn: deadLetters.ref("arn") } });
    const policies = Object.values(json.resource.aws_sqs_queue_policy ?? {});
    expect(policies.map((p) => p.queue_url).sort()).toEqual([queue.ref("url"), deadLetters.ref("url")].sort());
    for (const p of policies) {
      expect(policyOf(p).Statement).toEqual([expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Condition: { ArnEquals: { "aws:SourceArn": ref(json, "aws_cloudwatch_event_rule", "arn") } },
      })]);
    }
  });

  it("queues are encrypted; failed messages reach the dead-letter queue after retries, and it keeps them 14 days", () => {
    expect(queue.resource.sqs_managed_sse_enabled).toBe(true);
    expect(deadLetters.resource.sqs_managed_sse_enabled).toBe(true);
    expect(JSON.parse(queue.resource.redrive_policy as string)).toEqual({ deadLetterTargetArn: deadLetters.ref("arn"), maxReceiveCount: expect.any(Number) });
    expect(deadLetters.resource.message_retention_seconds).toBe(1_209_600);
  });

  // Lambda developer guide, "Creating and configuring an Amazon SQS event source mapping" and "Lambda
  // parameters for Amazon SQS event source mappings".
  it("the event source mapping holds Lambda's SQS rules: visibility >= 6 x timeout, batch > 10 only with a window, at most 10,000 and 300 s", () => {
    const timeout = purgeFunction.resource.timeout as number;
    expect(queue.resource.visibility_timeout_seconds as number).toBeGreaterThanOrEqual(6 * timeout);
    expect(mapping).toMatchObject({ event_source_arn: queue.ref("arn"), function_name: purgeFunction.ref("arn"), batch_size: PURGE_BATCH_SIZE, maximum_batching_window_in_seconds: 60 });
    expect(mapping.batch_size as number).toBeLessThanOrEqual(10_000);
    if ((mapping.batch_size as number) > 10) expect(mapping.maximum_batching_window_in_seconds as number).toBeGreaterThanOrEqual(1);
    expect(mapping.maximum_batching_window_in_seconds as number).toBeLessThanOrEqual(300);
    // ScalingConfig.MaximumConcurrency: 2-1000.
    expect((mapping.scaling_config as { maximum_concurrency: number }).maximum_concurrency).toBeGreaterThanOrEqual(2);
  });

  it("partial batch responses are on: without ReportBatchItemFailures Lambda ignores the function's batchItemFailures and deletes the failed messages", () => {
    expect(mapping.function_response_types).toEqual(["ReportBatchItemFailures"]);
  });

  it("a full batch of events with S3's longest keys fits Lambda's 6 MB synchronous invocation payload", () => {
    const longest = s3Event("Object Created", "b".repeat(63), "k".repeat(1024));
    const record = { messageId: "059f36b4-87a3-44ab-83d2-661975830a7d", receiptHandle: "r".repeat(400), body: JSON.stringify(longest), attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1545082649183", SenderId: "AIDAIENQZJOLO23YVJ4VO", ApproximateFirstReceiveTimestamp: "1545082649185" }, messageAttributes: {}, md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3", eventSource: "aws:sqs", eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${"q".repeat(80)}`, awsRegion: "eu-west-1" };
    const payload = Buffer.byteLength(JSON.stringify({ Records: Array.from({ length: PURGE_BATCH_SIZE }, () => record) }));
    expect(payload).toBeLessThan(6 * 1024 * 1024);
  });

  it("the function knows its distribution, runs the purge zip on arm64, and waits for its log group", () => {
    expect(purgeFunction.resource).toMatchObject({
      handler: "index.handler",
      architectures: ["arm64"],
      environment: { variables: { IMAGE_CDN_DISTRIBUTION_ID: ref(json, "aws_cloudfront_distribution", "id") } },
      source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    expect(purgeFunction.resource.filename).toMatch(/purge\.zip$/);
  });

  it("its role may invalidate this distribution only, consume its own queue only, and write its own logs", () => {
    const role = Object.values(json.resource.aws_iam_role_policy ?? {}).find((p) => p.name === "purge");
    expect(role).toBeDefined();
    const logs = named(json, "aws_cloudwatch_log_group", "-purge");
    expect(policyOf(role as Record<string, unknown>).Statement).toEqual([
      { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logs.ref("arn")}:*` },
      { Sid: "ConsumeChangeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: queue.ref("arn") },
      { Sid: "InvalidateThisDistribution", Effect: "Allow", Action: "cloudfront:CreateInvalidation", Resource: ref(json, "aws_cloudfront_distribution", "arn") },
    ]);
    // The resizer's role gains nothing.
    const resizer = Object.values(json.resource.aws_iam_role_policy ?? {}).find((p) => p.name === "resizer") as Record<string, unknown>;
    expect(JSON.stringify(policyOf(resizer))).not.toMatch(/cloudfront|sqs/);
  });

  it("the mapping is created after the role may read the queue (Lambda checks it at creation)", () => {
    expect(mapping.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
  });
});

// An invalidation clears CloudFront's copies, never a browser's: variants marked immutable for a year would stay
// stale in browsers after every purge. With purge, browsers keep a variant browserTtl (a day by default) and
// CloudFront s-maxage = the cache policy's maximum TTL, which caps it anyway ("Managing how long content stays in
// the cache": CloudFront uses the lesser of s-maxage and the maximum TTL).
describe("purgeOnChange and browsers' caches", () => {
  const env = (json: Synthesized) => (named(json, "aws_lambda_function", "-resizer").resource.environment as { variables: Record<string, string> }).variables;

  it("tells the resizer to send max-age = a day and s-maxage = the cache policy's maximum TTL, not immutable", () => {
    const json = synthImageCdn({ purgeOnChange: true });
    expect(env(json)).toMatchObject({ RESIZER_BROWSER_MAX_AGE: "86400", RESIZER_SHARED_MAX_AGE: "31536000" });
    expect(only(json, "aws_cloudfront_cache_policy").max_ttl).toBe(31536000);
  });

  it("without purge keeps variants immutable for a year (no browser TTL in the environment)", () => {
    const variables = env(synthImageCdn());
    expect(variables.RESIZER_BROWSER_MAX_AGE).toBeUndefined();
    expect(variables.RESIZER_SHARED_MAX_AGE).toBeUndefined();
  });

  it("takes cache.browserTtl and a shorter maximum TTL, and refuses a browser TTL over it", () => {
    const json = synthImageCdn({ purgeOnChange: true, cache: { browserTtl: 600, maxTtl: 604800 } });
    expect(env(json)).toMatchObject({ RESIZER_BROWSER_MAX_AGE: "600", RESIZER_SHARED_MAX_AGE: "604800" });
    expect(only(json, "aws_cloudfront_cache_policy").max_ttl).toBe(604800);
    expect(env(synthImageCdn({ purgeOnChange: true, cache: { maxTtl: 3600, defaultTtl: 3600 } }))).toMatchObject({ RESIZER_BROWSER_MAX_AGE: "3600", RESIZER_SHARED_MAX_AGE: "3600" });
    expect(() => synthImageCdn({ purgeOnChange: true, cache: { browserTtl: 90000, maxTtl: 86400 } })).toThrow(/invalid cache\.browserTtl: got 90000; allowed: an integer from 0 to 86400 seconds, at most cache\.maxTtl/);
    // Without purge, a browser TTL given is honoured too.
    expect(env(synthImageCdn({ cache: { browserTtl: 3600 } }))).toMatchObject({ RESIZER_BROWSER_MAX_AGE: "3600", RESIZER_SHARED_MAX_AGE: "31536000" });
  });
});

describe("purgeOnChange with an existing bucket", () => {
  const json = synthImageCdn({ bucket: { existingBucketName: "legacy-photos", managePolicy: true }, purgeOnChange: { batchWindowSeconds: 5 } });

  it("leaves the bucket's notification configuration alone (S3 keeps one per bucket; its owner turns EventBridge on)", () => {
    expect(json.resource.aws_s3_bucket_notification).toBeUndefined();
  });

  it("the rule names the existing bucket, the window is the one given, and the visibility timeout follows it", () => {
    const pattern = JSON.parse(only(json, "aws_cloudwatch_event_rule").event_pattern as string) as { detail: unknown };
    const [dataName, data] = Object.entries(json.data?.aws_s3_bucket ?? {})[0] ?? [];
    expect(data?.bucket).toBe("legacy-photos");
    expect(pattern.detail).toEqual({ bucket: { name: [`\${data.aws_s3_bucket.${dataName}.bucket}`] } });
    expect(only(json, "aws_lambda_event_source_mapping").maximum_batching_window_in_seconds).toBe(5);
    expect(named(json, "aws_sqs_queue", "-purge").resource.visibility_timeout_seconds).toBe(6 * 60 + 5);
  });
});

describe("purgeOnChange through the app's settings", () => {
  it("IMAGE_CDN_PURGE_ON_CHANGE=true adds the purge path and the dead-letter queue output", () => {
    const settings = resolveAppSettings(settingLookup({ IMAGE_CDN_PURGE_ON_CHANGE: "true" }, () => undefined));
    const json = JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), settings))) as Synthesized;
    expect(Object.keys(json.resource.aws_sqs_queue ?? {})).toHaveLength(2);
    expect(json.output?.purge_dead_letter_queue_url?.value).toMatch(/^\$\{aws_sqs_queue\..*dead-letter-queue.*\.url\}$/);
  });

  it("IMAGE_CDN_PURGE_ON_CHANGE=yes is refused in one line naming the setting", () => {
    expect(() => resolveAppSettings(settingLookup({ IMAGE_CDN_PURGE_ON_CHANGE: "yes" }, () => undefined))).toThrow(/^IMAGE_CDN_PURGE_ON_CHANGE.*true or false[^\n]*$/);
  });
});
