/**
 * CDK Terrain (cdktn), the maintained fork of the archived cdktf: the packed kit in an app whose "cdktf"
 * and "@cdktf/provider-aws" are npm aliases of cdktn 0.24 and @cdktn/provider-aws 25 (constructs below
 * 10.8, as cdktn requires). It must synthesize the same configuration as under cdktf, apart from the
 * fields that name versions and the provider's registry source.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsumer, packKit, synthFromCheckout, typeCheck } from "./support/consumer";
import { synthApp } from "./support/run-app";

type Json = Record<string, unknown>;

/** The fields that may differ between the two toolchains, set aside to compare everything else. */
function withoutVersionFields(stack: Json): { rest: Json; versions: unknown } {
  const copy = JSON.parse(JSON.stringify(stack)) as { "//": { metadata: Json }; terraform: { required_providers: { aws: Json } } };
  const versions = { cdk: copy["//"].metadata.version, source: copy.terraform.required_providers.aws.source, constraint: copy.terraform.required_providers.aws.version };
  delete copy["//"].metadata.version;
  delete copy.terraform.required_providers.aws.source;
  return { rest: copy as unknown as Json, versions };
}

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
    });
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("type-checks against CDK Terrain's declarations", () => {
    expect(() => typeCheck(consumer)).not.toThrow();
  });

  it("synthesizes the same configuration as cdktf, apart from the version and provider source fields", () => {
    const terrain = synthApp("main.ts", {}, { root: consumer });
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
