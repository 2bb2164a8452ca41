// The app: one stack with one ImageCdn, configured by IMAGE_CDN_* environment variables or cdktf.json
// context (see `help` and the README). No AWS account or credentials are needed to synthesize.
import { App } from "cdktf";
import { resolveAppSettings, settingLookup } from "./modules/app-settings";
import { ImageCdnStack } from "./modules/image-cdn-stack";

const app = new App();
const settings = resolveAppSettings(settingLookup(process.env, (key) => app.node.tryGetContext(key)));
new ImageCdnStack(app, settings);
app.synth();
