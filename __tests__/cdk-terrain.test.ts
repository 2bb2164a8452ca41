/**
 * CDK Terrain (cdktn), the maintained fork of the archived cdktf: the packed kit in an app whose "cdktf"
 * and "@cdktf/provider-aws" are npm aliases of cdktn 0.24 and @cdktn/provider-aws 25 (constructs below
 * 10.8, as cdktn requires). It must synthesize the same configuration as under cdktf, apart from the
 * fields that name versions and the provider's registry source.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_PROVIDER_CONSTRAINT } from "../modules/construct/image-cdn";
import { planningProviderSchema, stackFolders } from "../modules/cli/plan";
import { describeSetAside, offlineCopy, satisfies, type Json as ConfigJson, type SetAside } from "../modules/cli/plan/offline";
import { findLocalProvider, findTerraform } from "../modules/cli/plan/terraform";
import { PLAN_VARIANTS, synthesizeVariants } from "../modules/cli/plan/variants";
import { createConsumer, packKit, synthFromCheckout, typeCheck } from "./support/consumer";
import { synthApp } from "./support/run-app";

type Json = Record<string, unknown>;

/** The fields that may differ between the two toolchains, set aside to compare everything else. */
function withoutVersionFields(stack: Json): { rest: Json; versions: unknown } {
  const copy = JSON.parse(JSON.stringify(stack)) as { "//": { metadata: Json }; terraform: { required_providers: { aws: Json } } };
  const versions = { cdk: copy["//"].metadata.version, source: copy.terraform.required_providers.aws.source, constraint: copy.terraform.required_providers.aws.version };
  delete copy["//"].metadata.version;
  delete copy.terraform.required_providers.aws.source;
  return { rest: copy, versions };
}

/**
 * Does a provider binding package (cdktf's or CDK Terrain's generated classes) know this argument, attribute
 * or resource type? Arguments are the keys its *ToTerraform functions write, attributes the names its getters
 * read, a type the class whose tfResourceType it is.
 */
export function bindingsHave(bindings: string, entry: SetAside): boolean {
  const folder = join(bindings, "lib", (entry.mode === "data" ? `data-${entry.type}` : entry.type.replace(/^aws_/, "")).replace(/_/g, "-"), "index.js");
  if (!existsSync(folder)) return false;
  const code = readFileSync(folder, "utf8");
  if (!code.includes(`tfResourceType = "${entry.type}"`)) return false;
  const leaf = entry.path.split(".").pop() ?? "";
  switch (entry.kind) {
    case "resource type": return true;
    // A value newer than the local provider's enumeration: the 6.x bindings have the argument (their enumerations are
    // the provider's to check, at plan time with a 6.x provider).
    case "value":
    case "argument": return new RegExp(`\\b${leaf}: cdkt[fn]\\.\\w+ToTerraform\\(`).test(code);
    case "attribute reference": return new RegExp(`Attribute\\('${leaf}'\\)|\\(this, "${leaf}"|\\('${leaf}'\\)`).test(code);
  }
}

const terraformReady = findTerraform(process.env) !== undefined && findLocalProvider(process.env, undefined, () => true) !== undefined;

describe("the kit under CDK Terrain (npm aliases)", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-terrain-"));
  const consumer = join(work, "app");

  beforeAll(() => {
    const { tarball } = packKit(work);
    createConsumer(consumer, {
      cdktf: "npm:cdktn@0.24.0",
      cdktn: "0.24.0",
      "@cdktf/provider-aws": "npm:@cdktn/provider-aws@25.7.0",
      constructs: "10.7.0",
      "image-cdn-kit": `file:${tarball}`,
    }, { withoutCli: true });
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // The offline plan (modules/cli/plan) sets aside what an older local provider lacks, found by comparing the
  // configuration with that provider's schema; each must exist in the 6.x provider the kit requires, whose
  // schema CDK Terrain's bindings carry (@cdktn/provider-aws 25.7 = hashicorp/aws 6.66).
  (terraformReady ? it : it.skip)("everything the offline plan sets aside exists in hashicorp/aws 6.x (CDK Terrain's bindings)", async () => {
    const bindings = join(consumer, "node_modules/@cdktf/provider-aws");
    const version = (JSON.parse(readFileSync(join(bindings, "package.json"), "utf8")) as { cdktf: { provider: { version: string } } }).cdktf.provider.version;
    expect(satisfies(version, AWS_PROVIDER_CONSTRAINT)).toBe(true);
    const planning = await planningProviderSchema();
    const synth = join(work, "variants");
    synthesizeVariants(PLAN_VARIANTS, synth);
    const setAside = new Map<string, SetAside>();
    for (const stack of stackFolders(synth)) {
      const config = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")) as { [key: string]: ConfigJson };
      for (const entry of offlineCopy(config, { schema: planning.schema, providerVersion: planning.version, mode: "plan" }).setAside) setAside.set(describeSetAside(entry), entry);
    }
    if (satisfies(planning.version, AWS_PROVIDER_CONSTRAINT)) {
      expect([...setAside.keys()]).toEqual([]);
      return;
    }
    console.warn(`set aside for hashicorp/aws ${planning.version}, checked against ${version}: ${[...setAside.keys()].join("; ")}`);
    expect(setAside.size).toBeGreaterThan(0);
    const missing = [...setAside.values()].filter((entry) => !bindingsHave(bindings, entry)).map(describeSetAside);
    expect(missing).toEqual([]);
    // The check can fail: an argument and an attribute no provider has.
    expect(bindingsHave(bindings, { kind: "argument", mode: "resource", type: "aws_lambda_permission", path: "no_such_argument", addresses: [] })).toBe(false);
    expect(bindingsHave(bindings, { kind: "attribute reference", mode: "data", type: "aws_region", path: "no_such_attribute", addresses: [] })).toBe(false);
  }, 120_000);

  it("type-checks against CDK Terrain's declarations", () => {
    expect(() => typeCheck(consumer)).not.toThrow();
  });

  it("synthesizes the same configuration as cdktf, apart from the version and provider source fields", () => {
    const terrain = synthApp("images.ts", {}, { root: consumer });
    const cdktf = synthFromCheckout();
    const a = withoutVersionFields(JSON.parse(terrain.get("stacks/images/cdk.tf.json")!.toString()));
    const b = withoutVersionFields(JSON.parse(cdktf.get("stacks/images/cdk.tf.json")!.toString()));
    expect(a.rest).toEqual(b.rest);
    expect(a.versions).toEqual({ cdk: "0.24.0", source: "hashicorp/aws", constraint: "~> 6.28" });
    expect(b.versions).toEqual({ cdk: "0.21.0", source: "aws", constraint: "~> 6.28" });
    // The same zip, so the same source_code_hash.
    const zip = (files: Map<string, Buffer>) => [...files].find(([path]) => path.endsWith(".zip"))!;
    expect(zip(terrain)[0]).toBe(zip(cdktf)[0]);
    expect(zip(terrain)[1].equals(zip(cdktf)[1])).toBe(true);
  }, 120_000);
});
