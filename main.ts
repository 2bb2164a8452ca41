// The app: one stack with one ImageCdn, configured by IMAGE_CDN_* environment variables or cdktf.json
// context (see `help` and the README). No AWS account or credentials are needed to synthesize.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { resolveAppSettings, settingErrorLine, settingLookup, unknownSettings } from "./modules/app/app-settings";
import { ImageCdnStack } from "./modules/app/image-cdn-stack";

const app = new App();
const lookup = settingLookup(process.env, (key) => app.node.tryGetContext(key));
let stack: ImageCdnStack;
try {
  const unknown = unknownSettings(process.env);
  if (unknown) throw unknown;
  stack = new ImageCdnStack(app, resolveAppSettings(lookup));
} catch (error) {
  const line = settingErrorLine(error, lookup);
  if (line === undefined) throw error;
  // A wrong setting is the user's to fix: one line, no stack trace.
  console.error(`image-cdn: ${line}`);
  process.exit(1);
}
app.synth();
// JSON (cdk.tf.json) and HCL (cdk.tf, `cdktf synth --hcl`) must never sit in one stack folder: Terraform
// would load both and fail on a duplicate backend.
rmSync(join(app.outdir, "stacks", stack.node.id, app.hclOutput ? "cdk.tf.json" : "cdk.tf"), { force: true });
