/**
 * The resizer's metrics, carried by its one log line per request in CloudWatch's Embedded Metric Format (CloudWatch
 * User Guide, "Specification: Embedded metric format"): CloudWatch extracts them from the log group, with no API call
 * and no client library. Declared once here: the resizer writes these names, the dashboard and the alarms
 * (modules/construct/monitoring.ts) read them, the preview prints them.
 *
 * Cardinality is fixed: the dimensions are the function, its origin mode, the status class and the error code (a
 * closed set, errors.ts), never a key or a parameter. "Every DimensionSet used creates a new metric in CloudWatch",
 * billed as a custom metric, so each directive below is one declared set: at most 7 + 4 + 12 = 23 metrics a function.
 */
import { ERRORS, type ErrorCode } from "./errors";

/** "off": the functions' log lines carry no metrics (the construct sets it with `monitoring: false`: custom metrics are billed). */
export const METRICS_ENV = "KIT_METRICS";

/** The namespace of every resizer metric. */
export const METRICS_NAMESPACE = "ImageCdnKit";

/** The dimension names (values: the function's name, "function-url" or "object-lambda", "2xx".."5xx", an error code). */
export const METRIC_DIMENSIONS = { function: "FunctionName", origin: "OriginMode", statusClass: "StatusClass", errorCode: "ErrorCode" } as const;
type DimensionName = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];

/** CloudWatch's units the metrics use (the specification's enumeration). */
export type MetricUnit = "Count" | "Milliseconds" | "Bytes";

/** Each metric: its unit and what a person reads it as. */
export const RESIZER_METRICS = {
  Requests: { unit: "Count", doc: "requests the resizer answered (variants, originals passed through, errors)" },
  ColdStarts: { unit: "Count", doc: "requests that were a new container's first" },
  FetchTime: { unit: "Milliseconds", doc: "from the request to the original's headers" },
  TransformTime: { unit: "Milliseconds", doc: "decode, resize and encode of a variant" },
  TotalTime: { unit: "Milliseconds", doc: "the whole request as the resizer measured it" },
  OriginalBytes: { unit: "Bytes", doc: "size of the original, as its store declared it" },
  ResponseBytes: { unit: "Bytes", doc: "size of the answer's body" },
  Errors: { unit: "Count", doc: "error answers, by error code" },
} as const satisfies Record<string, { unit: MetricUnit; doc: string }>;
export type ResizerMetric = keyof typeof RESIZER_METRICS;

/** The declared dimension sets and the metrics each carries; `onError`: only on a line that is an error answer. */
export const METRIC_DIRECTIVES: readonly { readonly dimensions: readonly DimensionName[]; readonly metrics: readonly ResizerMetric[]; readonly onError?: true }[] = [
  { dimensions: ["FunctionName", "OriginMode"], metrics: ["Requests", "ColdStarts", "FetchTime", "TransformTime", "TotalTime", "OriginalBytes", "ResponseBytes"] },
  { dimensions: ["FunctionName", "OriginMode", "StatusClass"], metrics: ["Requests"] },
  { dimensions: ["FunctionName", "OriginMode", "ErrorCode"], metrics: ["Errors"], onError: true },
];

/** The status classes StatusClass takes. */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;

/** What one request's line says, as the metrics read it. */
export interface MeasuredRequest {
  readonly originMode: "function-url" | "object-lambda";
  readonly status?: number;
  readonly errorCode?: string;
  readonly bytes?: number;
  readonly contentType?: string;
  readonly originalBytes?: number;
  /** Step durations, ms (fetch, transform, ...; "total" for the whole). */
  readonly timings?: Readonly<Record<string, number>>;
}

/**
 * The EMF members of one request's line: `_aws` (the metadata: timestamp and the directives) and the dimension and
 * metric values as top-level members ("Valid targets MUST be members on the root node"). A metric without a value in
 * this request (no fetch for a refused parameter, no transform for an original) is left out of the directives, as
 * the root "MUST contain all Target members". Spread the request's own fields beside it.
 */
