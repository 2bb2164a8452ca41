/**
 * The kit as a Terraform shop installs it: `npm pack`, the tarball installed into a fresh cdktf app
 * (TypeScript, cdktf's template tsconfig), type-checked and synthesized offline. The installed package
 * must deploy the same bytes as the checkout: same stack JSON, same zip, same source_code_hash.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, synthApp } from "./support/run-app";

const APP = `import { Construct } from "constructs";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "KIT";

class Images extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A relative state path: cdktf's default writes the absolute path of the machine that synthesized.
    new LocalBackend(this, { path: "terraform.images.tfstate" });
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const images = new ImageCdn(this, "images", { resizer: { allowedWidths: [150, 500] }, cors: { allowedOrigins: ["https://app.example.com"] } });
    // The public attributes are typed for the consumer too.
    const domain: string = images.distributionDomainName;
    void domain;
  }
}
const app = new App();
new Images(app, "images");
app.synth();
`;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
}

/** Synthesizes the consumer app into `outdir` (its stack JSON is what a review reads). */
function writeSynthOf(app: string, outdir: string): void {
  for (const [path, bytes] of synthApp("main.ts", {}, { root: app })) {
    if (!path.endsWith(".json")) continue;
    mkdirSync(join(outdir, path, ".."), { recursive: true });
    writeFileSync(join(outdir, path), bytes);
  }
}

describe("the packed kit installed into a fresh cdktf app", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-package-"));
  const consumer = join(work, "app");
  let tarball = "";
  let packed: string[] = [];

  beforeAll(() => {
    // prepack (npm run build) prints its own lines before npm's JSON.
    const stdout = run("npm", ["pack", "--json", "--pack-destination", work], ROOT);
    const packOutput = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as Array<{ filename: string; files: { path: string }[] }>;
    tarball = join(work, packOutput[0]!.filename);
    packed = packOutput[0]!.files.map((f) => f.path);
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({
      name: "consumer",
      private: true,
      dependencies: { "@cdktf/provider-aws": "21.22.1", cdktf: "0.21.0", constructs: "10.8.1", "image-cdn-kit": `file:${tarball}` },
      devDependencies: { "@types/node": "20.19.43", "ts-node": "10.9.2", typescript: "5.9.3" },
    }, null, 2));
    copyFileSync(join(ROOT, "node_modules/cdktf-cli/bundle/templates/typescript/tsconfig.json"), join(consumer, "tsconfig.json"));
    writeFileSync(join(consumer, "main.ts"), APP.replace("KIT", "image-cdn-kit"));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], consumer);
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("ships the compiled construct, its declarations and both resizer zips, and nothing of the repo's own", () => {
    expect(packed).toEqual(expect.arrayContaining([
      "dist/modules/index.js", "dist/modules/index.d.ts", "dist/modules/edge/viewer-request.js",
      "dist/prebuilt-resizer/resizer-arm64.zip", "dist/modules/cli.js", "dist/prebuilt-resizer/resizer-x86_64.zip", "package.json", "README.md", "LICENSE", "help",
    ]));
    expect(packed.filter((path) => /^(__tests__|bench|\.ci|fixtures|scripts|examples|lambda-src|modules)\//.test(path) || path.endsWith(".ts") && !path.endsWith(".d.ts"))).toEqual([]);
  });

  it("installs without the build tools: no esbuild, sharp or fflate in the consumer", () => {
    for (const tool of ["esbuild", "sharp", "fflate"]) expect(existsSync(join(consumer, "node_modules", tool))).toBe(false);
  });

  it("type-checks under cdktf's template tsconfig", () => {
    expect(() => run(process.execPath, [join(consumer, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", consumer], consumer)).not.toThrow();
  });

  it("synthesizes offline to the same bytes as the checkout: stack JSON and zip, so the same source_code_hash", () => {
    const installed = synthApp("main.ts", {}, { root: consumer });
    const checkoutDir = join(ROOT, ".build", "package-test");
    mkdirSync(checkoutDir, { recursive: true });
    writeFileSync(join(checkoutDir, "main.ts"), APP.replace("KIT", "../../modules"));
    const checkout = synthApp(".build/package-test/main.ts");
    const zip = (files: Map<string, Buffer>) => [...files].find(([path]) => path.endsWith("resizer-arm64.zip"));
    expect(zip(installed)?.[0]).toBeDefined();
    expect(zip(installed)?.[0]).toBe(zip(checkout)?.[0]);
    expect(zip(installed)![1].equals(zip(checkout)![1])).toBe(true);
    expect(installed.get("stacks/images/cdk.tf.json")!.toString()).toBe(checkout.get("stacks/images/cdk.tf.json")!.toString());
    expect(installed.get("stacks/images/cdk.tf.json")!.toString()).toMatch(/"source_code_hash": "[A-Za-z0-9+/]{43}="/);
    expect(readdirSync(join(consumer, "node_modules/image-cdn-kit/dist/prebuilt-resizer")).sort()).toEqual(["resizer-arm64.zip", "resizer-x86_64.zip"]);
  }, 120_000);

  it("installs the image-cdn-kit command: a review of two synth folders", () => {
    const out = mkdtempSync(join(work, "synth-"));
    writeSynthOf(consumer, out);
    const markdown = run(join(consumer, "node_modules/.bin/image-cdn-kit"), ["review", out, out], consumer);
    expect(markdown).toContain("## Image CDN review: `images`");
    expect(markdown).toContain("No change in who may do what.");
  }, 60_000);
});
