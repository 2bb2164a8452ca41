import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, synthApp } from "./run-app";

/** The app a consumer writes: one stack, one ImageCdn, imported from KIT. */
export const CONSUMER_APP = `import { Construct } from "constructs";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "KIT";

class Images extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A relative state path: cdktf's default writes the absolute path of the machine that synthesized.
    new LocalBackend(this, { path: "terraform.images.tfstate" });
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const images = new ImageCdn(this, "images", { resizer: { allowedWidths: [150, 500] }, cors: { allowedOrigins: ["https://app.example.com"] }, purgeOnChange: true });
    // The public attributes are typed for the consumer too.
    const domain: string = images.distributionDomainName;
    void domain;
  }
}
const app = new App();
new Images(app, "images");
app.synth();
`;

export function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
}

/** `npm pack` of the kit (its prepack builds dist/): the tarball's path and the files it holds. */
export function packKit(destination: string): { tarball: string; files: string[] } {
  // prepack (npm run build) prints its own lines before npm's JSON.
  const stdout = run("npm", ["pack", "--json", "--pack-destination", destination], ROOT);
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as Array<{ filename: string; files: { path: string }[] }>;
  return { tarball: join(destination, packed!.filename), files: packed!.files.map((f) => f.path) };
}

/** The complete consumer app a user copies: examples/minimal (package.json, tsconfig.json, cdktf.json, main.ts). */
export const EXAMPLE_APP_DIR = join(ROOT, "examples", "minimal");

/**
 * A copy of examples/minimal with `dependencies` over its own (the kit from a tarball's `file:` or a `git+file://`
 * URL instead of the tarball it names; CDK Terrain's aliases), installed. `withoutCli` drops cdktf-cli (an app
 * synthesized by running main.ts does not need it), `allowScripts` npm's install-script approvals. CONSUMER_APP is
 * added as images.ts (the byte comparison). Returns npm's output.
 */
export function createConsumer(dir: string, dependencies: Record<string, string>, options: { withoutCli?: boolean; allowScripts?: Record<string, boolean> } = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ["tsconfig.json", "cdktf.json", "main.ts"]) copyFileSync(join(EXAMPLE_APP_DIR, file), join(dir, file));
  const manifest = JSON.parse(readFileSync(join(EXAMPLE_APP_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  Object.assign(manifest.dependencies, dependencies);
  if (options.withoutCli) delete manifest.devDependencies["cdktf-cli"];
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ ...manifest, ...(options.allowScripts ? { allowScripts: options.allowScripts } : {}) }, null, 2)}\n`);
  writeFileSync(join(dir, "images.ts"), CONSUMER_APP.replace("KIT", "image-cdn-kit"));
  const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (install.status !== 0) throw new Error(`npm install failed in ${dir}: ${install.stderr}`);
  return install.stdout + install.stderr;
}

/** The same app synthesized from the checkout's sources: what an installed kit must reproduce. */
export function synthFromCheckout(): Map<string, Buffer> {
  const dir = join(ROOT, ".build", "consumer-app");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.ts"), CONSUMER_APP.replace("KIT", "../../modules"));
  return synthApp(".build/consumer-app/main.ts");
}

/** tsc over the app's own tsconfig (examples/minimal's: strict, no Node types loaded, declarations checked). */
export function typeCheck(dir: string, tsc = join(dir, "node_modules/typescript/bin/tsc"), files: readonly string[] = []): string {
  const project = files.length === 0 ? ["-p", dir] : ["--strict", "--noEmit", "--skipLibCheck", "false", "--types", "", "--module", "commonjs", "--target", "es2022", ...files];
  try {
    return run(process.execPath, [tsc, "--noEmit", ...project], dir);
  } catch (error) {
    throw new Error(`tsc failed: ${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`);
  }
}
