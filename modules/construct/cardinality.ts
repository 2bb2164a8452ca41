/**
 * How many variants one original can have in the cache under a deployment: each parameter's values in the cache key
 * (one spelling each, defaults dropped, dpr folded into w and h) and the Accept tokens of format=auto. The README's
 * cardinality table and `npm run cost` read these; pure.
 */
import {
  ACCEPT_TOKENS,
  decimalSteps,
  HINTED_WIDTH,
  integerBounds,
  PARAMETER_NAMES,
  PARAMETERS,
  type ParameterDeclaration,
  type ResizeParam,
  type ResizerConfig,
} from "../../lambda-src/core/contract";

/** A parameter's values in the cache key besides absent, under `config` (w and h: each allowed value at each dpr). */
export function cacheKeyValues(name: ResizeParam, config: ResizerConfig): number {
  const declaration: ParameterDeclaration = PARAMETERS[name];
  const dropped = declaration.default === null ? 0 : 1;
  switch (declaration.type) {
    case "choice":
      return declaration.values.length - dropped;
    case "decimal":
      return name === "dpr" ? 0 : decimalSteps(declaration).length - dropped;
    case "color":
      return 16 ** 3;
    case "integer": {
      const { max, allowed } = integerBounds(declaration, config);
      if (allowed.length === 0) return max - dropped;
      if (name !== "w" && name !== "h") return allowed.length;
      return new Set(allowed.flatMap((value) => decimalSteps(PARAMETERS.dpr).map((dpr) => Math.min(Math.round(value * dpr), max)))).size;
    }
  }
}

/** What bounds a deployment's variants: its limits and allow-lists, its presets (as the edge holds them) and onlyPresets. */
export interface CardinalityInput {
  readonly config: ResizerConfig;
  readonly presets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly onlyPresets: boolean;
}

/**
 * The most variants one original can have: with onlyPresets, each preset once per Accept token when its format is
 * negotiated (one otherwise), times the client-hint ladder for a preset of w=auto; else the product over the
 * parameters of their values plus absent, format=auto counted once per Accept token, and the facts (format=json)
 * once. An upper bound (pos, fx and fy need fit=cover, which the product ignores); the original is not a variant.
 */
export function variantsPerOriginalBound(input: CardinalityInput): number {
  const negotiated = (format: string | undefined): boolean => format === undefined || format === PARAMETERS.format.default;
  if (input.onlyPresets) {
    const ladder = input.config.clientHints?.widths.length ?? 1;
    return Object.values(input.presets).reduce((sum, preset) => sum + (negotiated(preset.format) ? ACCEPT_TOKENS.length : 1) * (preset.w === HINTED_WIDTH ? ladder : 1), 0);
  }
  const others = PARAMETER_NAMES.filter((name) => name !== "format").reduce((product, name) => product * (cacheKeyValues(name, input.config) + 1), 1);
  // Per combination of the others: format=auto once per Accept token, and each other image format once.
  const imageFormats = ACCEPT_TOKENS.length + cacheKeyValues("format", input.config) - 1;
  // format=json (the facts) takes no other parameter: one answer.
  return others * imageFormats + 1;
}
