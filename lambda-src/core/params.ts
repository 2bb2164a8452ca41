/**
 * Parses the URL contract's query into a ResizeRequest, each parameter as contract.ts declares it.
 * Pure and strict: anything the CloudFront Function would not have produced is a 400 that names
 * the parameter, so a malformed URL never reaches sharp and never creates a cache variant.
 */
import {
  decimalSteps,
  HINTED_WIDTH,
  integerBounds,
  OTHER_ANSWERS,
  parameterDefault,
  PARAMETERS,
  RESIZE_PARAMS,
  snappedColor,
  snappedDecimal,
  type Fit,
  type OutputFormat,
  type ParameterDeclaration,
  type Position,
  type RequestedFormat,
  type ResizeParam,
  type ResizerConfig,
} from "./contract";
import { httpError } from "./errors";

export type { Fit, OutputFormat, Position };

export interface ResizeRequest {
  /** Output pixels: `w` times `dpr`, at most the configured maximum. */
  width?: number;
  height?: number;
  fit: Fit;
  /** `fit=cover`: what the crop keeps (sharp's position); undefined: the centre, or the focal point. */
  position?: Position;
  /** `fit=cover`: the point (0-1 of the upright, rotated image) kept in frame and as central as the crop allows. */
  focal?: { x: number; y: number };
  /** Degrees clockwise after the EXIF orientation. */
  rotate?: 90 | 180 | 270;
  /** Mirrored top to bottom, then left to right (after rotate). */
  flip?: true;
  flop?: true;
  blur?: number;
  sharpen?: number;
  /** `#rgb`: contain's bars and what alpha flattens onto in a JPEG. */
  background?: string;
  format: RequestedFormat;
  quality: number;
  /** True when none of the contract's parameters was given: serve the original bytes. */
  original: boolean;
}

