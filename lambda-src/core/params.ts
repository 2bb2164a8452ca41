/**
 * Parses the URL contract's query (`w`, `h`, `fit`, `format`, `q`) into a ResizeRequest.
 * Pure and strict: anything the CloudFront Function would not have produced is a 400 that names
 * the parameter, so a malformed URL never reaches sharp and never creates a cache variant.
 */
import { DEFAULT_FIT, DEFAULT_FORMAT, FITS, MAX_QUALITY, OUTPUT_FORMATS, RESIZE_PARAMS, type Fit, type OutputFormat, type ResizeParam, type ResizerConfig } from "./contract";
import { httpError } from "./errors";

export type { Fit, OutputFormat };

export interface ResizeRequest {
  width?: number;
  height?: number;
  fit: Fit;
  format: OutputFormat;
  quality: number;
  /** True when none of the contract's parameters was given: serve the original bytes. */
  original: boolean;
}

/** Canonical decimal only: no sign, no leading zero, no exponent or fraction, so one value has one spelling (one cache key). */
const CANONICAL_POSITIVE_INTEGER = /^[1-9][0-9]*$/;
/** Echoed values are cut short: the message is a reason, not a mirror for arbitrary input. */
const MAX_ECHO_LENGTH = 32;

export function isOriginalRequest(query: URLSearchParams): boolean {
  return RESIZE_PARAMS.every((name) => !query.has(name));
}

export function parseResizeQuery(query: URLSearchParams, config: ResizerConfig): ResizeRequest {
  const w = single(query, "w");
  const h = single(query, "h");
  const fit = single(query, "fit");
  const format = single(query, "format");
  const q = single(query, "q");
  const request: ResizeRequest = {
    fit: fit === undefined ? DEFAULT_FIT : oneOf("fit", fit, FITS),
    format: format === undefined ? DEFAULT_FORMAT : oneOf("format", format, OUTPUT_FORMATS),
    quality: q === undefined ? config.defaultQuality : integerInRange("q", q, MAX_QUALITY),
    original: isOriginalRequest(query),
  };
  if (w !== undefined) request.width = dimension("w", w, config.maxWidth, config.allowedWidths);
  if (h !== undefined) request.height = dimension("h", h, config.maxHeight, config.allowedHeights);
  return request;
}

/** The parameter's only value, or undefined when absent; repeated or empty is a 400. */
function single(query: URLSearchParams, name: ResizeParam): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw httpError("InvalidParameter", `${name} must be given at most once, got ${values.length} values`);
  const value = values[0] as string;
  if (value === "") throw httpError("InvalidParameter", `${name} must not be empty`);
  return value;
}

function integerInRange(name: ResizeParam, raw: string, max: number): number {
  const value = CANONICAL_POSITIVE_INTEGER.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) {
    throw httpError("InvalidParameter", `${name} must be an integer from 1 to ${max}, got ${echo(raw)}`);
  }
  return value;
}

function dimension(name: "w" | "h", raw: string, max: number, allowed: readonly number[]): number {
  const value = integerInRange(name, raw, max);
  if (allowed.length > 0 && !allowed.includes(value)) {
    throw httpError("InvalidParameter", `${name} must be one of ${allowed.join(", ")}, got ${echo(raw)}`);
  }
  return value;
}

function oneOf<T extends string>(name: ResizeParam, raw: string, choices: readonly T[]): T {
  const match = choices.find((choice) => choice === raw);
  if (match === undefined) throw httpError("InvalidParameter", `${name} must be one of ${choices.join(", ")}, got ${echo(raw)}`);
  return match;
}

function echo(raw: string): string {
  const shown = raw.length > MAX_ECHO_LENGTH ? `${raw.slice(0, MAX_ECHO_LENGTH)}...` : raw;
  return JSON.stringify(shown);
}
