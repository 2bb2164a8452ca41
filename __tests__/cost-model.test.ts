/**
 * The cost model's arithmetic, checked by hand on round numbers, and the billing rules it encodes (CloudFront's
 * free invalidation paths, Lambda's CPU-to-memory ratio, what a variant store saves).
 */
import { deploymentOfSettings, monthlyCost, parseCostArgs, total, transformationMs, type Scenario } from "../bench/cost";
import { PRICES, SETUPS, type Setup } from "../bench/cost-prices";

const setup = (name: string): Setup => {
  const found = SETUPS.find((s) => s.name === name);
  if (!found) throw new Error(`no setup ${name}`);
  return found;
};
const KIT = setup("kit function-url");
const OLAP = setup("kit object-lambda");
const DIT = setup("Dynamic Image Transf.");
const STORE = setup("image-optimization");

const BASE: Scenario = { views: 10_000_000, hitRatio: 0.95, variantsPerObject: 4, objects: 100_000, variantKb: 15.8, changes: 0, spellingsPerVariant: 1.5, ioMs: 60, transformMs: 100 };
const line = (s: Setup, name: string, scenario: Scenario = BASE): number => monthlyCost(s, scenario).find((l) => l.line === name)?.usd ?? NaN;

describe("cost model", () => {
  it("CloudFront requests and transfer: 10 M views at $0.01 per 10,000 and 10 M x 15.8 KB at $0.085/GB", () => {
    expect(line(KIT, "CloudFront requests")).toBeCloseTo(10, 6);
    expect(line(KIT, "CloudFront transfer out")).toBeCloseTo(((10_000_000 * 15.8) / 1024 / 1024) * 0.085, 6);
  });

  it("Lambda: 500,000 misses, each (60 ms I/O + 100 ms x 1769/512) at 0.5 GB on Arm", () => {
    const seconds = (60 + 100 * (1769 / 512)) / 1000;
    expect(line(KIT, "Lambda requests")).toBeCloseTo(0.1, 6);
    expect(line(KIT, "Lambda GB-seconds")).toBeCloseTo(500_000 * seconds * 0.5 * PRICES.lambda.gbSecondArm, 6);
  });

  it("CPU work slows in proportion below 1,769 MB (one vCPU) and not above it", () => {
    expect(transformationMs({ ...KIT, memoryMb: 1769 }, BASE)).toBeCloseTo(160, 6);
    expect(transformationMs({ ...KIT, memoryMb: 3538 }, BASE)).toBeCloseTo(160, 6);
    expect(transformationMs({ ...KIT, memoryMb: 884.5 }, BASE)).toBeCloseTo(260, 6);
  });

  it("purge: the first 1,000 invalidation paths a month are free, then $0.005 each", () => {
    expect(line(KIT, "purge on change (opt-in)", { ...BASE, changes: 1000 })).toBeCloseTo((3000 / 1e6) * 0.4, 6);
    expect(line(KIT, "purge on change (opt-in)", { ...BASE, changes: 20_000 })).toBeCloseTo(19_000 * 0.005 + (60_000 / 1e6) * 0.4, 6);
    expect(line(DIT, "purge on change (opt-in)", { ...BASE, changes: 20_000 })).toBe(0);
  });

  it("without edge normalization every spelling misses: 1.5x the transformations, each behind API Gateway", () => {
    expect(line(DIT, "Lambda requests")).toBeCloseTo(line(KIT, "Lambda requests") * 1.5, 6);
    expect(line(DIT, "API Gateway")).toBeCloseTo((750_000 / 1e6) * 3.5, 6);
  });

  it("a variant store transforms each variant once and pays a GET per miss, a PUT per variant and the storage", () => {
    const few = { ...BASE, objects: 10_000 }; // 40,000 variants < 500,000 misses
    expect(line(STORE, "Lambda requests", few)).toBeCloseTo((40_000 / 1e6) * 0.2, 6);
    expect(line(STORE, "S3 requests", few)).toBeCloseTo(((40_000 + 500_000) / 1000) * 0.0004 + (40_000 / 1000) * 0.005, 6);
    expect(line(STORE, "S3 storage of variants", few)).toBeCloseTo(((40_000 * 15.8) / 1024 / 1024) * 0.023, 6);
  });

  it("Object Lambda adds the access point's GET and $0.005 per GB returned to each miss", () => {
    expect(line(OLAP, "S3 requests")).toBeCloseTo(line(KIT, "S3 requests") * 2, 6);
    expect(line(OLAP, "S3 Object Lambda data returned")).toBeCloseTo(((500_000 * 15.8) / 1024 / 1024) * 0.005, 6);
  });

  it("a perfect hit ratio leaves CloudFront and the fixed monthly monitoring alone on the bill", () => {
    const lines = monthlyCost(KIT, { ...BASE, hitRatio: 1 });
    expect(total(lines)).toBeCloseTo(line(KIT, "CloudFront requests") + line(KIT, "CloudFront transfer out") + line(KIT, "CloudFront Functions") + line(KIT, "monitoring (dashboard, alarms, metrics)"), 6);
  });

  it("monitoring by hand: one dashboard $3, five alarms $0.10 each, eleven custom metrics $0.30 each; the peers' optional dashboards not counted", () => {
    expect(line(KIT, "monitoring (dashboard, alarms, metrics)")).toBeCloseTo(3 + 0.5 + 3.3, 6);
    expect(line(DIT, "monitoring (dashboard, alarms, metrics)")).toBe(0);
    // The opt-ins by hand: 8 additional metrics at $0.30; 10 M views of 1 KB records, 9.54 GB at $0.50.
    expect(parseCostArgs(["--additional-metrics", "--access-logs"])).toMatchObject({ additionalMetrics: true, accessLogs: true });
    expect(line(KIT, "CloudFront additional metrics (opt-in)", { ...BASE, additionalMetrics: true })).toBeCloseTo(2.4, 6);
    expect(line(KIT, "access logs to CloudWatch Logs (opt-in)", { ...BASE, views: 10_000_000, accessLogs: true })).toBeCloseTo((10_000_000 / (1024 * 1024)) * 0.5, 6);
    expect(line(KIT, "access logs to CloudWatch Logs (opt-in)")).toBe(0);
    // IMAGE_CDN_MONITORING=false: none of it.
    expect(line(KIT, "monitoring (dashboard, alarms, metrics)", { ...BASE, monitoring: deploymentOfSettings({ IMAGE_CDN_MONITORING: "false" }, {}).monitoring })).toBe(0);
  });

  it("flags: defaults, and one clear line for a bad value or an unknown flag", () => {
    expect(parseCostArgs(["--views", "10000000", "--hit-ratio", "0.95", "--variants-per-object", "4"])).toMatchObject({ views: 1e7, hitRatio: 0.95, variantsPerObject: 4, transformMs: undefined });
    expect(() => parseCostArgs(["--hit-ratio", "1.5"])).toThrow(/^--hit-ratio must be a number from 0 to 1, got "1.5"/);
    expect(() => parseCostArgs(["--views", "many"])).toThrow(/^--views must be a number >= 1, got "many"/);
    expect(() => parseCostArgs(["--visits", "3"])).toThrow(/^unknown option --visits; allowed: --views, /);
  });
});

