/**
 * `npm run build` (and `prepack`): the package as consumers install it. dist/ holds the compiled construct
 * with declarations, the CloudFront Function sources it reads at synth, and the resizer zips for both
 * architectures and the purge function's zip, so that a consumer's synth needs neither esbuild nor the npm registry.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { EDGE_ESBUILD_OPTIONS, edgeScriptSource, minifiedEdgeScriptFile } from "../modules/edge/viewer-request-function";
import { join } from "node:path";
import { AWS_REGIONS_FILE, writeAwsRegionsFile } from "../modules/construct/aws-regions";
import { LAMBDA_ARCHITECTURES, PURGE_ZIP_NAME, resizerZipName } from "../modules/bundle";
import { buildPurgeBundle, buildResizerBundle } from "../modules/bundle/build";

const ROOT = join(__dirname, "..");
const DIST = join(ROOT, "dist");

rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
const edge = join(ROOT, "modules", "edge");
for (const file of readdirSync(edge).filter((name) => name.endsWith(".js"))) copyFileSync(join(edge, file), join(DIST, "modules", "edge", file));
// The Accept reader the resizer imports (lambda-src/core/accept-token.js), and its declarations.
for (const file of ["accept-token.js", "accept-token.d.ts"]) copyFileSync(join(ROOT, "lambda-src", "core", file), join(DIST, "lambda-src", "core", file));
// The region list the settings are checked against: a consumer's install has no AWS SDK to read it from.
const regions = writeAwsRegionsFile(join(DIST, "modules", "construct"));
console.log(`${AWS_REGIONS_FILE}: ${regions.regions.length} regions of ${regions.source}`);
// The viewer-request function's minified scripts, so that a consumer's synth needs no esbuild.
for (const kind of ["plain", "signed"] as const) {
  writeFileSync(join(DIST, "modules", "edge", minifiedEdgeScriptFile(kind)), transformSync(edgeScriptSource(kind), EDGE_ESBUILD_OPTIONS).code);
}
const prebuilt = join(DIST, "prebuilt-resizer");
mkdirSync(prebuilt, { recursive: true });
for (const architecture of LAMBDA_ARCHITECTURES) {
  const bundle = buildResizerBundle({ architecture });
  copyFileSync(bundle.zipPath, join(prebuilt, resizerZipName(architecture)));
  console.log(`${resizerZipName(architecture)}: ${bundle.sourceCodeHash}`);
}
const purge = buildPurgeBundle();
copyFileSync(purge.zipPath, join(prebuilt, PURGE_ZIP_NAME));
console.log(`${PURGE_ZIP_NAME}: ${purge.sourceCodeHash}`);