/** Canonical decimal only: no sign, no leading zero, no exponent or fraction, so one value has one spelling (one cache key). */
const CANONICAL_POSITIVE_INTEGER = /^[1-9][0-9]*$/;
const DECIMAL = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;
const HEX_COLOR = /^([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
/** Echoed values are cut short: the message is a reason, not a mirror for arbitrary input. */
const MAX_ECHO_LENGTH = 32;

export function isOriginalRequest(query: URLSearchParams): boolean {
  return RESIZE_PARAMS.every((name) => !query.has(name));
}

type Given = { -readonly [P in ResizeParam]?: string | number };

/**
 * `form`: "normalized", the query the edge wrote (x-resize-params: w and h already times dpr, so an allowed width
 * times a dpr passes the allow-list), or "viewer", a query as a viewer sends it to the edge (presets, the signer):
 * allow-lists hold the CSS width itself.
 */
export function parseResizeQuery(query: URLSearchParams, config: ResizerConfig, form: "normalized" | "viewer" = "normalized"): ResizeRequest {
  const given = parsedValues(query, config, form);
  if (given.format === OTHER_ANSWERS.facts.format && Object.keys(given).length > 1) {
    throw httpError("InvalidParameter", `format=${OTHER_ANSWERS.facts.format} describes the original: give it alone`);
  }
  const fit = (given.fit as Fit | undefined) ?? PARAMETERS.fit.default;
  const cropping = [given.pos, given.fx, given.fy].some((value) => value !== undefined);
  if (cropping && fit !== "cover") throw httpError("InvalidParameter", "pos, fx and fy apply to fit=cover only");
  if (given.pos !== undefined && (given.fx !== undefined || given.fy !== undefined)) throw httpError("InvalidParameter", "pos and fx/fy exclude each other: give one");
  const request: ResizeRequest = {
    fit,
    format: (given.format as RequestedFormat | undefined) ?? PARAMETERS.format.default,
    quality: (given.q as number | undefined) ?? config[PARAMETERS.q.default],
    original: isOriginalRequest(query),
  };
  // w=auto in a viewer's query: what the edge picks from client hints; without any, the fallback width.
  if (given.w !== undefined) request.width = given.w === HINTED_WIDTH ? (config.clientHints as NonNullable<ResizerConfig["clientHints"]>).fallbackWidth : given.w as number;
  if (given.h !== undefined) request.height = given.h as number;
  if (given.pos !== undefined && given.pos !== PARAMETERS.pos.default) request.position = given.pos as Position;
  if (given.fx !== undefined || given.fy !== undefined) request.focal = { x: (given.fx as number | undefined) ?? 0.5, y: (given.fy as number | undefined) ?? 0.5 };
  if (given.flip !== undefined) request.flip = true;
  if (given.flop !== undefined) request.flop = true;
  if (given.rotate !== undefined) request.rotate = given.rotate as 90 | 180 | 270;
  if (given.blur !== undefined) request.blur = given.blur as number;
  if (given.sharpen !== undefined) request.sharpen = given.sharpen as number;
  if (given.bg !== undefined) request.background = `#${given.bg as string}`;
  return request;
}

/**
 * The query as the edge normalizes it (its x-resize-params): each value in its one spelling, dpr folded into w and
 * h (capped at the limits), defaults dropped, the keys sorted; `format=auto` alone when every value was a default;
 * "" for none (the original). A viewer's query: allow-lists hold the CSS width. `deploymentDefaults: false` keeps a
 * value whose default is the deployment's (q), for callers that do not know it (the page helpers). Throws the
 * edge's reason for a bad value (modules/edge/viewer-request.js holds the edge's copy; a test runs both).
 */
export function canonicalQuery(query: URLSearchParams, config: ResizerConfig, options: { deploymentDefaults?: boolean } = {}): string {
  const values = parsedValues(query, config, "viewer");
  if (Object.keys(values).length === 0) return "";
  const pairs = RESIZE_PARAMS.filter((name) => {
    const value = values[name];
    if (value === undefined || name === "dpr") return false;
    const declaration: ParameterDeclaration = PARAMETERS[name];
    if (declaration.type === "integer" && options.deploymentDefaults === false) return true;
    return String(value) !== String(parameterDefault(declaration, config));
  }).map((name) => `${name}=${String(values[name])}`);
  return pairs.length === 0 ? `format=${PARAMETERS.format.default}` : pairs.join("&");
}

/**
 * Each parameter given, in its one spelling, checked in the edge's order (sorted, so that of two bad parameters
 * both name the same one); w and h in output pixels: times dpr (kept, for the checks that count what was given),
 * capped at the configured maximum, as the edge folds them.
 */
function parsedValues(query: URLSearchParams, config: ResizerConfig, form: "normalized" | "viewer"): Given {
  const values: Given = {};
  for (const name of RESIZE_PARAMS) {
    const raw = single(query, name);
    if (raw !== undefined) values[name] = parseValue(name, PARAMETERS[name], raw, config, form);
  }
  // With w=auto the hints carry the device's ratio: dpr is ignored (not folded into h either), as at the edge.
  const dpr = values.w === HINTED_WIDTH ? 1 : (values.dpr as number | undefined) ?? 1;
  if (values.w !== undefined && values.w !== HINTED_WIDTH) values.w = Math.min(Math.round((values.w as number) * dpr), config.maxWidth);
  if (values.h !== undefined) values.h = Math.min(Math.round((values.h as number) * dpr), config.maxHeight);
  return values;
}

/** One parameter's value by its declaration, in its one spelling (a number for integers and decimals). */
function parseValue(name: ResizeParam, declaration: ParameterDeclaration, raw: string, config: ResizerConfig, form: "normalized" | "viewer"): string | number {
  switch (declaration.type) {
    case "choice":
      if (!declaration.values.includes(raw)) throw httpError("InvalidParameter", `${name} must be one of ${declaration.values.join(", ")}, got ${echo(raw)}`);
      return raw;
    case "decimal": {
      const value = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!(value >= declaration.min && value <= declaration.max)) {
        throw httpError("InvalidParameter", `${name} must be a number from ${declaration.min} to ${declaration.max}, got ${echo(raw)}`);
      }
      return Number(snappedDecimal(value, declaration.step));
    }
    case "color":
      if (!HEX_COLOR.test(raw)) throw httpError("InvalidParameter", `${name} must be 3 or 6 hex digits (rgb or rrggbb), got ${echo(raw)}`);
      return snappedColor(raw);
    case "integer": {
      // Only a viewer's query holds it: the edge writes the width it chose.
      if (declaration.hinted && raw === HINTED_WIDTH && form === "viewer" && config.clientHints !== undefined) return raw;
      const { max, allowed } = integerBounds(declaration, config);
      const value = CANONICAL_POSITIVE_INTEGER.test(raw) ? Number(raw) : NaN;
      if (!(value >= 1 && value <= max)) throw httpError("InvalidParameter", `${name} must be an integer from 1 to ${max}, got ${echo(raw)}`);
      // w and h arrive from the edge already multiplied by dpr (and capped): an allowed value times a dpr passes.
      const folded = form === "normalized" && (name === "w" || name === "h") ? allowed.flatMap((a) => decimalSteps(PARAMETERS.dpr).map((d) => Math.min(Math.round(a * d), max))) : allowed;
      if (allowed.length > 0 && !folded.includes(value)) throw httpError("InvalidParameter", `${name} must be one of ${allowed.join(", ")}, got ${echo(raw)}`);
      return value;
    }
  }
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
