import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  HINTED_WIDTH,
  integerBounds,
  OBJECT_LAMBDA_METADATA_HEADERS,
  parameterDefault,
  PARAMETERS,
  PRESET_PARAM,
  RESIZE_ACCEPT_HEADER,
  RESIZE_PARAMS,
  RESIZE_PARAMS_HEADER,
  SERVED_METHODS,
  type ParameterDeclaration,
  type ResizeParam,
  type ResizerConfig,
} from "../../lambda-src/core/contract";
import { EXPIRES_PARAM, MIN_SIGNING_KEY_LENGTH, SIGNATURE_PARAM, SIGNING_KEY_SLOTS } from "../construct/signing";
import type { ResolvedProps } from "../construct/validate-props";

/** The distribution's origins: the resizer (variants, the cache behavior's target) and the bucket itself (originals). */
export const RESIZER_ORIGIN_ID = "resizer";
export const ORIGINALS_ORIGIN_ID = "originals";

/**
 * The distribution's allowed methods: GET and HEAD, and OPTIONS with CORS, which the viewer-request function
 * answers itself (CloudFront would forward a preflight to the origin, which cannot answer it). CloudFront refuses
 * any other method with 403 before running the function.
 */
export function allowedMethods(cors: boolean): string[] {
  return cors ? [...SERVED_METHODS, "OPTIONS"] : [...SERVED_METHODS];
}

/** CloudFront Functions refuse code over 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10_240;

export type EdgeScriptKind = "plain" | "signed";

/**
 * The viewer-request function's script before its CONFIG values and imports: the normalizer, the kit's one Accept
 * reader (shared with the resizer), and the signature check or a plain handler. Readable sources in modules/edge and
 * lambda-src/core.
 */
export function edgeScriptSource(kind: EdgeScriptKind): string {
  const read = (...path: string[]) => readFileSync(join(__dirname, ...path), "utf8");
  const acceptToken = read("..", "..", "lambda-src", "core", "accept-token.js").replace(/^module\.exports = .*\n/m, "");
  const handler = kind === "signed" ? read("viewer-request-signing.js") : "function handler(event) {\n  return normalize(event);\n}\n";
  return `${read("viewer-request.js")}\n${acceptToken}\n${handler}`;
}

/**
 * The contract's constants the edge scripts name as CONTRACT.*: fixed for every deployment, so they are written in
 * as literals when the script is minified rather than carried in each deployment's CONFIG (bytes the 10 KB limit
 * counts twice: the name in CONFIG and every read of it).
 */
export const EDGE_CONTRACT = {
  preset: PRESET_PARAM,
  paramsHeader: RESIZE_PARAMS_HEADER,
  acceptHeader: RESIZE_ACCEPT_HEADER,
  signatureParam: SIGNATURE_PARAM,
  expiresParam: EXPIRES_PARAM,
  keySlots: SIGNING_KEY_SLOTS,
  minKeyLength: MIN_SIGNING_KEY_LENGTH,
  hintedWidth: HINTED_WIDTH,
} as const;

/**
 * esbuild's target for CloudFront Functions runtime 2.0 ("JavaScript runtime 2.0 features"): ES 5.1 and, of ES 6-12,
 * only const/let, arrow functions, template literals, the exponent operator, async/await and named capture groups.
 * Rest parameters are supported too, but esbuild's flag for them also lets call spread through, which the page
 * does not list: left out, so both are lowered. Everything else (destructuring, spread, optional chaining, default
 * parameters, for-of, classes) stays out of the output: lowered, or esbuild fails rather than emit it.
 */
export const EDGE_ESBUILD_OPTIONS = {
  minify: true,
  target: "es5",
  supported: { "const-and-let": true, arrow: true, "template-literal": true, "exponent-operator": true, "async-await": true, "regexp-named-capture-groups": true },
  legalComments: "none",
  charset: "utf8",
  define: Object.fromEntries(Object.entries(EDGE_CONTRACT).map(([name, value]) => [`CONTRACT.${name}`, JSON.stringify(value)])),
} as const;

export function minifiedEdgeScriptFile(kind: EdgeScriptKind): string {
  return `viewer-request-${kind}.min.js`;
}

const minifiedScripts = new Map<EdgeScriptKind, string>();

/**
 * The minified script: the package ships it (built at prepack), a checkout makes it with the pinned esbuild (a
 * devDependency). Top-level names (CONFIG, handler, normalize) are kept: a script's globals are not renamed.
 */
function minifiedEdgeScript(kind: EdgeScriptKind): string {
  const known = minifiedScripts.get(kind);
  if (known !== undefined) return known;
  const shipped = join(__dirname, minifiedEdgeScriptFile(kind));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild (a devDependency) only when no shipped script
  const script = existsSync(shipped) ? readFileSync(shipped, "utf8") : (require("esbuild") as typeof import("esbuild")).transformSync(edgeScriptSource(kind), EDGE_ESBUILD_OPTIONS).code;
  minifiedScripts.set(kind, script);
  return script;
}
/**
 * The runtime 2.0 modules, first in the code as the helper methods require ("Helper methods for origin
 * modification", "Helper methods for key value stores"): `cloudfront` to choose the originals' origin and, with
 * signing, to read the KeyValueStore (cf.kvs() without an id reads the one store associated with the function);
 * `crypto` for the signature.
 */
