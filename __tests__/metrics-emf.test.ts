/**
 * The resizer's log line as CloudWatch's Embedded Metric Format: valid by the specification's rules (support/emf.ts),
 * the declared dimension sets only, and the values CloudWatch would extract for a success, a 4xx, a 5xx and a timeout.
 * The bundle's own lines, through both adapters, are checked in the e2e suites with the same reader.
 */
import { ERRORS } from "../lambda-src/core/errors";
import { METRIC_DIRECTIVES, METRICS_NAMESPACE, RESIZER_METRICS, STATUS_CLASSES } from "../lambda-src/core/metrics";
import { requestLogRecord, stdoutLog, type RequestLog } from "../lambda-src/shared/settings";
import { emfMetrics, metricValue } from "./support/emf";

const CONTEXT = { functionName: "images-resizer", coldStart: false, now: 1_764_000_000_000 };
const line = (entry: RequestLog, adapter: "function-url" | "object-lambda" = "function-url", context = CONTEXT) => JSON.stringify(requestLogRecord(adapter, entry, context));
const BASE = { FunctionName: "images-resizer", OriginMode: "function-url" };

describe("the resizer's log line in Embedded Metric Format", () => {
  it("a success: every metric once under {FunctionName, OriginMode}, Requests again under its status class, no Errors", () => {
    const metrics = emfMetrics(line({ requestId: "r1", key: "a.jpg", params: "w=100", status: 200, bytes: 15_800, originalBytes: 1_800_000, contentType: "image/avif", timings: { fetch: 12.34, transform: 80.06, total: 95.5 } }));
    expect(new Set(metrics.map((metric) => metric.namespace))).toEqual(new Set([METRICS_NAMESPACE]));
    expect(metricValue(metrics, "Requests", BASE)).toBe(1);
    expect(metricValue(metrics, "Requests", { ...BASE, StatusClass: "2xx" })).toBe(1);
    expect(metricValue(metrics, "ColdStarts", BASE)).toBe(0);
    expect(metricValue(metrics, "FetchTime", BASE)).toBe(12.3);
    expect(metricValue(metrics, "TransformTime", BASE)).toBe(80.1);
    expect(metricValue(metrics, "TotalTime", BASE)).toBe(95.5);
    expect(metricValue(metrics, "OriginalBytes", BASE)).toBe(1_800_000);
    expect(metricValue(metrics, "ResponseBytes", BASE)).toBe(15_800);
    expect(metrics.filter((metric) => metric.name === "Errors")).toEqual([]);
    for (const metric of metrics) expect(metric.unit).toBe(RESIZER_METRICS[metric.name as keyof typeof RESIZER_METRICS].unit);
    // The output format rides along as a property (no dimension: no metric billed for it).
    expect(JSON.parse(line({ status: 200, contentType: "image/avif", timings: { total: 1 } }))).toMatchObject({ OutputFormat: "avif" });
    expect(metrics.some((metric) => "OutputFormat" in metric.dimensions)).toBe(false);
  });

  it("a 4xx before the fetch: Errors by its code, StatusClass 4xx, no fetch or transform time (their targets would be missing)", () => {
    const metrics = emfMetrics(line({ status: 400, errorCode: "InvalidParameter", error: "w must be an integer", timings: { total: 0.4 } }));
    expect(metricValue(metrics, "Errors", { ...BASE, ErrorCode: "InvalidParameter" })).toBe(1);
    expect(metricValue(metrics, "Requests", { ...BASE, StatusClass: "4xx" })).toBe(1);
    expect(metrics.some((metric) => metric.name === "FetchTime" || metric.name === "TransformTime")).toBe(false);
  });

  it("a 5xx and a timeout through Object Lambda: StatusClass 5xx, ErrorCode OriginUnreachable and Timeout", () => {
    const lambda = { FunctionName: "images-resizer", OriginMode: "object-lambda" };
    const unreachable = emfMetrics(line({ status: 502, errorCode: "OriginUnreachable", timings: { fetch: 3, total: 4 } }, "object-lambda"));
    expect(metricValue(unreachable, "Errors", { ...lambda, ErrorCode: "OriginUnreachable" })).toBe(1);
    expect(metricValue(unreachable, "Requests", { ...lambda, StatusClass: "5xx" })).toBe(1);
    const timeout = emfMetrics(line({ status: 504, errorCode: "Timeout", timings: { fetch: 1350, total: 1351 } }, "object-lambda"));
    expect(metricValue(timeout, "Errors", { ...lambda, ErrorCode: "Timeout" })).toBe(1);
    expect(metricValue(timeout, "FetchTime", lambda)).toBe(1350);
  });

  it("keeps the cardinality fixed: only the declared dimension sets, only known error codes, the first request a cold start", () => {
    const declared = new Set(METRIC_DIRECTIVES.map((directive) => JSON.stringify([...directive.dimensions].sort())));
    const lines = [
      line({ status: 200, timings: { total: 1 } }),
      line({ status: 304, timings: { total: 1 } }),
      ...Object.keys(ERRORS).map((code) => line({ status: 500, errorCode: code, timings: { total: 1 } })),
      // A code from nowhere (a bug) becomes no dimension value: no new metric.
      line({ status: 500, errorCode: "x".repeat(40), timings: { total: 1 } }),
    ];
    const seen = lines.flatMap(emfMetrics);
    for (const metric of seen) expect(declared.has(JSON.stringify(Object.keys(metric.dimensions).sort()))).toBe(true);
    const errorCodes = new Set(seen.filter((metric) => metric.name === "Errors").map((metric) => metric.dimensions.ErrorCode));
    expect([...errorCodes].sort()).toEqual(Object.keys(ERRORS).sort());
    expect(new Set(seen.map((metric) => metric.dimensions.StatusClass).filter(Boolean))).toEqual(new Set(["2xx", "3xx", "5xx"]));
    // The bound the module states: 7 + 4 status classes + one per error code.
    expect(METRIC_DIRECTIVES[0]!.metrics.length + STATUS_CLASSES.length + Object.keys(ERRORS).length).toBe(23);
  });

  it("without monitoring (KIT_METRICS=off) the line carries no metrics: the same fields, no _aws", () => {
    const record = requestLogRecord("function-url", { status: 200, timings: { total: 1 } }, { ...CONTEXT, metrics: false });
    expect(record).toEqual({ source: "resizer", adapter: "function-url", status: 200, timings: { total: 1 } });
    expect(() => emfMetrics(JSON.stringify(record))).toThrow(/_aws/);
  });

  it("is written to stdout as one line per request (not console.log, which Lambda's JSON log format would wrap); the first is the cold start", () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const consoleLog = jest.spyOn(console, "log");
    try {
      const sink = stdoutLog("images-resizer");
      sink("function-url", { status: 200, error: "a message\nwith a newline", timings: { total: 1 } });
      sink("function-url", { status: 200, timings: { total: 1 } });
    } finally {
      write.mockRestore();
      consoleLog.mockRestore();
    }
    expect(consoleLog).not.toHaveBeenCalled();
    expect(written).toHaveLength(2);
    for (const chunk of written) expect(chunk.endsWith("\n") && chunk.indexOf("\n") === chunk.length - 1).toBe(true);
    const [first, second] = written.map((chunk) => emfMetrics(chunk.trimEnd()));
    expect(metricValue(first!, "ColdStarts", BASE)).toBe(1);
    expect(metricValue(second!, "ColdStarts", BASE)).toBe(0);
    expect(JSON.parse(written[0]!)).toMatchObject({ source: "resizer", adapter: "function-url", status: 200 });
  });
});