export function embeddedMetrics(request: MeasuredRequest, context: { functionName: string; coldStart: boolean; now: number }): Record<string, unknown> {
  const status = request.status ?? 500;
  const errorCode = request.errorCode !== undefined && request.errorCode in ERRORS ? (request.errorCode as ErrorCode) : undefined;
  const values: Partial<Record<ResizerMetric, number>> = {
    Requests: 1,
    ColdStarts: context.coldStart ? 1 : 0,
    FetchTime: rounded(request.timings?.fetch),
    TransformTime: rounded(request.timings?.transform),
    TotalTime: rounded(request.timings?.total),
    OriginalBytes: request.originalBytes,
    ResponseBytes: request.bytes,
    Errors: errorCode === undefined ? undefined : 1,
  };
  const dimensions: Record<DimensionName, string | undefined> = {
    FunctionName: context.functionName,
    OriginMode: request.originMode,
    StatusClass: STATUS_CLASSES[Math.min(3, Math.max(0, Math.floor(status / 100) - 2))],
    ErrorCode: errorCode,
  };
  const directives = METRIC_DIRECTIVES.filter((directive) => !directive.onError || errorCode !== undefined).map((directive) => ({
    Namespace: METRICS_NAMESPACE,
    Dimensions: [directive.dimensions],
    Metrics: directive.metrics.filter((name) => values[name] !== undefined).map((name) => ({ Name: name, Unit: RESIZER_METRICS[name].unit })),
  }));
  const members: Record<string, unknown> = { _aws: { Timestamp: context.now, CloudWatchMetrics: directives } };
  // A property, not a dimension (each would be billed): the format answered, for Logs Insights ("avif", "json").
  const format = /^(image|application)\/([a-z0-9.+-]+)/.exec(request.contentType ?? "")?.[2];
  if (format !== undefined) members.OutputFormat = format;
  for (const [name, value] of Object.entries(dimensions)) if (value !== undefined) members[name] = value;
  for (const [name, value] of Object.entries(values)) if (value !== undefined) members[name] = value;
  return members;
}

function rounded(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}

/**
 * The purge function's metrics: CloudFront publishes none for invalidations, so the function counts its own, by its
 * name only (three custom metrics).
 */
export const PURGE_METRICS = {
  Invalidations: { unit: "Count", doc: "invalidations created" },
  InvalidatedPaths: { unit: "Count", doc: "paths in the invalidations created" },
  InvalidationFailures: { unit: "Count", doc: "invalidations CloudFront refused (their messages return to the queue)" },
} as const satisfies Record<string, { unit: MetricUnit; doc: string }>;
export type PurgeMetric = keyof typeof PURGE_METRICS;
export const PURGE_METRIC_DIMENSIONS: readonly DimensionName[] = ["FunctionName"];

/** The EMF members of one purge log line with these metric values. */
export function purgeEmbeddedMetrics(values: Partial<Record<PurgeMetric, number>>, context: { functionName: string; now: number }): Record<string, unknown> {
  const names = (Object.keys(PURGE_METRICS) as PurgeMetric[]).filter((name) => values[name] !== undefined);
  if (names.length === 0) return {};
  return {
    _aws: { Timestamp: context.now, CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [PURGE_METRIC_DIMENSIONS], Metrics: names.map((name) => ({ Name: name, Unit: PURGE_METRICS[name].unit })) }] },
    FunctionName: context.functionName,
    ...Object.fromEntries(names.map((name) => [name, values[name]])),
  };
}

const UNIT_SUFFIX: Record<MetricUnit, string> = { Count: "", Milliseconds: " ms", Bytes: " B" };

/**
 * The metrics of one line as a person reads them (the preview's request line): the dimensions that vary by request,
 * then each metric with its unit, e.g. "StatusClass=2xx · Requests 1, FetchTime 2.1 ms, ResponseBytes 15800 B".
 */
export function metricsSummary(members: Readonly<Record<string, unknown>>): string {
  const dimensions = [METRIC_DIMENSIONS.statusClass, METRIC_DIMENSIONS.errorCode].filter((name) => members[name] !== undefined).map((name) => `${name}=${String(members[name])}`);
  const metrics = (Object.keys(RESIZER_METRICS) as ResizerMetric[]).filter((name) => typeof members[name] === "number").map((name) => `${name} ${String(members[name])}${UNIT_SUFFIX[RESIZER_METRICS[name].unit]}`);
  return `${dimensions.join(" ")} · ${metrics.join(", ")}`;
}
