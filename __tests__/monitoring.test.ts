/**
 * The monitoring resources as synthesized: the dashboard body against CloudWatch's "Dashboard Body Structure and
 * Syntax" (CloudWatch API Reference), every metric a widget or an alarm names against what AWS documents for its
 * service (namespace, name, dimensions, region) or what the resizer emits (lambda-src/core/metrics.ts), the alarms'
 * regions and notifications, and the props.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn, type ImageCdnProps } from "../modules";
import { METRIC_DIRECTIVES, METRICS_NAMESPACE, PURGE_METRIC_DIMENSIONS, PURGE_METRICS } from "../lambda-src/core/metrics";
import { resolveImageCdnProps } from "../modules/construct/validate-props";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dashboardBody } from "../modules/construct/dashboard";
import { dashboardSvg, PICTURED } from "../scripts/dashboard-picture";

/**
 * What AWS publishes, by namespace: the metric names and the one dimension set the kit reads them by, and the region
 * they live in ("stack": the function's or queue's own). CloudFront: "Viewing CloudFront and edge function metrics"
 * and "Monitoring CloudFront metrics with Amazon CloudWatch" (CloudFront Developer Guide: namespace AWS/CloudFront,
 * dimensions DistributionId and Region "Global", us-east-1 only; the function metrics by FunctionName and Region).
 * Lambda: "Types of metrics for Lambda functions" (AWS/Lambda, FunctionName). SQS: "Available CloudWatch metrics for
 * Amazon SQS" (AWS/SQS, QueueName).
 */
const PUBLISHED: Record<string, { metrics: string[]; dimensions: string[][]; region: "us-east-1" | "stack" }> = {
  "AWS/CloudFront": {
    metrics: ["Requests", "BytesDownloaded", "BytesUploaded", "TotalErrorRate", "4xxErrorRate", "5xxErrorRate", "CacheHitRate", "OriginLatency", "401ErrorRate", "403ErrorRate", "404ErrorRate", "502ErrorRate", "503ErrorRate", "504ErrorRate",
      "FunctionInvocations", "FunctionValidationErrors", "FunctionExecutionErrors", "FunctionThrottles", "FunctionComputeUtilization"],
    dimensions: [["DistributionId", "Region"], ["FunctionName", "Region"]],
    region: "us-east-1",
  },
  "AWS/Lambda": { metrics: ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"], dimensions: [["FunctionName"]], region: "stack" },
  "AWS/SQS": { metrics: ["ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"], dimensions: [["QueueName"]], region: "stack" },
};
const FUNCTION_METRICS = ["FunctionInvocations", "FunctionValidationErrors", "FunctionExecutionErrors", "FunctionThrottles", "FunctionComputeUtilization"];
const ADDITIONAL = ["CacheHitRate", "OriginLatency", "401ErrorRate", "403ErrorRate", "404ErrorRate", "502ErrorRate", "503ErrorRate", "504ErrorRate"];

type Json = Record<string, unknown>;

function synth(props: ImageCdnProps, region = "eu-west-1"): { resource: Record<string, Record<string, Json>> } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region });
  new ImageCdn(stack, "images", props);
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Json>> };
}

/** The one metric a widget row or an alarm names is one AWS publishes (or the resizer emits), by the right dimensions. */
function expectKnownMetric(namespace: string, name: string, dimensions: Record<string, string>, region: string, stackRegion: string, where: string): void {
  const keys = Object.keys(dimensions).sort();
  if (namespace === METRICS_NAMESPACE && JSON.stringify(keys) === JSON.stringify([...PURGE_METRIC_DIMENSIONS].sort())) {
    // The purge function's own metrics (CloudFront publishes none for invalidations).
    expect({ where, name, emitted: name in PURGE_METRICS }).toEqual({ where, name, emitted: true });
    expect({ where, region }).toEqual({ where, region: stackRegion });
    return;
  }
  if (namespace === METRICS_NAMESPACE) {
    const directive = METRIC_DIRECTIVES.find((d) => JSON.stringify([...d.dimensions].sort()) === JSON.stringify(keys));
    expect({ where, name, dimensions: keys, emitted: directive?.metrics.includes(name as never) ?? false }).toEqual({ where, name, dimensions: keys, emitted: true });
    expect({ where, region }).toEqual({ where, region: stackRegion });
    return;
  }
  const service = PUBLISHED[namespace];
  expect({ where, namespace, known: service !== undefined && service.metrics.includes(name) }).toEqual({ where, namespace, known: true });
  expect({ where, dimensions: keys, known: service!.dimensions.some((set) => JSON.stringify([...set].sort()) === JSON.stringify(keys)) }).toEqual({ where, dimensions: keys, known: true });
  if (namespace === "AWS/CloudFront") {
    expect({ where, Region: dimensions.Region }).toEqual({ where, Region: "Global" });
    // Distribution metrics by DistributionId, function metrics by FunctionName: never crossed.
    expect({ where, byFunction: "FunctionName" in dimensions }).toEqual({ where, byFunction: FUNCTION_METRICS.includes(name) });
  }
  expect({ where, region }).toEqual({ where, region: service!.region === "us-east-1" ? "us-east-1" : stackRegion });
}

