/**
 * Reads a log line as CloudWatch reads Embedded Metric Format, checking each rule of "Specification: Embedded metric
 * format" (CloudWatch User Guide) that a line can break, and returns the metric datapoints CloudWatch would extract.
 * A broken rule throws, naming it.
 */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

/** The specification's units ("Values SHOULD be valid CloudWatch metric units"; the schema's enumeration). */
const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits",
  "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
  "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
  "Terabits/Second", "Count/Second", "None",
]);

function rule(holds: boolean, text: string): void {
  if (!holds) throw new Error(`not EMF: ${text}`);
}

export function emfMetrics(line: string): ExtractedMetric[] {
  rule(Buffer.byteLength(line) <= 1024 * 1024, "a log event is limited to 1 MB");
  rule(!line.includes("\n"), "one log event is one line");
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    throw new Error("not EMF: the LogEvent message MUST be a valid JSON object with no additional data at the beginning or end");
  }
  rule(typeof root === "object" && root !== null && !Array.isArray(root), "the message MUST be a JSON object");
  const members = root as Record<string, unknown>;
  const aws = members._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  rule(typeof aws === "object" && aws !== null, "the root node MUST contain the _aws metadata object");
  rule(Number.isInteger(aws?.Timestamp) && (aws?.Timestamp as number) > 0, "Timestamp MUST be milliseconds since the epoch, an integer");
  rule(Array.isArray(aws?.CloudWatchMetrics), "CloudWatchMetrics MUST be an array of MetricDirective objects");
  const extracted: ExtractedMetric[] = [];
  for (const directive of aws?.CloudWatchMetrics as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }[]) {
    rule(typeof directive.Namespace === "string" && directive.Namespace.length >= 1 && directive.Namespace.length <= 1024, "Namespace MUST be a string of 1-1024 characters");
    rule(Array.isArray(directive.Dimensions) && directive.Dimensions.length >= 1, "Dimensions MUST be an array of DimensionSet arrays");
    rule(Array.isArray(directive.Metrics) && directive.Metrics.length <= 100, "Metrics MUST NOT contain more than 100 MetricDefinition objects");
    for (const set of directive.Dimensions as unknown[]) {
      rule(Array.isArray(set) && set.length <= 30, "a DimensionSet MUST NOT contain more than 30 dimension keys");
      for (const key of set as unknown[]) {
        const value = members[key as string];
        rule(typeof key === "string", "dimension keys are strings");
        rule(typeof value === "string" && value.length >= 1 && value.length <= 1024, `dimension ${String(key)} MUST have a string value on the root node of at most 1024 characters`);
      }
    }
    for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      rule(typeof metric.Name === "string" && metric.Name.length >= 1 && metric.Name.length <= 1024, "a metric's Name MUST be a string of 1-1024 characters");
      rule(metric.Unit === undefined || UNITS.has(metric.Unit as string), `${String(metric.Name)}'s Unit SHOULD be a CloudWatch unit`);
      const target = members[metric.Name as string];
      const values = Array.isArray(target) ? target : [target];
      rule(values.length >= 1 && values.length <= 100 && values.every((value) => typeof value === "number" && Number.isFinite(value)),
        `${String(metric.Name)}: the root node MUST contain its target, a number or an array of at most 100 numbers`);
      for (const set of directive.Dimensions as string[][]) {
        extracted.push({
          namespace: directive.Namespace as string,
          name: metric.Name as string,
          unit: (metric.Unit as string | undefined) ?? "None",
          dimensions: Object.fromEntries(set.map((key) => [key, members[key] as string])),
          values: values as number[],
        });
      }
    }
  }
  return extracted;
}

/** The one datapoint of `name` with exactly these dimensions, or undefined. */
export function metricValue(metrics: readonly ExtractedMetric[], name: string, dimensions: Readonly<Record<string, string>>): number | undefined {
  const found = metrics.filter((metric) => metric.name === name && JSON.stringify(Object.entries(metric.dimensions).sort()) === JSON.stringify(Object.entries(dimensions).sort()));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(dimensions)} is emitted ${found.length} times in one line`);
  return found[0]?.values[0];
}
