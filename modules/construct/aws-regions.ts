/**
 * The AWS regions, as the AWS SDK for JavaScript v3 knows them: the `regions` map of each partition in its
 * partitions data (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc). The SDK's own `partition()` accepts any name
 * shaped like a region (`us-eats-1` is "aws"), so the names are read from the data itself.
 *
 * The SDK is a devDependency only: a consumer's install has none. `npm run build` (scripts/build-package.ts)
 * writes the list beside the compiled module; from the checkout the SDK's data is read.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The list written into dist beside this module. */
export const AWS_REGIONS_FILE = "aws-regions.json";

/** Where @aws-sdk/core keeps the data (util-endpoints, merged into core's client submodule). */
export const SDK_PARTITIONS_PATH = "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js";

export interface RegionList {
  /** The SDK version and file the names came from. */
  readonly source: string;
  readonly regions: readonly string[];
}

/**
 * Pure: the region names of partitions data. Each partition's regionRegex drops its pseudo-regions
 * (aws-global, aws-cn-global...), which name global endpoints, not a place to deploy to.
 */
export function regionsOfPartitions(data: unknown): string[] {
  const partitions = (data as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions) || partitions.length === 0) throw new Error("AWS partitions data without partitions");
  const names = partitions.flatMap((partition: { id?: unknown; regionRegex?: unknown; regions?: unknown }) => {
    if (typeof partition.regionRegex !== "string" || partition.regions === null || typeof partition.regions !== "object") {
      throw new Error(`AWS partitions data: partition ${String(partition.id)} has no regionRegex or regions`);
    }
    const shape = new RegExp(partition.regionRegex);
    return Object.keys(partition.regions).filter((name) => shape.test(name));
  });
  return [...new Set(names)].sort();
}

/** The installed @aws-sdk/core's folder, or undefined where the SDK is not installed (a consumer's app). */
function sdkCoreRoot(): string | undefined {
  try {
    return dirname(require.resolve("@aws-sdk/core/package.json"));
  } catch {
    return undefined;
  }
}

/** The SDK's regions. The file is an ES module of one JSON literal: `export const partitionsInfo = {...};`. */
export function sdkRegionList(): RegionList {
  const root = sdkCoreRoot();
  const file = join(root ?? "", SDK_PARTITIONS_PATH);
  if (root === undefined || !existsSync(file)) throw new Error(`AWS region list: @aws-sdk/core/${SDK_PARTITIONS_PATH} not found (not installed, or moved by a new SDK version)`);
  const literal = /^\s*export const partitionsInfo = ([\s\S]*?);?\s*$/.exec(readFileSync(file, "utf8"))?.[1];
  if (literal === undefined) throw new Error(`AWS region list: ${file} no longer holds "export const partitionsInfo = {...}"`);
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return { source: `@aws-sdk/core ${version} ${SDK_PARTITIONS_PATH}`, regions: regionsOfPartitions(JSON.parse(literal)) };
}

/** For scripts/build-package.ts: the SDK's list as JSON in `dir` (dist/modules). */
export function writeAwsRegionsFile(dir: string): RegionList {
  const list = sdkRegionList();
  writeFileSync(join(dir, AWS_REGIONS_FILE), `${JSON.stringify(list, null, 2)}\n`);
  return list;
}

/** The list in `dir` when the build wrote one there, else the SDK's. */
export function loadAwsRegions(dir: string = __dirname): readonly string[] {
  const shipped = join(dir, AWS_REGIONS_FILE);
  if (!existsSync(shipped)) {
    try {
      return sdkRegionList().regions;
    } catch (error) {
      throw new Error(`${(error as Error).message}, and no ${shipped} (npm run build writes it)`);
    }
  }
  const list = JSON.parse(readFileSync(shipped, "utf8")) as { regions?: string[] };
  if (!Array.isArray(list.regions) || list.regions.length === 0) throw new Error(`AWS region list: ${shipped} has no regions`);
  return list.regions;
}

let known: readonly string[] | undefined;

/** Every known region name, read once. */
export function awsRegions(): readonly string[] {
  known ??= loadAwsRegions();
  return known;
}
