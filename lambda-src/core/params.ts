/**
 * Parses the URL contract's query into a ResizeRequest, each parameter as contract.ts declares it.
 * Pure and strict: anything the CloudFront Function would not have produced is a 400 that names
 * the parameter, so a malformed URL never reaches sharp and never creates a cache variant.
 */
import {
  integerBounds,
  PARAMETERS,
  RESIZE_PARAMS,
  type Fit,
  type OutputFormat,
  type ParameterDeclaration,
  type ResizeParam,
  type ResizerConfig,
} from "./contract";
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
  const given: Partial<Record<ResizeParam, string | number>> = {};
  // In the edge's order (sorted), so that of two bad parameters both name the same one.
  for (const name of RESIZE_PARAMS) {
    const raw = single(query, name);
    if (raw !== undefined) given[name] = parseValue(name, PARAMETERS[name], raw, config);
  }
  const request: ResizeRequest = {
    fit: (given.fit as Fit | undefined) ?? PARAMETERS.fit.default,
    format: (given.format as OutputFormat | undefined) ?? PARAMETERS.format.default,
    quality: (given.q as number | undefined) ?? config[PARAMETERS.q.default],
    original: isOriginalRequest(query),
  };
  if (given.w !== undefined) request.width = given.w as number;
  if (given.h !== undefined) request.height = given.h as number;
  return request;
}

/** One parameter's value by its declaration: an integer in range (and in its allow-list when set), or one of its choices. */
function parseValue(name: ResizeParam, declaration: ParameterDeclaration, raw: string, config: ResizerConfig): string | number {
  if (declaration.type === "choice") {
    if (!declaration.values.includes(raw)) throw httpError("InvalidParameter", `${name} must be one of ${declaration.values.join(", ")}, got ${echo(raw)}`);
    return raw;
  }
  const { max, allowed } = integerBounds(declaration, config);
  const value = CANONICAL_POSITIVE_INTEGER.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) throw httpError("InvalidParameter", `${name} must be an integer from 1 to ${max}, got ${echo(raw)}`);
  if (allowed.length > 0 && !allowed.includes(value)) throw httpError("InvalidParameter", `${name} must be one of ${allowed.join(", ")}, got ${echo(raw)}`);
  return value;
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

function echo(raw: string): string {
  const shown = raw.length > MAX_ECHO_LENGTH ? `${raw.slice(0, MAX_ECHO_LENGTH)}...` : raw;
  return JSON.stringify(shown);
}
