/**
 * `npm run cost -- --views 10000000 --hit-ratio 0.95 --variants-per-object 4`: the monthly bill of serving that
 * traffic, split by line, for this kit's defaults and the two AWS peers' published defaults. The variants per object
 * are bounded by the app's settings (IMAGE_CDN_* and cdktf.json, as `npm run synth` reads them) through the README's
 * cardinality table (modules/construct/cardinality.ts): with onlyPresets the bound is the default. Prices and
 * assumptions: bench/cost-prices.ts. The transformation time is measured here, now, by the resizer core on a real
 * photo (the seed's two variants, format=auto for a current browser), on one core as a Lambda function below
 * 1,769 MB has at most one vCPU; `--transform-ms` replaces it with your own (e.g. from production logs).
 */
import path from "node:path";
import sharp from "sharp";
import * as core from "../lambda-src/core";
import { FIXTURES_DIR } from "../fixtures";
import { existsSync, readFileSync } from "node:fs";
import { EXIT_CODES, parseCommandLine, runCommand, UsageError } from "../modules/cli/command-line";
import { resolveAppSettings, settingErrorLine, settingLookup, unknownSettings } from "../modules/app/app-settings";
import { variantsPerOriginalBound, type CardinalityInput } from "../modules/construct/cardinality";
import { resolveImageCdnProps } from "../modules/construct/validate-props";
import { DEFAULT_RESIZER_CONFIG, type Environment } from "../lambda-src/core/contract";
import { ASSUMPTIONS, PRICES, SETUPS, type Setup } from "./cost-prices";
import { describe as describeImage, VARIANTS } from "./inputs";
import { median, printTable } from "./report";
import { transformFile } from "./resizer";

export interface Scenario {
  readonly views: number;
  readonly hitRatio: number;
  readonly variantsPerObject: number;
  readonly objects: number;
  readonly variantKb: number;
  readonly changes: number;
  readonly spellingsPerVariant: number;
  readonly ioMs: number;
  /** One transformation's CPU time on one full core, ms. */
  readonly transformMs: number;
  /** The kit's `monitoring` (on unless the app's settings turn it off). */
  readonly monitoring?: boolean;
  /** monitoring.cloudfrontAdditionalMetrics: CloudFront bills up to 8 metrics a distribution. */
  readonly additionalMetrics?: boolean;
  /** monitoring.accessLogs to CloudWatch Logs: one record a view, billed per GB delivered. */
  readonly accessLogs?: boolean;
}

export interface CostLine {
  readonly line: string;
  readonly usd: number;
}

const GB = 1024 * 1024; // KB per GB

/** Billed milliseconds of one transformation at this memory: I/O waits as is, CPU work slows below one vCPU. */
export function transformationMs(setup: Setup, scenario: Scenario): number {
  const cpuShare = Math.min(1, setup.memoryMb / PRICES.lambda.memoryPerVcpuMb);
  return scenario.ioMs + scenario.transformMs / cpuShare;
}

