/**
 * The kit as a Terraform shop installs it: `npm pack`, the tarball installed into a fresh cdktf app
 * (TypeScript, cdktf's template tsconfig), type-checked and synthesized offline. The installed package
 * must deploy the same bytes as the checkout: same stack JSON, same zip, same source_code_hash.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_REGIONS_FILE, sdkRegionList } from "../modules/aws-regions";
import { createConsumer, packKit, run, synthFromCheckout, typeCheck } from "./support/consumer";
import { synthApp } from "./support/run-app";

describe("the packed kit installed into a fresh cdktf app", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-package-"));
  const consumer = join(work, "app");
  let packed: string[] = [];

  beforeAll(() => {
    const { tarball, files } = packKit(work);
    packed = files;
    createConsumer(consumer, { "@cdktf/provider-aws": "21.22.1", cdktf: "0.21.0", constructs: "10.8.1", "image-cdn-kit": `file:${tarball}` });
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("ships the compiled construct, its declarations, its command and both resizer zips, the purge zip, and nothing of the repo's own", () => {
    expect(packed).toEqual(expect.arrayContaining([
      "dist/modules/index.js", "dist/modules/index.d.ts", "dist/modules/edge/viewer-request.js", "dist/modules/cli.js",
      "dist/prebuilt-resizer/resizer-arm64.zip", "dist/prebuilt-resizer/resizer-x86_64.zip", "dist/prebuilt-resizer/purge.zip", "package.json", "README.md", "LICENSE", "help",
      "dist/modules/aws-regions.json",
    ]));
    expect(packed.filter((path) => /^(__tests__|bench|\.ci|fixtures|scripts|examples|lambda-src|modules)\//.test(path) || path.endsWith(".ts") && !path.endsWith(".d.ts"))).toEqual([]);
  });

  // Regions are checked against the AWS SDK's list, which a consumer does not install: the build ships it.
  it("ships the AWS SDK's region list beside the module that reads it", () => {
    const shipped = JSON.parse(readFileSync(join(consumer, "node_modules/image-cdn-kit/dist/modules", AWS_REGIONS_FILE), "utf8")) as { regions: string[] };
    expect(shipped.regions).toEqual(sdkRegionList().regions);
  });

  it("installs without the build tools: no esbuild, sharp, fflate or the purge function's CloudFront client in the consumer", () => {
    for (const tool of ["esbuild", "sharp", "fflate", "@aws-sdk/client-cloudfront"]) expect(existsSync(join(consumer, "node_modules", tool))).toBe(false);
  });

  it("type-checks under cdktf's template tsconfig", () => {
    expect(() => typeCheck(consumer)).not.toThrow();
  });

  it("synthesizes offline to the same bytes as the checkout: stack JSON and zip, so the same source_code_hash", () => {
    const installed = synthApp("main.ts", {}, { root: consumer });
    const checkout = synthFromCheckout();
    for (const name of ["resizer-arm64.zip", "purge.zip"]) {
      const zip = (files: Map<string, Buffer>) => [...files].find(([path]) => path.endsWith(name));
      expect(zip(installed)?.[0]).toBeDefined();
      expect(zip(installed)?.[0]).toBe(zip(checkout)?.[0]);
      expect(zip(installed)![1].equals(zip(checkout)![1])).toBe(true);
    }
    expect(installed.get("stacks/images/cdk.tf.json")!.toString()).toBe(checkout.get("stacks/images/cdk.tf.json")!.toString());
    expect(installed.get("stacks/images/cdk.tf.json")!.toString()).toMatch(/"source_code_hash": "[A-Za-z0-9+/]{43}="/);
    expect(readdirSync(join(consumer, "node_modules/image-cdn-kit/dist/prebuilt-resizer")).sort()).toEqual(["purge.zip", "resizer-arm64.zip", "resizer-x86_64.zip"]);
  }, 120_000);

  it("installs the image-cdn-kit command: a review of two synth folders", () => {
    const out = join(work, "synth");
    for (const [path, bytes] of synthApp("main.ts", {}, { root: consumer })) {
      if (!path.endsWith(".json")) continue;
      mkdirSync(join(out, path, ".."), { recursive: true });
      writeFileSync(join(out, path), bytes);
    }
    const markdown = run(join(consumer, "node_modules/.bin/image-cdn-kit"), ["review", out, out], consumer);
    expect(markdown).toContain("## Image CDN review: `images`");
    expect(markdown).toContain("No change in who may do what.");
  }, 60_000);
});
