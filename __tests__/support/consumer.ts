import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
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

/** A fresh cdktf app (cdktf's template tsconfig) with these dependencies, installed. */
export function createConsumer(dir: string, dependencies: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({
    name: "consumer",
    private: true,
    dependencies,
    devDependencies: { "@types/node": "20.19.43", "ts-node": "10.9.2", typescript: "5.9.3" },
  }, null, 2));
  copyFileSync(join(ROOT, "node_modules/cdktf-cli/bundle/templates/typescript/tsconfig.json"), join(dir, "tsconfig.json"));
  writeFileSync(join(dir, "main.ts"), CONSUMER_APP.replace("KIT", "image-cdn-kit"));
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
}

/** The same app synthesized from the checkout's sources: what an installed kit must reproduce. */
export function synthFromCheckout(): Map<string, Buffer> {
  const dir = join(ROOT, ".build", "consumer-app");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.ts"), CONSUMER_APP.replace("KIT", "../../modules"));
  return synthApp(".build/consumer-app/main.ts");
}

export function typeCheck(dir: string): void {
  run(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir], dir);
}