/** The month's cost lines for one setup (USD, unrounded). */
export function monthlyCost(setup: Setup, scenario: Scenario): CostLine[] {
  const { views, hitRatio, variantKb } = scenario;
  const distinctVariants = scenario.objects * scenario.variantsPerObject;
  // Every miss reaches the origin; without normalization each spelling of a variant misses on its own.
  const misses = Math.min(views, views * (1 - hitRatio) * (setup.normalizesAtEdge ? 1 : scenario.spellingsPerVariant));
  // With a variant store, only a variant's first miss is transformed (the store answers the later ones).
  const transformations = setup.storesVariants ? Math.min(misses, distinctVariants) : misses;
  const gbSecondPrice = setup.architecture === "arm64" ? PRICES.lambda.gbSecondArm : PRICES.lambda.gbSecondX86;
  const gbSeconds = transformations * (transformationMs(setup, scenario) / 1000) * (setup.memoryMb / 1024);

  let s3Gets = transformations; // each transformation reads its original
  let s3Puts = 0;
  let storageGb = 0;
  let objectLambdaGb = 0;
  let apiGateway = 0;
  if (setup.front === "object-lambda") {
    s3Gets += misses; // CloudFront's GET through the Object Lambda access point is billed as an S3 GET
    objectLambdaGb = (misses * variantKb) / GB;
  } else if (setup.front === "api-gateway-rest") {
    apiGateway = (misses / 1e6) * PRICES.apiGateway.restPerMillion;
  } else if (setup.front === "s3-then-function-url") {
    s3Gets += misses; // the origin group asks the variant store first
    s3Puts = transformations;
    storageGb = (distinctVariants * variantKb) / GB;
  }
  const purgePaths = setup.purgesOnChange ? scenario.changes : 0;
  const lines: CostLine[] = [
    { line: "CloudFront requests", usd: (views / 10_000) * PRICES.cloudFront.httpsRequestsPer10k },
    { line: "CloudFront transfer out", usd: ((views * variantKb) / GB) * PRICES.cloudFront.transferPerGb },
    { line: "CloudFront Functions", usd: ((views * setup.edgeFunctionsPerView) / 1e6) * PRICES.cloudFront.functionsPerMillion },
    { line: "Origin Shield", usd: setup.originShield ? (misses / 10_000) * PRICES.cloudFront.originShieldPer10k : 0 },
    { line: "Lambda requests", usd: (transformations / 1e6) * PRICES.lambda.requestsPerMillion },
    { line: "Lambda GB-seconds", usd: gbSeconds * gbSecondPrice },
    { line: "API Gateway", usd: apiGateway },
    { line: "S3 requests", usd: (s3Gets / 1000) * PRICES.s3.getPer1000 + (s3Puts / 1000) * PRICES.s3.putPer1000 },
    { line: "S3 Object Lambda data returned", usd: objectLambdaGb * PRICES.s3.objectLambdaReturnedPerGb },
    { line: "S3 storage of variants", usd: storageGb * PRICES.s3.storagePerGbMonth },
    {
      line: "monitoring (dashboard, alarms, metrics)",
      usd: scenario.monitoring === false ? 0 : setup.monitoring.dashboards * PRICES.cloudWatch.dashboardPerMonth + setup.monitoring.alarms * PRICES.cloudWatch.alarmPerMonth +
        setup.monitoring.customMetrics * PRICES.cloudWatch.customMetricPerMonth,
    },
    {
      line: "CloudFront additional metrics (opt-in)",
      usd: scenario.additionalMetrics === true ? PRICES.cloudWatch.additionalMetricsPerDistribution * PRICES.cloudWatch.customMetricPerMonth : 0,
    },
    {
      line: "access logs to CloudWatch Logs (opt-in)",
      usd: scenario.accessLogs === true ? ((views * ASSUMPTIONS.accessLogRecordKb) / GB) * PRICES.cloudWatch.vendedLogsPerGb : 0,
    },
    {
      line: "purge on change (opt-in)",
      usd: Math.max(0, purgePaths - PRICES.cloudFront.freeInvalidationPaths) * PRICES.cloudFront.invalidationPerPath +
        ((purgePaths * 3) / 1e6) * PRICES.sqs.requestsPerMillion,
    },
  ];
  return lines;
}

export function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}

const USAGE = `usage: npm run cost -- [--views N] [--hit-ratio 0..1] [--variants-per-object N] [--objects N] [--variant-kb KB] [--changes N] [--spellings-per-variant X] [--transform-ms MS] [--additional-metrics] [--access-logs]
  The monthly AWS cost of a traffic scenario for the kit's setups (us-east-1 list prices in bench/cost-prices.ts).
  Without --transform-ms the transformation time is measured now on this machine's fixtures.`;

const FLAGS = {
  views: { default: 10_000_000, min: 1 },
  "hit-ratio": { default: 0.95, min: 0, max: 1 },
  "variants-per-object": { default: undefined, min: 1 },
  objects: { default: ASSUMPTIONS.objects, min: 1 },
  "variant-kb": { default: ASSUMPTIONS.variantKb, min: 0.001 },
  changes: { default: ASSUMPTIONS.changes, min: 0 },
  "spellings-per-variant": { default: ASSUMPTIONS.spellingsPerVariant, min: 1 },
  "transform-ms": { default: undefined, min: 0.001 },
} as const satisfies Record<string, { default: number | undefined; min: number; max?: number }>;

