/**
 * What operating the deployment watches, pure: the CloudWatch dashboard's body, whose widgets answer what an on-call
 * engineer asks, and the alarm table (the README's runbook is made from it). A test checks them against CloudWatch's
 * "Dashboard Body Structure and Syntax" and the metrics AWS documents; monitoring.ts places them.
 *
 * Regions: CloudFront's metrics, its functions' included, exist in us-east-1 only ("Viewing CloudFront and edge
 * function metrics"), an alarm watches metrics of its own region ("you cannot create an alarm in one Region that
 * watches a metric in a different Region"), and notifies a topic of its own region: so the CloudFront alarms and
 * their topic are made in us-east-1 (the resource-level `region` of AWS provider 6), the rest in the stack's region.
 */
import { ERRORS } from "../../lambda-src/core/errors";
import { METRIC_DIMENSIONS, METRICS_NAMESPACE, PURGE_METRICS, type PurgeMetric } from "../../lambda-src/core/metrics";

/** CloudFront publishes its metrics, and its functions', in this region only. */
export const CLOUDFRONT_METRICS_REGION = "us-east-1";

/** What the dashboard and the alarms watch: the deployment's names, as Terraform references. */
export interface MonitoredDeployment {
  readonly distributionId: string;
  readonly edgeFunctionName: string;
  readonly resizerFunctionName: string;
  readonly originMode: "function-url" | "object-lambda";
  readonly resizerTimeoutSeconds: number;
  readonly reservedConcurrency?: number;
  /** The stack's region (a reference when only Terraform knows it). */
  readonly region: string;
  readonly purge?: { readonly queueName: string; readonly deadLetterQueueName: string; readonly functionName: string };
  /** The distribution's additional metrics (cache hit rate, origin latency) are on. */
  readonly additionalMetrics: boolean;
}

