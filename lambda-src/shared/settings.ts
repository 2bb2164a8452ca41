/**
 * What a container's requests share, passed to the handlers rather than read from module state: the resizer's
 * configuration, the function's memory and where the request's log line goes. The Lambda entry makes one from
 * its environment; the preview from its own settings.
 */
import { configFromEnv, LAMBDA_FUNCTION_NAME_ENV, memoryFromEnv, type Environment, type ResizerConfig } from "../core/contract";
import { embeddedMetrics, METRICS_ENV } from "../core/metrics";
import { configureSharp } from "../core/transform";

/** Which front door the request came through. */
export type Adapter = "object-lambda" | "function-url";

/** One structured line per request; never holds a presigned URL's query (it carries credentials). */
export interface RequestLog {
  requestId?: string;
  key?: string;
  params?: string;
  method?: string;
  status?: number;
  errorCode?: string;
  error?: string;
  bytes?: number;
  contentType?: string;
  timings?: Record<string, number>;
  origin?: string;
  /** How many parallel ranges the original came in, when more than one. */
  ranges?: number;
  /** The original's size as its store declared it. */
  originalBytes?: number;
}

/** Where a request's log line goes. */
export type LogSink = (adapter: Adapter, entry: RequestLog) => void;

export interface ResizerSettings {
  /** The limits and caching of the URL contract. Throws for a malformed environment: each request then fails with a 500, not the init. */
  config(): ResizerConfig;
  /** The function's memory, MB, as Lambda states it: the limits per format follow it. */
  memoryMb(): number;
  readonly log: LogSink;
}

/** A request's line: its fields and its metrics in CloudWatch's Embedded Metric Format (core/metrics.ts). */
export function requestLogRecord(adapter: Adapter, entry: RequestLog, context: { functionName: string; coldStart: boolean; now: number; metrics?: boolean }): Record<string, unknown> {
  const metrics = context.metrics === false ? {} : embeddedMetrics({ ...entry, originMode: adapter }, context);
  return { ...metrics, source: "resizer", adapter, ...entry };
}

/**
 * Stdout, which Lambda ships to CloudWatch Logs: each line one JSON object, written directly. Not console.log: under
 * the function's JSON log format it nests the line in a `message` field, where CloudWatch finds no metrics (AWS's EMF
 * libraries write to stdout for that reason: "Creating logs in EMF using the client libraries"). JSON.stringify
 * escapes every newline, so a line is one log event. The first request of a container counts as its cold start.
 */
export function stdoutLog(functionName: string, metrics = true): LogSink {
  let coldStart = true;
  return (adapter, entry) => {
    process.stdout.write(`${JSON.stringify(requestLogRecord(adapter, entry, { functionName, coldStart, now: Date.now(), metrics }))}\n`);
    coldStart = false;
  };
}

/** Read from the environment at the first request that needs them, then kept (a malformed one is read again). */
export function settingsFromEnv(env: Environment = process.env, log: LogSink = stdoutLog(env[LAMBDA_FUNCTION_NAME_ENV] ?? "resizer", env[METRICS_ENV] !== "off")): ResizerSettings {
  let config: ResizerConfig | undefined;
  let memoryMb: number | undefined;
  return {
    config: () => {
      configureSharp();
      config ??= configFromEnv(env);
      return config;
    },
    memoryMb: () => (memoryMb ??= memoryFromEnv(env)),
    log,
  };
}

/** Given values (the preview's). */
export function fixedSettings(config: ResizerConfig, memoryMb: number, log: LogSink = stdoutLog("resizer")): ResizerSettings {
  return {
    config: () => {
      configureSharp();
      return config;
    },
    memoryMb: () => memoryMb,
    log,
  };
}