/** A dashboard metric row: [Namespace, MetricName, DimName, DimValue, ..., {options}?]. */
function parseRow(row: unknown[]): { namespace: string; name: string; dimensions: Record<string, string>; options: Json } {
  const options = typeof row[row.length - 1] === "object" ? (row[row.length - 1] as Json) : {};
  const plain = typeof row[row.length - 1] === "object" ? row.slice(0, -1) : row;
  expect(plain.every((part) => typeof part === "string")).toBe(true);
  expect(plain.length % 2).toBe(0);
  const dimensions: Record<string, string> = {};
  for (let i = 2; i < plain.length; i += 2) dimensions[plain[i] as string] = plain[i + 1] as string;
  return { namespace: plain[0] as string, name: plain[1] as string, dimensions, options };
}

const STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?)$/;

describe("the dashboard", () => {
  const json = synth({ purgeOnChange: true, resizer: { reservedConcurrency: 20 } });
  const dashboards = Object.values(json.resource.aws_cloudwatch_dashboard ?? {});
  const body = JSON.parse(dashboards[0]!.dashboard_body as string) as { widgets: { type: string; x: number; y: number; width: number; height: number; properties: Json }[] };

  it("is one dashboard, named per deployment, whose body follows CloudWatch's structure", () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.dashboard_name).toMatch(/^images-[0-9a-f]{8}-images$/);
    expect(body.widgets.length).toBeGreaterThan(0);
    expect(body.widgets.length).toBeLessThanOrEqual(500);
    const cells = new Set<string>();
    for (const widget of body.widgets) {
      expect(["metric", "text", "log", "alarm", "explorer"]).toContain(widget.type);
      expect(Number.isInteger(widget.x) && widget.x >= 0 && widget.x <= 23).toBe(true);
      expect(Number.isInteger(widget.y) && widget.y >= 0).toBe(true);
      expect(widget.width >= 1 && widget.width <= 24 && widget.x + widget.width <= 24).toBe(true);
      expect(widget.height >= 1 && widget.height <= 1000).toBe(true);
      // No two widgets on one cell of the 24-column grid.
      for (let x = widget.x; x < widget.x + widget.width; x += 1) for (let y = widget.y; y < widget.y + widget.height; y += 1) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
      if (widget.type === "text") expect(typeof widget.properties.markdown).toBe("string");
    }
  });

  it("titles every graph by the question it answers, with its region, a view, a period in minutes and valid statistics", () => {
    const metrics = body.widgets.filter((widget) => widget.type === "metric");
    expect(metrics.length).toBeGreaterThanOrEqual(10);
    for (const { properties } of metrics) {
      expect(properties.title).toMatch(/\?$/);
      expect(typeof properties.region).toBe("string");
      expect(["timeSeries", "singleValue", "gauge", "bar", "pie", "table"]).toContain(properties.view);
      expect((properties.period as number) % 60).toBe(0);
      if (properties.stat !== undefined) expect(properties.stat).toMatch(STAT);
      const rows = properties.metrics as unknown[][];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(500);
      for (const row of rows) {
        const { options } = parseRow(row);
        if (options.stat !== undefined) expect(options.stat).toMatch(STAT);
        expect(properties.stat !== undefined || options.stat !== undefined).toBe(true);
      }
    }
  });

  it("names only metrics AWS publishes or the resizer emits, each by its documented dimensions and in its region", () => {
    const named: string[] = [];
    for (const { properties } of body.widgets.filter((widget) => widget.type === "metric")) {
      for (const row of properties.metrics as unknown[][]) {
        const { namespace, name, dimensions } = parseRow(row);
        expectKnownMetric(namespace, name, dimensions, properties.region as string, "eu-west-1", `${String(properties.title)}: ${name}`);
        named.push(`${namespace}/${name}`);
      }
    }
    // The questions the issue asks: errors, traffic, the edge function, the resizer's health and time, purge.
    for (const expected of ["AWS/CloudFront/5xxErrorRate", "AWS/CloudFront/Requests", "AWS/CloudFront/FunctionComputeUtilization", "AWS/Lambda/Duration", "AWS/Lambda/Throttles", "AWS/Lambda/ConcurrentExecutions", "AWS/SQS/ApproximateAgeOfOldestMessage", `${METRICS_NAMESPACE}/TransformTime`, `${METRICS_NAMESPACE}/Errors`, `${METRICS_NAMESPACE}/InvalidatedPaths`]) {
      expect(named).toContain(expected);
    }
    // The cache hit rate is an additional metric: only when subscribed.
    expect(named.filter((name) => ADDITIONAL.some((metric) => name.endsWith(`/${metric}`)))).toEqual([]);
  });

  it("marks the timeout and the reserved concurrency on the graphs they bound", () => {
    const byTitle = (title: string) => body.widgets.find((widget) => widget.properties.title === title)!.properties;
    expect(byTitle("How long does a variant take?").annotations).toEqual({ horizontal: [{ label: "timeout", value: 10_000 }, { label: "alarm", value: 8_000 }] });
    expect(byTitle("How busy is the resizer?").annotations).toEqual({ horizontal: [{ label: "reserved concurrency", value: 20 }] });
  });

  it("with cloudfrontAdditionalMetrics: the distribution's monitoring subscription, and the cache hit rate graphed", () => {
    const on = synth({ monitoring: { cloudfrontAdditionalMetrics: true } });
    const subscriptions = Object.values(on.resource.aws_cloudfront_monitoring_subscription ?? {});
    expect(subscriptions).toEqual([{
      distribution_id: expect.stringMatching(/^\$\{aws_cloudfront_distribution\.\S+\.id\}$/),
      monitoring_subscription: { realtime_metrics_subscription_config: { realtime_metrics_subscription_status: "Enabled" } },
    }]);
    const onBody = JSON.parse(Object.values(on.resource.aws_cloudwatch_dashboard!)[0]!.dashboard_body as string) as typeof body;
    const rows = onBody.widgets.filter((widget) => widget.type === "metric").flatMap((widget) => (widget.properties.metrics as unknown[][]).map((row) => ({ ...parseRow(row), region: widget.properties.region as string })));
    const hit = rows.find((row) => row.name === "CacheHitRate");
    expect(hit).toBeDefined();
    expectKnownMetric(hit!.namespace, hit!.name, hit!.dimensions, hit!.region, "eu-west-1", "CacheHitRate");
    expect(Object.keys(json.resource.aws_cloudfront_monitoring_subscription ?? {})).toEqual([]);
  });
});