export const CLOUDFRONT_IMPORT = "import cf from 'cloudfront';\n";
export const SIGNING_IMPORTS = "import crypto from 'crypto';\nimport cf from 'cloudfront';\nvar kvs = cf.kvs();\n";
/**
 * Object-lambda origin: restores Vary and Server-Timing, which the resizer can only send as metadata; the names are
 * the contract's, written in for RENAMED.
 */
export const VIEWER_RESPONSE_CODE = readFileSync(join(__dirname, "viewer-response.js"), "utf8").replace(
  "RENAMED",
  `{ ${Object.entries(OBJECT_LAMBDA_METADATA_HEADERS).map(([header, metadata]) => `'${metadata}': '${header}'`).join(", ")} }`,
);

/** With `cors`: the preflight answer's allowed origins and max age. */
export type EdgeCors = NonNullable<ResolvedProps["cors"]>;

/**
 * What the viewer-request function is made of besides the resizer's config: the resolved props it needs (presets
 * validated at synth; `signing`: verify signed URLs against the keys in the associated KeyValueStore), and the id of
 * the distribution's origin that serves originals (the bucket itself): requests without resize parameters are sent
 * there; undefined, they are refused with 403 (`originals: "deny"`). The edge and the resizer cannot drift apart:
 * the contract and limits are written in from the resizer's own modules (pure: same config, same code).
 */
export type EdgeOptions = Partial<Pick<ResolvedProps, "cors" | "presets" | "onlyPresets" | "signing">> & {
  readonly originalsOriginId?: string;
};

/** The contract's parameters as the edge checks them (modules/edge/viewer-request.js, canonical), short-named. */
function edgeParameters(config: ResizerConfig): Record<string, readonly unknown[]> {
  return Object.fromEntries(RESIZE_PARAMS.map((name): [string, readonly unknown[]] => {
    const declaration: ParameterDeclaration = PARAMETERS[name];
    switch (declaration.type) {
      case "integer": {
        const { max, allowed } = integerBounds(declaration, config);
        return [name, ["i", max, [...allowed]]];
      }
      case "choice":
        return [name, ["c", declaration.values]];
      case "decimal":
        return [name, ["d", declaration.min, declaration.max, declaration.step]];
      case "color":
        return [name, ["x"]];
    }
  }));
}

/**
 * A preset as the edge expands it: a query without the values the edge drops anyway (defaults), or the one marker of
 * a variant when all were defaults (a preset always asks for a variant). dpr stays unfolded: the allow-lists apply
 * before the fold, as for a request.
 */
function edgePreset(query: Readonly<Record<string, string>>, config: ResizerConfig): string {
  const kept = Object.entries(query).filter(([key, value]) => value !== String(parameterDefault(PARAMETERS[key as ResizeParam], config)));
  return kept.length === 0 ? `format=${PARAMETERS.format.default}` : kept.map(([key, value]) => `${key}=${value}`).join("&");
}

/** The minified script's placeholder for a deployment's CONFIG. */
export const EMPTY_CONFIG = "var CONFIG={}";

export function viewerRequestFunctionCode(config: ResizerConfig, options: EdgeOptions = {}): string {
  const { cors } = options;
  const constants = {
    params: edgeParameters(config),
    defaults: Object.fromEntries(RESIZE_PARAMS.flatMap((name) => {
      const value = parameterDefault(PARAMETERS[name], config);
      return value === undefined ? [] : [[name, String(value)]];
    })),
    errorTtl: config.errorTtl,
    cors: cors ? { allowedOrigins: [...cors.allowedOrigins], maxAgeSeconds: cors.maxAgeSeconds } : null,
    presets: Object.fromEntries(Object.entries(options.presets ?? {}).map(([name, query]) => [name, edgePreset(query, config)])),
    onlyPresets: options.onlyPresets ?? false,
    originals: options.originalsOriginId ?? null,
    hints: config.clientHints ?? null,
  };
  const script = minifiedEdgeScript(options.signing ? "signed" : "plain");
  const [before, after, ...more] = script.split(EMPTY_CONFIG);
  if (after === undefined || more.length > 0) throw new Error(`the minified viewer-request function does not hold ${EMPTY_CONFIG} once`);
  const imports = options.signing ? SIGNING_IMPORTS : options.originalsOriginId ? CLOUDFRONT_IMPORT : "";
  const shipped = `${imports}${before}var CONFIG=${JSON.stringify(constants)}${after}`;
  if (Buffer.byteLength(shipped) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    throw new Error(`ImageCdn: the viewer-request function is ${Buffer.byteLength(shipped)} bytes, over CloudFront's ${CLOUDFRONT_FUNCTION_MAX_BYTES}: shorten resizer.allowedWidths/allowedHeights or presets`);
  }
  return shipped;
}
