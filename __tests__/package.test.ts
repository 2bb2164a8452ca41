/**
 * The kit as a Terraform shop installs it: `npm pack`, the tarball installed into the complete consumer app in
 * examples/minimal (package.json, tsconfig.json, cdktf.json, main.ts), type-checked with that app's own strict
 * tsconfig (no Node types loaded, declarations checked) by the pinned TypeScript and by the newest the registry
 * serves, and synthesized offline, with each example's main.ts as users copy it. The installed package must deploy
 * the same bytes as the checkout: same stack JSON, same zip, same source_code_hash.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_REGIONS_FILE, sdkRegionList } from "../modules/construct/aws-regions";
import { createConsumer, packKit, run, synthFromCheckout, typeCheck } from "./support/consumer";
import { ROOT, stackJson, synthApp } from "./support/run-app";

/** Every name the package's entry point exports, referenced, so that each declaration is type-checked in use. */
function everyExportUsed(indexDts: string): string {
  const values: string[] = [];
  const types: string[] = [];
  for (const [, typeOnly, names] of indexDts.matchAll(/^export (type )?\{([^}]*)\} from/gm)) {
    for (const raw of names!.split(",").map((n) => n.trim()).filter(Boolean)) {
      if (typeOnly || raw.startsWith("type ")) types.push(raw.replace(/^type /, ""));
      else values.push(raw);
    }
  }
  return [
    'import * as kit from "image-cdn-kit";',
    ...values.map((name) => `export const value_${name} = kit.${name};`),
    ...types.map((name) => `export type Type_${name} = kit.${name};`),
    "",
  ].join("\n");
}

