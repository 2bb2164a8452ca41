/**
 * What a container's requests share, passed to the handlers rather than read from module state: the resizer's
 * configuration, the function's memory and where the request's log line goes. The Lambda entry makes one from
 * its environment; the preview from its own settings.
 */
import { configFromEnv, memoryFromEnv, type Environment, type ResizerConfig } from "../core/contract";
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

/** Stdout, which Lambda ships to CloudWatch. */
export const stdoutLog: LogSink = (adapter, entry) => console.log(JSON.stringify({ source: "resizer", adapter, ...entry }));

/** Read from the environment at the first request that needs them, then kept (a malformed one is read again). */
export function settingsFromEnv(env: Environment = process.env, log: LogSink = stdoutLog): ResizerSettings {
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
export function fixedSettings(config: ResizerConfig, memoryMb: number, log: LogSink = stdoutLog): ResizerSettings {
  return {
    config: () => {
      configureSharp();
      return config;
    },
    memoryMb: () => memoryMb,
    log,
  };
}