type Flag = keyof typeof FLAGS;

/** Variants per object a scenario assumes when not given, within the deployment's bound: a few sizes of each image. */
export const TYPICAL_VARIANTS_PER_OBJECT = 4;

/** The deployment the scenario prices: the app's settings as `npm run synth` reads them (a wrong one: one line). */
export function deploymentOfSettings(env: Environment, context: Readonly<Record<string, unknown>>): CardinalityInput & { monitoring: boolean } {
  const lookup = settingLookup(env, (key) => context[key]);
  try {
    const unknown = unknownSettings(env);
    if (unknown) throw unknown;
    const resolved = resolveImageCdnProps(resolveAppSettings(lookup).imageCdn);
    return { config: resolved.resizer.config, presets: resolved.presets, onlyPresets: resolved.onlyPresets, monitoring: resolved.monitoring !== undefined };
  } catch (error) {
    const line = settingErrorLine(error, lookup);
    if (line === undefined) throw error;
    throw new UsageError(line);
  }
}

/** cdktf.json's context in this folder, where the app keeps settings besides IMAGE_CDN_* variables. */
function cdktfContext(): Record<string, unknown> {
  const file = path.join(process.cwd(), "cdktf.json");
  return existsSync(file) ? ((JSON.parse(readFileSync(file, "utf8")) as { context?: Record<string, unknown> }).context ?? {}) : {};
}

/**
 * The scenario's numbers from the command line; transformMs undefined means "measure it". The variants per object:
 * given (at most the deployment's bound), else the bound with onlyPresets (each preset is asked for), else
 * TYPICAL_VARIANTS_PER_OBJECT (or the bound, when lower).
 */