export interface AlarmThresholds {
  /** Viewers' 5xx error rate, percent of requests over 5 minutes. */
  readonly viewer5xxPercent: number;
  /** The resizer's invocation errors (crashes, out of memory, timeouts) in 5 minutes. */
  readonly resizerErrors: number;
  /** The resizer's p99 duration as a percentage of its timeout. */
  readonly durationPercentOfTimeout: number;
  /** The viewer-request function's compute utilization, percent of its limit (CloudFront throttles at 100). */
  readonly edgeComputePercent: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = { viewer5xxPercent: 5, resizerErrors: 5, durationPercentOfTimeout: 80, edgeComputePercent: 70 };

/** One alarm: what it watches, when it fires, and the runbook line the README prints. */
export interface AlarmSpec {
  readonly id: string;
  readonly title: string;
  readonly region: "cloudfront" | "stack";
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** A statistic (Sum, Average, Maximum) or a percentile (p99: the alarm's extended_statistic). */
  readonly statistic: string;
  readonly comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly means: string;
  readonly todo: string;
}

/** The alarms of a deployment: the same list the README's runbook table is made from (with the default thresholds). */
export function alarmSpecs(d: MonitoredDeployment, t: AlarmThresholds = DEFAULT_THRESHOLDS): AlarmSpec[] {
  const cloudfront = { DistributionId: d.distributionId, Region: "Global" };
  const resizer = { FunctionName: d.resizerFunctionName };
  const alarms: AlarmSpec[] = [
    {
      id: "viewer-5xx", title: "viewers get server errors", region: "cloudfront", namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: cloudfront,
      statistic: "Average", comparison: "GreaterThanThreshold", threshold: t.viewer5xxPercent, periodSeconds: 300, evaluationPeriods: 2,
      means: `more than ${t.viewer5xxPercent} % of viewers' requests got a 5xx for 10 minutes`,
      todo: "read the dashboard's resizer row: ErrorCode Timeout or OriginError/OriginUnreachable point at the bucket or the function's time; Lambda Errors at crashes (its log group)",
    },
    {
      id: "resizer-errors", title: "the resizer fails", region: "stack", namespace: "AWS/Lambda", metricName: "Errors", dimensions: resizer,
      statistic: "Sum", comparison: "GreaterThanOrEqualToThreshold", threshold: t.resizerErrors, periodSeconds: 300, evaluationPeriods: 1,
      means: `${t.resizerErrors} or more invocations failed in 5 minutes (a crash, out of memory, or the function's own timeout: the kit answers errors itself, so these are not viewers' 4xx)`,
      todo: "Logs Insights on the resizer's log group: the lines without a status; raise resizer.memorySize for out-of-memory",
    },
    {
      id: "resizer-throttles", title: "the resizer is throttled", region: "stack", namespace: "AWS/Lambda", metricName: "Throttles", dimensions: resizer,
      statistic: "Sum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1, periodSeconds: 300, evaluationPeriods: 1,
      means: "Lambda refused invocations: the reserved concurrency or the account's limit was reached",
      todo: "raise resizer.reservedConcurrency (or the account's concurrency quota); look for a burst of cache misses (a new preset, a purge)",
    },
    {
      id: "resizer-slow", title: "the resizer nears its timeout", region: "stack", namespace: "AWS/Lambda", metricName: "Duration", dimensions: resizer,
      statistic: "p99", comparison: "GreaterThanThreshold", threshold: Math.round(d.resizerTimeoutSeconds * 1000 * t.durationPercentOfTimeout / 100), periodSeconds: 300, evaluationPeriods: 2,
      means: `the slowest 1 % of invocations took over ${t.durationPercentOfTimeout} % of the ${d.resizerTimeoutSeconds} s timeout for 10 minutes`,
      todo: "the dashboard's time row says whether fetch (the bucket) or transform (raise resizer.memorySize: CPU grows with it) is slow",
    },
    {
      id: "edge-compute", title: "the edge function nears its limit", region: "cloudfront", namespace: "AWS/CloudFront", metricName: "FunctionComputeUtilization",
      dimensions: { FunctionName: d.edgeFunctionName, Region: "Global" },
      statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.edgeComputePercent, periodSeconds: 300, evaluationPeriods: 1,
      means: `the viewer-request function used over ${t.edgeComputePercent} % of its compute limit (at 100 CloudFront throttles it and viewers get 503s)`,
      todo: "shorten presets and allow-lists (the function's CONFIG), or turn off what it does per request (signing, client hints)",
    },
  ];
  if (d.purge !== undefined) {
    alarms.push({
      id: "purge-dead-letters", title: "purge gave up on changes", region: "stack", namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: d.purge.deadLetterQueueName }, statistic: "Maximum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1, periodSeconds: 300, evaluationPeriods: 1,
      means: "changes the purge function could not invalidate after its retries: those originals' old variants may still be served",
      todo: "the purge function's log group names the failure (often CloudFront's invalidation quota); redrive the dead-letter queue once fixed",
    });
  }
  return alarms;
}

type MetricRow = (string | Readonly<Record<string, unknown>>)[];

function metric(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, options: Readonly<Record<string, unknown>> = {}): MetricRow {
  return [namespace, name, ...Object.entries(dimensions).flat(), ...(Object.keys(options).length > 0 ? [options] : [])];
}

interface Widget {
  readonly type: "metric" | "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The dashboard's body ("Dashboard Body Structure and Syntax"): rows of widgets on the 24-column grid, each metric
 * widget with its region (CloudFront's in us-east-1), each titled by the question it answers.
 */
export function dashboardBody(d: MonitoredDeployment, t: AlarmThresholds = DEFAULT_THRESHOLDS): { widgets: Widget[] } {
  const cloudfront = { DistributionId: d.distributionId, Region: "Global" };
  const edge = { FunctionName: d.edgeFunctionName, Region: "Global" };
  const resizer = { FunctionName: d.resizerFunctionName };
  const kit = { [METRIC_DIMENSIONS.function]: d.resizerFunctionName, [METRIC_DIMENSIONS.origin]: d.originMode };
  const rows: { heading: string; widgets: { title: string; region: string; metrics: MetricRow[]; stat?: string; annotations?: unknown; view?: string; markdown?: string }[] }[] = [
    {
      heading: "Viewers (CloudFront, us-east-1)",
      widgets: [
        { title: "Are viewers getting errors?", region: CLOUDFRONT_METRICS_REGION, stat: "Average", metrics: [metric("AWS/CloudFront", "5xxErrorRate", cloudfront), metric("AWS/CloudFront", "4xxErrorRate", cloudfront)],
          annotations: { horizontal: [{ label: "5xx alarm", value: t.viewer5xxPercent }] } },
        { title: "How much do viewers ask for?", region: CLOUDFRONT_METRICS_REGION, stat: "Sum", metrics: [metric("AWS/CloudFront", "Requests", cloudfront), metric("AWS/CloudFront", "BytesDownloaded", cloudfront, { yAxis: "right" })] },
        d.additionalMetrics
          ? { title: "How often does the cache answer?", region: CLOUDFRONT_METRICS_REGION, stat: "Average", metrics: [metric("AWS/CloudFront", "CacheHitRate", cloudfront), metric("AWS/CloudFront", "OriginLatency", cloudfront, { stat: "p90", yAxis: "right" })] }
          : { title: "How often does the cache answer?", region: CLOUDFRONT_METRICS_REGION, metrics: [], markdown: "The cache hit rate is one of CloudFront's additional metrics: set `monitoring.cloudfrontAdditionalMetrics: true` (a monthly fee per distribution, README)." },
        { title: "Is the edge function near its limit?", region: CLOUDFRONT_METRICS_REGION, stat: "Maximum",
          metrics: [metric("AWS/CloudFront", "FunctionComputeUtilization", edge), metric("AWS/CloudFront", "FunctionExecutionErrors", edge, { stat: "Sum", yAxis: "right" }), metric("AWS/CloudFront", "FunctionThrottles", edge, { stat: "Sum", yAxis: "right" })],
          annotations: { horizontal: [{ label: "alarm", value: t.edgeComputePercent }] } },
      ],
    },
    {
      heading: "Resizer (Lambda)",
      widgets: [
        { title: "Is the resizer failing or throttled?", region: d.region, stat: "Sum", metrics: [metric("AWS/Lambda", "Invocations", resizer), metric("AWS/Lambda", "Errors", resizer, { yAxis: "right" }), metric("AWS/Lambda", "Throttles", resizer, { yAxis: "right" })] },
        { title: "How long does a variant take?", region: d.region, metrics: [metric("AWS/Lambda", "Duration", resizer, { stat: "p50" }), metric("AWS/Lambda", "Duration", resizer, { stat: "p99" })],
          annotations: { horizontal: [{ label: "timeout", value: d.resizerTimeoutSeconds * 1000 }, { label: "alarm", value: Math.round(d.resizerTimeoutSeconds * 10 * t.durationPercentOfTimeout) }] } },
        { title: "How busy is the resizer?", region: d.region, stat: "Maximum", metrics: [metric("AWS/Lambda", "ConcurrentExecutions", resizer)],
          ...(d.reservedConcurrency === undefined ? {} : { annotations: { horizontal: [{ label: "reserved concurrency", value: d.reservedConcurrency }] } }) },
        { title: "Which errors does the resizer answer?", region: d.region, stat: "Sum", metrics: Object.keys(ERRORS).map((code) => metric(METRICS_NAMESPACE, "Errors", { ...kit, [METRIC_DIMENSIONS.errorCode]: code })) },
      ],
    },
    {
      heading: "Resizer (its own metrics)",
      widgets: [
        { title: "Where does a request's time go?", region: d.region, metrics: ["FetchTime", "TransformTime", "TotalTime"].map((name) => metric(METRICS_NAMESPACE, name, kit, { stat: "p90" })) },
        { title: "How big are originals and answers?", region: d.region, stat: "Average", metrics: [metric(METRICS_NAMESPACE, "OriginalBytes", kit), metric(METRICS_NAMESPACE, "ResponseBytes", kit)] },
        { title: "How many cold starts?", region: d.region, stat: "Sum", metrics: [metric(METRICS_NAMESPACE, "ColdStarts", kit), metric(METRICS_NAMESPACE, "Requests", kit, { yAxis: "right" })] },
        { title: "What status classes does it answer?", region: d.region, stat: "Sum", metrics: ["2xx", "3xx", "4xx", "5xx"].map((status) => metric(METRICS_NAMESPACE, "Requests", { ...kit, [METRIC_DIMENSIONS.statusClass]: status })) },
      ],
    },
    ...(d.purge === undefined ? [] : [{
      heading: "Purge on change",
      widgets: [
        { title: "Is purge keeping up?", region: d.region, stat: "Maximum", metrics: [metric("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: d.purge.queueName })] },
        // CloudFront publishes no invalidation metric: the purge function counts its own (lambda-src/core/metrics.ts).
        { title: "Are changes being invalidated?", region: d.region, stat: "Sum",
          metrics: (Object.keys(PURGE_METRICS) as PurgeMetric[]).map((name) => metric(METRICS_NAMESPACE, name, { [METRIC_DIMENSIONS.function]: d.purge!.functionName })) },
        { title: "Did purge give up on any change?", region: d.region, stat: "Maximum", metrics: [metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: d.purge.deadLetterQueueName })] },
        { title: "Is the purge function failing?", region: d.region, stat: "Sum", metrics: [metric("AWS/Lambda", "Invocations", { FunctionName: d.purge.functionName }), metric("AWS/Lambda", "Errors", { FunctionName: d.purge.functionName })] },
      ],
    }]),
  ];
  const widgets: Widget[] = [];
  let y = 0;
  for (const row of rows) {
    widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown: `## ${row.heading}`, background: "transparent" } });
    y += 1;
    const width = 24 / row.widgets.length;
    row.widgets.forEach((w, i) => {
      widgets.push(w.markdown !== undefined
        ? { type: "text", x: i * width, y, width, height: 6, properties: { markdown: `### ${w.title}\n\n${w.markdown}` } }
        : { type: "metric", x: i * width, y, width, height: 6, properties: { title: w.title, region: w.region, view: "timeSeries", period: 300, metrics: w.metrics, ...(w.stat === undefined ? {} : { stat: w.stat }), ...(w.annotations === undefined ? {} : { annotations: w.annotations }) } });
    });
    y += 6;
  }
  return { widgets };
}