describe("variants per original (the README's cardinality table) and the cost command", () => {
  const { cacheKeyValues, variantsPerOriginalBound } = jest.requireActual<typeof import("../modules/construct/cardinality")>("../modules/construct/cardinality");
  const { DEFAULT_RESIZER_CONFIG } = jest.requireActual<typeof import("../lambda-src/core/contract")>("../lambda-src/core/contract");

  it("counts w at each dpr once: 100 and 200 allowed are 11 widths (100..400 and 200..800 in steps of half their value)", () => {
    expect(cacheKeyValues("w", { ...DEFAULT_RESIZER_CONFIG, allowedWidths: [100, 200] })).toBe(11);
    // Capped at maxWidth: 300 x 1.5 and above are 400.
    expect(cacheKeyValues("w", { ...DEFAULT_RESIZER_CONFIG, maxWidth: 400, allowedWidths: [300] })).toBe(2);
    expect(cacheKeyValues("w", DEFAULT_RESIZER_CONFIG)).toBe(4096);
    expect([cacheKeyValues("q", DEFAULT_RESIZER_CONFIG), cacheKeyValues("dpr", DEFAULT_RESIZER_CONFIG), cacheKeyValues("bg", DEFAULT_RESIZER_CONFIG)]).toEqual([99, 0, 4096]);
  });

  it("bounds a deployment: each preset once per Accept token unless its format is fixed, times the ladder for w=auto", () => {
    const presets = { thumb: { w: "150" }, hero: { w: "1600", format: "webp" } };
    expect(variantsPerOriginalBound({ config: DEFAULT_RESIZER_CONFIG, presets, onlyPresets: true })).toBe(3 + 1);
    const hinted = { ...DEFAULT_RESIZER_CONFIG, clientHints: { widths: [320, 640, 1080], fallbackWidth: 640 } };
    expect(variantsPerOriginalBound({ config: hinted, presets: { fluid: { w: "auto" } }, onlyPresets: true })).toBe(3 * 3);
    // By hand, w and h at most 1: (1+1)(1+1) x dpr 1 x fit 5 x pos 11 x fx 22 x fy 22 x rotate 4 x flip 2 x flop 2
    // x blur 101 x sharpen 11 x bg 4097 x q 100, times 7 formats (auto per 3 Accept tokens, avif, webp, jpeg, png), + json.
    expect(variantsPerOriginalBound({ config: { ...DEFAULT_RESIZER_CONFIG, maxWidth: 1, maxHeight: 1 }, presets: {}, onlyPresets: false })).toBe(5_428_328_081_792_001);
  });

  it("takes the bound from the app's settings: the default with onlyPresets, a refusal above it, a setting's error in one line", () => {
    const deployment = deploymentOfSettings({ IMAGE_CDN_PRESETS: "thumb=w=150&h=150,hero=w=1600&format=webp", IMAGE_CDN_ONLY_PRESETS: "true" }, {});
    expect(parseCostArgs([], deployment)).toMatchObject({ variantsPerObject: 4, variantBound: 4 });
    expect(() => parseCostArgs(["--variants-per-object", "5"], deployment)).toThrow(/^--variants-per-object must be at most 4, the most variants an original can have under these settings/);
    expect(parseCostArgs([], deploymentOfSettings({}, {}))).toMatchObject({ variantsPerObject: 4 });
    expect(parseCostArgs([], deploymentOfSettings({}, { presets: { a: { w: 100 } }, only_presets: true }))).toMatchObject({ variantsPerObject: 3, variantBound: 3 });
    expect(() => deploymentOfSettings({ IMAGE_CDN_ONLY_PRESETS: "true" }, {})).toThrow(/^IMAGE_CDN_ONLY_PRESETS="true" is not allowed: true only with at least one preset/);
  });
});