export function parseCostArgs(argv: readonly string[], deployment: CardinalityInput = { config: DEFAULT_RESIZER_CONFIG, presets: {}, onlyPresets: false }): Omit<Scenario, "transformMs" | "ioMs"> & { transformMs?: number; variantBound: number } {
  const { values } = parseCommandLine(argv, {
    ...Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: "string" as const }])),
    "additional-metrics": { type: "boolean" },
    "access-logs": { type: "boolean" },
  }) as { values: Record<string, string | boolean | undefined> };
  const read = (name: Flag): number | undefined => {
    const spec: { default: number | undefined; min: number; max?: number } = FLAGS[name];
    const text = values[name] as string | undefined;
    if (text === undefined) return spec.default;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < spec.min || (spec.max !== undefined && value > spec.max)) {
      throw new UsageError(`--${name} must be a number ${spec.max === undefined ? `>= ${spec.min}` : `from ${spec.min} to ${spec.max}`}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const variantBound = variantsPerOriginalBound(deployment);
  const given = read("variants-per-object");
  if (given !== undefined && given > variantBound) {
    throw new UsageError(`--variants-per-object must be at most ${variantBound}, the most variants an original can have under these settings (README, "Bounded cache keys"), got ${given}`);
  }
  return {
    views: read("views") as number,
    hitRatio: read("hit-ratio") as number,
    variantsPerObject: given ?? (deployment.onlyPresets ? variantBound : Math.min(TYPICAL_VARIANTS_PER_OBJECT, variantBound)),
    variantBound,
    objects: read("objects") as number,
    variantKb: read("variant-kb") as number,
    changes: read("changes") as number,
    spellingsPerVariant: read("spellings-per-variant") as number,
    transformMs: read("transform-ms"),
    additionalMetrics: values["additional-metrics"] === true,
    accessLogs: values["access-logs"] === true,
  };
}

/** Median ms of the seed's variants (format=auto -> AVIF for a current browser, and WebP) on the fixtures' largest photo, on one core. */
async function measureTransformMs(): Promise<{ ms: number; what: string }> {
  const image = await describeImage("2569067123_aca715a2ee_o.jpg", path.join(FIXTURES_DIR, "2569067123_aca715a2ee_o.jpg"), false);
  const previous = sharp.concurrency();
  sharp.concurrency(1);
  try {
    const samples: number[] = [];
    for (const variant of VARIANTS) {
      for (const format of ["avif", "webp"] as const) {
        const query = new URLSearchParams({ w: String(variant.width), h: String(variant.height), fit: variant.fit, format });
        await transformFile(core, image, query); // warm-up
        for (let i = 0; i < 3; i += 1) {
          const started = process.hrtime.bigint();
          await transformFile(core, image, query);
          samples.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
    }
    return { ms: median(samples), what: `${image.name} (${image.width}x${image.height}, ${Math.round(image.bytes / 1024)} KB), 150x150 and 500x700 in AVIF and WebP, one libvips thread` };
  } finally {
    sharp.concurrency(previous);
  }
}

const dollars = (usd: number): string => (usd < 0.005 ? "0.00" : usd.toFixed(2));

export function printCostTable(scenario: Scenario): void {
  const results = SETUPS.map((setup) => ({ setup, lines: monthlyCost(setup, scenario) }));
  const lineNames = results[0]?.lines.map((l) => l.line) ?? [];
  const rows = lineNames.map((name) => [name, ...results.map((r) => dollars(r.lines.find((l) => l.line === name)?.usd ?? 0))]);
  rows.push(["total per month", ...results.map((r) => dollars(total(r.lines)))]);
  printTable(`Monthly cost, USD: ${scenario.views.toLocaleString("en-US")} views, hit ratio ${scenario.hitRatio}, ${scenario.variantsPerObject} variants per object`, ["line", ...results.map((r) => r.setup.name)], rows);
}

async function main(argv: readonly string[]): Promise<number> {
  const deployment = deploymentOfSettings(process.env, cdktfContext());
  const args = { ...parseCostArgs(argv, deployment), monitoring: deployment.monitoring };
  const measured = args.transformMs === undefined ? await measureTransformMs() : undefined;
  const scenario: Scenario = { ...args, ioMs: ASSUMPTIONS.ioMs, transformMs: args.transformMs ?? (measured as { ms: number }).ms };
  printCostTable(scenario);
  console.log("\nAssumptions (bench/cost-prices.ts; flags in parentheses):");
  console.log(`- transformation CPU time ${scenario.transformMs.toFixed(0)} ms on one core: ${measured ? `measured now, ${measured.what}` : "given (--transform-ms)"};`);
  console.log(`  billed time = ${scenario.ioMs} ms I/O + CPU time x ${PRICES.lambda.memoryPerVcpuMb} / memory MB below one vCPU (per setup: ${SETUPS.map((s) => `${s.memoryMb} MB ${transformationMs(s, scenario).toFixed(0)} ms`).join(", ")})`);
  console.log(`- ${scenario.variantsPerObject} variants per object (--variants-per-object; the app's settings allow at most ${args.variantBound.toLocaleString("en-US")} per original, README "Bounded cache keys"${args.variantBound === scenario.variantsPerObject ? ", all of them asked for" : ""})`);
  console.log(`- ${scenario.objects.toLocaleString("en-US")} originals viewed (--objects), ${scenario.variantKb} KB per variant (--variant-kb), ${scenario.changes} changed originals (--changes)`);
  console.log(`- without edge normalization a variant has ${scenario.spellingsPerVariant} cache keys on average (--spellings-per-variant)`);
  console.log("- purge on change is off by default (0 without --changes); the peers have none: their variants of a changed original stay stale until they expire");
  console.log("- the hit ratio is the share of views answered without reaching the origin, the same for every setup (Origin Shield, where on, is paid on each miss);");
  console.log("  no cold starts; no always-free tiers; CloudFront's 1,000 free invalidation paths counted");
  console.log("- the setups:");
  for (const setup of SETUPS) console.log(`  ${setup.name}: ${setup.description} (${setup.source})`);
  return EXIT_CODES.ok;
}

if (require.main === module) {
  void runCommand("cost", USAGE, process.argv.slice(2), main, "npm run cost -- --help").then((code) => {
    process.exitCode = code;
  });
}