describe("the alarms", () => {
  const json = synth({ purgeOnChange: true, monitoring: { alarmEmail: "oncall@example.com" } });
  const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm ?? {});
  const topics = json.resource.aws_sns_topic ?? {};
  const topicRegion = (arn: string): string => {
    const name = /^\$\{aws_sns_topic\.(\S+)\.arn\}$/.exec(arn)?.[1];
    return (topics[name!]?.region as string | undefined) ?? "eu-west-1";
  };

  it("watch viewers' 5xx rate, resizer errors, throttles, p99 duration, the edge function's compute and purge's dead letters", () => {
    expect(alarms.map((alarm) => alarm.metric_name).sort()).toEqual(["5xxErrorRate", "ApproximateNumberOfMessagesVisible", "Duration", "Errors", "FunctionComputeUtilization", "Throttles"]);
  });

  it("each watches a metric AWS publishes, by its dimensions, from the metric's own region, and notifies topics of that region", () => {
    for (const alarm of alarms) {
      const region = (alarm.region as string | undefined) ?? "eu-west-1";
      expectKnownMetric(alarm.namespace as string, alarm.metric_name as string, alarm.dimensions as Record<string, string>, region, "eu-west-1", alarm.alarm_name as string);
      const actions = alarm.alarm_actions as string[];
      expect(actions.length).toBe(1);
      for (const arn of [...actions, ...(alarm.ok_actions as string[])]) expect({ alarm: alarm.alarm_name, region: topicRegion(arn) }).toEqual({ alarm: alarm.alarm_name, region });
      expect(alarm.treat_missing_data).toBe("notBreaching");
      expect((alarm.period as number) % 60).toBe(0);
      // A percentile is an extended statistic, never beside a statistic (aws_cloudwatch_metric_alarm).
      expect(alarm.statistic === undefined).toBe(alarm.extended_statistic !== undefined);
      expect(String(alarm.alarm_description).length).toBeLessThanOrEqual(1024);
      expect(alarm.alarm_description).toMatch(/What to do: /);
    }
    const p99 = alarms.find((alarm) => alarm.metric_name === "Duration")!;
    expect([p99.extended_statistic, p99.threshold]).toEqual(["p99", 8000]);
  });

  it("alarmEmail: a topic in each alarm region, each with the address subscribed by email", () => {
    expect(Object.values(topics).map((topic) => topic.region ?? "stack").sort()).toEqual(["stack", "us-east-1"]);
    const subscriptions = Object.values(json.resource.aws_sns_topic_subscription ?? {});
    expect(subscriptions.map((s) => [s.protocol, s.endpoint, s.region ?? "stack"]).sort()).toEqual([["email", "oncall@example.com", "stack"], ["email", "oncall@example.com", "us-east-1"]]);
    // Only CloudWatch, for this deployment's alarms in the topic's region, may publish (the account keeps its IAM rights).
    const policies = Object.values(json.resource.aws_sns_topic_policy ?? {});
    expect(policies).toHaveLength(2);
    for (const topicPolicy of policies) {
      const statement = (JSON.parse(topicPolicy.policy as string) as { Statement: Json[] }).Statement;
      const region = (topicPolicy.region as string | undefined) ?? "eu-west-1";
      expect(statement).toEqual([{
        Sid: "ThisDeploymentsAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicPolicy.arn,
        Condition: {
          StringEquals: { "aws:SourceAccount": expect.stringMatching(/account_id\}$/) },
          ArnLike: { "aws:SourceArn": expect.stringMatching(new RegExp(`^arn:aws:cloudwatch:${region}:\\$\\{data\\.aws_caller_identity\\.\\S+\\.account_id\\}:alarm:images-[0-9a-f]{8}-\\*$`)) },
        },
      }]);
    }
    for (const alarm of alarms) expect(String(alarm.alarm_name)).toMatch(/^images-[0-9a-f]{8}-/);
  });

  it("alarmTopicArns: each alarm notifies the given topics of its own region, none made", () => {
    const given = synth({ monitoring: { alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:edge-alarms", "arn:aws:sns:eu-west-1:123456789012:alarms"] } });
    expect(given.resource.aws_sns_topic).toBeUndefined();
    for (const alarm of Object.values(given.resource.aws_cloudwatch_metric_alarm!)) {
      expect(alarm.alarm_actions).toEqual([alarm.region === "us-east-1" ? "arn:aws:sns:us-east-1:123456789012:edge-alarms" : "arn:aws:sns:eu-west-1:123456789012:alarms"]);
    }
  });

  it("topics without one in the stack's region are refused at synth when the region is known", () => {
    expect(() => synth({ monitoring: { alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:edge-alarms"] } })).toThrow(/^ImageCdn: invalid monitoring.alarmTopicArns: .*allowed: a list that includes a topic in eu-west-1 too/);
    expect(() => synth({ monitoring: { alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:alarms"] } }, "us-east-1")).not.toThrow();
  });

  it("thresholds come from the props; monitoring: false makes none of it", () => {
    const tuned = synth({ monitoring: { viewer5xxPercent: 2, resizerErrors: 1, durationPercentOfTimeout: 50, edgeComputePercent: 90 }, resizer: { timeout: 20 } });
    const threshold = (metric: string) => Object.values(tuned.resource.aws_cloudwatch_metric_alarm!).find((alarm) => alarm.metric_name === metric)!.threshold;
    expect([threshold("5xxErrorRate"), threshold("Errors"), threshold("Duration"), threshold("FunctionComputeUtilization")]).toEqual([2, 1, 10_000, 90]);
    const off = synth({ monitoring: false, purgeOnChange: true });
    for (const type of ["aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_cloudfront_monitoring_subscription"]) expect(off.resource[type]).toBeUndefined();
    // Nor billed custom metrics: the resizer's line carries none.
    const environment = (stack: typeof off) => Object.values(stack.resource.aws_lambda_function!).map((f) => (f.environment as { variables: Record<string, string> }).variables).find((v) => "RESIZER_MAX_WIDTH" in v)!;
    expect(environment(off).KIT_METRICS).toBe("off");
    expect(environment(tuned).KIT_METRICS).toBeUndefined();
  });

  it.each<[string, ImageCdnProps["monitoring"], RegExp]>([
    ["not a boolean or object", "yes" as never, /^ImageCdn: invalid monitoring: got "yes"; allowed: true, false or \{ alarmTopicArns, alarmEmail, /],
    ["an unknown field", { email: "a@b.c" } as never, /^ImageCdn: invalid monitoring: .*allowed: true, false or \{/],
    ["a topic that is not an SNS ARN", { alarmTopicArns: ["alarms"] }, /^ImageCdn: invalid monitoring.alarmTopicArns\[0\]: got "alarms"; allowed: an SNS topic ARN/],
    ["topics without one in us-east-1 (CloudFront's alarms would notify nobody)", { alarmTopicArns: ["arn:aws:sns:eu-west-1:123456789012:alarms"] }, /^ImageCdn: invalid monitoring.alarmTopicArns: .*allowed: a list that includes a topic in us-east-1/],
    ["an address without @", { alarmEmail: "oncall" }, /^ImageCdn: invalid monitoring.alarmEmail: got "oncall"; allowed: an email address$/],
    ["a threshold over 100 percent", { viewer5xxPercent: 150 }, /^ImageCdn: invalid monitoring.viewer5xxPercent: got 150; allowed: an integer from 1 to 100 percent$/],
  ])("refuses %s in one line naming it", (_what, monitoring, message) => {
    expect(() => resolveImageCdnProps({ monitoring })).toThrow(message);
  });
});

describe("access logs (standard logging v2) and saved queries", () => {
  const { RESIZER_QUERIES } = jest.requireActual<typeof import("../modules/construct/monitoring")>("../modules/construct/monitoring");
  const { requestLogRecord } = jest.requireActual<typeof import("../lambda-src/shared/settings")>("../lambda-src/shared/settings");
  const one = (json: ReturnType<typeof synth>, type: string): Json => {
    const all = Object.values(json.resource[type] ?? {});
    expect({ type, count: all.length }).toEqual({ type, count: 1 });
    return all[0]!;
  };

  it("to CloudWatch Logs: source, destination and delivery in us-east-1, the distribution's ACCESS_LOGS into a log group there, with retention", () => {
    const json = synth({ monitoring: { accessLogs: { destination: "cloudwatch-logs", retentionDays: 14 } } });
    const source = one(json, "aws_cloudwatch_log_delivery_source");
    const destination = one(json, "aws_cloudwatch_log_delivery_destination");
    const delivery = one(json, "aws_cloudwatch_log_delivery");
    expect(source).toMatchObject({ log_type: "ACCESS_LOGS", region: "us-east-1", resource_arn: expect.stringMatching(/^\$\{aws_cloudfront_distribution\.\S+\.arn\}$/) });
    const group = Object.entries(json.resource.aws_cloudwatch_log_group!).find(([, g]) => String(g.name).startsWith("/aws/cloudfront/"))!;
    expect(group[1]).toMatchObject({ region: "us-east-1", retention_in_days: 14 });
    expect(String(group[1].name)).toMatch(/^[\w/-]+$/);
    expect(destination).toMatchObject({ output_format: "json", region: "us-east-1", delivery_destination_configuration: [{ destination_resource_arn: `\${aws_cloudwatch_log_group.${group[0]}.arn}` }] });
    expect(delivery).toMatchObject({ region: "us-east-1", delivery_source_name: expect.stringContaining(".name}"), delivery_destination_arn: expect.stringContaining("aws_cloudwatch_log_delivery_destination.") });
    // The delivery service may write this group's streams only, for this account, from us-east-1.
    const policy = JSON.parse(one(json, "aws_cloudwatch_log_resource_policy").policy_document as string) as { Statement: Json[] };
    expect(policy.Statement).toEqual([{
      Sid: "CloudFrontAccessLogDelivery", Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `\${aws_cloudwatch_log_group.${group[0]}.arn}:log-stream:*`,
      Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/account_id\}$/) }, ArnLike: { "aws:SourceArn": expect.stringMatching(/^arn:aws:logs:us-east-1:\$\{data\.aws_caller_identity\.\S+\.account_id\}:\*$/) } },
    }]);
    expect(one(json, "aws_cloudwatch_log_resource_policy").region).toBe("us-east-1");
  });

  it("to S3: the given bucket as the destination, no log group or policy of the kit's", () => {
    const json = synth({ monitoring: { accessLogs: { destination: "s3", bucketArn: "arn:aws:s3:::cdn-logs" } } });
    expect(one(json, "aws_cloudwatch_log_delivery_destination").delivery_destination_configuration).toEqual([{ destination_resource_arn: "arn:aws:s3:::cdn-logs" }]);
    expect(json.resource.aws_cloudwatch_log_resource_policy).toBeUndefined();
    expect(Object.values(json.resource.aws_cloudwatch_log_group!).filter((g) => String(g.name).startsWith("/aws/cloudfront/"))).toEqual([]);
  });

  it("saved queries over the resizer's log group name fields its log line has (top errors, slowest keys); one over the access logs when in CloudWatch Logs", () => {
    const json = synth({ monitoring: { accessLogs: { destination: "cloudwatch-logs" } } });
    const queries = Object.values(json.resource.aws_cloudwatch_query_definition!);
    expect(queries.map((q) => String(q.name).replace(/^images-[0-9a-f]{8}\//, "")).sort()).toEqual(["access-5xx-by-path", "resizer-slowest-keys", "resizer-top-errors"]);
    const line = requestLogRecord("function-url", { key: "a.jpg", status: 400, errorCode: "InvalidParameter", timings: { total: 1 } }, { functionName: "f", coldStart: false, now: 1 }) as Json;
    for (const query of Object.values(RESIZER_QUERIES)) {
      for (const field of ["errorCode", "status", "key", "timings.total"].filter((name) => query.includes(name))) {
        const value = field.split(".").reduce<unknown>((at, part) => (at as Json | undefined)?.[part], line);
        expect({ field, present: value !== undefined }).toEqual({ field, present: true });
      }
    }
    const access = queries.find((q) => String(q.name).endsWith("access-5xx-by-path"))!;
    expect(access.region).toBe("us-east-1");
    expect(access.query_string).toContain("`sc-status`");
    expect(Object.values(synth({}).resource.aws_cloudwatch_query_definition!)).toHaveLength(2);
  });

  it.each<[string, unknown, RegExp]>([
    ["an unknown destination", { destination: "firehose" }, /^ImageCdn: invalid monitoring.accessLogs: got \{"destination":"firehose"\}; allowed: \{ destination: "cloudwatch-logs", retentionDays \} or \{ destination: "s3", bucketArn \}$/],
    ["a retention CloudWatch Logs does not offer", { destination: "cloudwatch-logs", retentionDays: 10 }, /^ImageCdn: invalid monitoring.accessLogs.retentionDays: got 10; allowed: one of 1, 3, 5, 7, 14, 30/],
    ["a bucket name instead of its ARN", { destination: "s3", bucketArn: "cdn-logs" }, /^ImageCdn: invalid monitoring.accessLogs.bucketArn: got "cdn-logs"; allowed: an S3 bucket ARN/],
  ])("refuses %s in one line naming it", (_what, accessLogs, message) => {
    expect(() => resolveImageCdnProps({ monitoring: { accessLogs: accessLogs as never } })).toThrow(message);
  });
});

describe("the README's picture of the dashboard (docs/dashboard.svg)", () => {
  it("is drawn from the synthesized body: every widget's title, placed on the grid, one SVG root between the markers", () => {
    const file = readFileSync(join(__dirname, "..", "docs", "dashboard.svg"), "utf8");
    expect(file).toContain(dashboardSvg());
    expect(file.match(/<svg /g)).toHaveLength(1);
    const svg = dashboardSvg();
    for (const widget of dashboardBody(PICTURED).widgets.filter((w) => w.type === "metric")) {
      expect(svg).toContain(`<text x="${widget.x * 40 + 10}" y="${widget.y * 28 + 22}" class="title">${String(widget.properties.title).replace(/'/g, "'")}</text>`);
    }
  });
});