describe("the packed kit installed into the example consumer app", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-package-"));
  const consumer = join(work, "app");
  let packed: string[] = [];

  beforeAll(() => {
    const { tarball, files } = packKit(work);
    packed = files;
    createConsumer(consumer, { "image-cdn-kit": `file:${tarball}` });
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("ships the compiled construct, its declarations, its command and both resizer zips, the purge zip, and nothing of the repo's own", () => {
    expect(packed).toEqual(expect.arrayContaining([
      "dist/modules/index.js", "dist/modules/index.d.ts", "dist/modules/edge/viewer-request.js", "dist/modules/cli/main.js",
      "dist/prebuilt-resizer/resizer-arm64.zip", "dist/prebuilt-resizer/resizer-x86_64.zip", "dist/prebuilt-resizer/purge.zip", "package.json", "README.md", "LICENSE", "help",
      "dist/modules/construct/aws-regions.json",
    ]));
    expect(packed.filter((path) => /^(__tests__|bench|\.ci|fixtures|scripts|examples|lambda-src|modules)\//.test(path) || path.endsWith(".ts") && !path.endsWith(".d.ts"))).toEqual([]);
  });

  it("the example app names this version's tarball, as `npm pack` writes it", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    const example = JSON.parse(readFileSync(join(ROOT, "examples/minimal/package.json"), "utf8"));
    expect(example.dependencies["image-cdn-kit"]).toBe(`file:image-cdn-kit-${version}.tgz`);
  });

  // Regions are checked against the AWS SDK's list, which a consumer does not install: the build ships it.
  it("ships the AWS SDK's region list beside the module that reads it", () => {
    const shipped = JSON.parse(readFileSync(join(consumer, "node_modules/image-cdn-kit/dist/modules/construct", AWS_REGIONS_FILE), "utf8")) as { regions: string[] };
    expect(shipped.regions).toEqual(sdkRegionList().regions);
  });

  it("installs without the build tools: no esbuild, sharp, fflate or the purge function's CloudFront client in the consumer", () => {
    for (const tool of ["esbuild", "sharp", "fflate", "@aws-sdk/client-cloudfront"]) expect(existsSync(join(consumer, "node_modules", tool))).toBe(false);
  });

  // Written before the type-checks below, so that both TypeScripts check the page snippet too.
  it("image-cdn-kit/page: resolves and runs in the consumer, and the README's page snippet type-checks there", () => {
    expect(packed).toEqual(expect.arrayContaining(["dist/modules/page/index.js", "dist/modules/page/index.d.ts"]));
    const script = 'const page = require("image-cdn-kit/page"); console.log(require.resolve("image-cdn-kit/page")); console.log(page.imageUrl("a b.jpg", { w: 10 }, { base: "https://img.example.com" }));';
    expect(run(process.execPath, ["-e", script], consumer).split("\n")).toEqual([join(consumer, "node_modules/image-cdn-kit/dist/modules/page/index.js"), "https://img.example.com/a%20b.jpg?w=10", ""]);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Page side"));
    writeFileSync(join(consumer, "page-snippet.ts"), /```ts\n([\s\S]*?)```/.exec(section)![1]!);
    expect(readFileSync(join(consumer, "page-snippet.ts"), "utf8")).toMatch(/from "image-cdn-kit\/page"/);
    expect(() => typeCheck(consumer)).not.toThrow();
  });

  it("type-checks every exported name with the app's strict tsconfig, no Node types, declarations checked: pinned TypeScript", () => {
    writeFileSync(join(consumer, "exports.ts"), everyExportUsed(readFileSync(join(consumer, "node_modules/image-cdn-kit/dist/modules/index.d.ts"), "utf8")));
    const tsconfig = JSON.parse(readFileSync(join(consumer, "tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, skipLibCheck: false, types: [] });
    expect(readFileSync(join(consumer, "exports.ts"), "utf8")).toMatch(/value_ImageCdn[\s\S]*value_signImageUrl[\s\S]*Type_ImageCdnProps/);
    expect(() => typeCheck(consumer)).not.toThrow();
  });

  it("and with the newest TypeScript the registry serves", () => {
    const latest = join(work, "typescript-latest");
    mkdirSync(latest);
    writeFileSync(join(latest, "package.json"), "{}");
    run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "typescript@latest"], latest);
    const version = JSON.parse(readFileSync(join(latest, "node_modules/typescript/package.json"), "utf8")).version as string;
    console.warn(`consumer type-check: TypeScript ${version} (newest) and 5.9 (pinned)`);
    expect(() => typeCheck(consumer, join(latest, "node_modules/typescript/bin/tsc"))).not.toThrow();
  }, 180_000);

  it("synthesizes offline to the same bytes as the checkout: stack JSON and zip, so the same source_code_hash", () => {
    const installed = synthApp("images.ts", {}, { root: consumer });
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
    for (const [path, bytes] of synthApp("images.ts", {}, { root: consumer })) {
      if (!path.endsWith(".json")) continue;
      mkdirSync(join(out, path, ".."), { recursive: true });
      writeFileSync(join(out, path), bytes);
    }
    const markdown = run(join(consumer, "node_modules/.bin/image-cdn-kit"), ["review", out, out], consumer);
    expect(markdown).toContain("## Image CDN review: `images`");
    expect(markdown).toContain("No change in who may do what.");
  }, 60_000);

  describe("examples/ synthesize as users copy them into the app", () => {
    /** Synthesizes examples/<name>/main.ts from inside the consumer app, as its main.ts. */
    function synthExample(name: string, stack: string) {
      copyFileSync(join(ROOT, "examples", name, "main.ts"), join(consumer, `example-${name}.ts`));
      return stackJson(synthApp(`example-${name}.ts`, {}, { root: consumer }), stack);
    }

    it("minimal: the function-url origin (the default), on the distribution's own name, local state at a relative path", () => {
      const json = synthExample("minimal", "minimal-images");
      expect(Object.keys(json.resource.aws_cloudfront_distribution)).toHaveLength(1);
      expect(json.resource.aws_acm_certificate).toBeUndefined();
      expect(json.output.url.value).toMatch(/^https:\/\/\$\{aws_cloudfront_distribution\..+\.domain_name\}$/);
      expect(json.resource.aws_s3control_object_lambda_access_point).toBeUndefined();
      expect(Object.values(json.resource.aws_lambda_function_url)[0]).toMatchObject({ authorization_type: "AWS_IAM", invoke_mode: "RESPONSE_STREAM" });
      expect(json.terraform.backend.local.path).not.toMatch(/^\//);
    }, 60_000);

    it("custom-domain", () => {
      const json = synthExample("custom-domain", "product-images");
      const certificate = Object.values(json.resource.aws_acm_certificate)[0] as Record<string, unknown>;
      expect(certificate).toMatchObject({ provider: "aws.us_east_1", domain_name: "img.example.com" });
      const distribution = Object.values(json.resource.aws_cloudfront_distribution)[0] as Record<string, unknown>;
      expect(distribution).toMatchObject({ aliases: ["img.example.com"], price_class: "PriceClass_200", tags: { service: "product-images", team: "media" } });
      const fn = Object.values(json.resource.aws_cloudfront_function).find((f) => String((f as { name: string }).name).endsWith("-normalize")) as { code: string };
      // The w parameter as the edge checks it: an integer up to maxWidth, one of the allow-list.
      expect(fn.code).toContain('"w":["i",4096,[150,500,1080]]');
    }, 60_000);

    it("object-lambda", () => {
      const json = synthExample("object-lambda", "object-lambda-images");
      expect(json.resource.aws_lambda_function_url).toBeUndefined();
      expect(Object.keys(json.resource.aws_s3control_object_lambda_access_point)).toHaveLength(1);
      expect(Object.values(json.resource.aws_cloudfront_origin_access_control)[0]).toMatchObject({ origin_access_control_origin_type: "s3" });
    }, 60_000);

    it("the README's construct snippet, as printed", () => {
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      const section = readme.slice(readme.indexOf("## Using the construct in your own cdktf app"));
      writeFileSync(join(consumer, "readme-snippet.ts"), /```ts\n([\s\S]*?)```/.exec(section)![1]!);
      const json = stackJson(synthApp("readme-snippet.ts", {}, { root: consumer }), "product-images");
      expect(Object.values(json.resource.aws_acm_certificate)[0]).toMatchObject({ provider: "aws.us_east_1", domain_name: "img.example.com" });
      expect(() => typeCheck(consumer)).not.toThrow();
    }, 60_000);

    it("the example app's own npm scripts: typecheck and synth (cdktf's CLI, as the user runs it)", () => {
      run("npm", ["run", "typecheck"], consumer);
      run("npm", ["run", "synth"], consumer);
      const stack = JSON.parse(readFileSync(join(consumer, "cdktf.out/stacks/minimal-images/cdk.tf.json"), "utf8"));
      expect(Object.keys(stack.resource.aws_lambda_function)).toHaveLength(1);
    }, 180_000);
  });
});
