/**
 * The README's git install: `npm i git+<url>` into the example consumer app. npm builds a git dependency by running
 * its `prepare` (here `npm run build`, which writes dist/) in a clone with its dev dependencies, then packs it; a
 * package built only at `prepack` would install empty. Installed from a `git+file://` URL of a clone of this
 * checkout's HEAD, it must load and synthesize the same bytes as the checkout.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsumer, run, synthFromCheckout } from "./support/consumer";
import { ROOT, synthApp } from "./support/run-app";

describe("installed from a git URL", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-git-"));
  const consumer = join(work, "app");
  let installLog = "";

  beforeAll(() => {
    const clone = join(work, "kit");
    execFileSync("git", ["clone", "--quiet", ROOT, clone]);
    // As the README says: the same URL under allowScripts approves the build npm runs for it.
    const url = `git+file://${clone}`;
    installLog = createConsumer(consumer, { "image-cdn-kit": url }, { withoutCli: true, allowScripts: { [url]: true } });
  }, 900_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("builds dist/ (prepare), so the package loads", () => {
    expect(existsSync(join(consumer, "node_modules/image-cdn-kit/dist/modules/index.js"))).toBe(true);
    expect(existsSync(join(consumer, "node_modules/image-cdn-kit/dist/prebuilt-resizer/resizer-arm64.zip"))).toBe(true);
    const exported = run(process.execPath, ["-e", 'console.log(Object.keys(require("image-cdn-kit")).join(","))'], consumer);
    expect(exported.trim().split(",")).toEqual(expect.arrayContaining(["ImageCdn", "useKitBackend", "signImageUrl"]));
  });

  it("the build is approved by the git URL under allowScripts (npm 11 matches git dependencies by URL, not name)", () => {
    expect(installLog).not.toContain("not yet covered by allowScripts");
  });

  it("synthesizes the same stack and zip as the checkout", () => {
    const installed = synthApp("images.ts", {}, { root: consumer });
    const checkout = synthFromCheckout();
    expect(installed.get("stacks/images/cdk.tf.json")!.toString()).toBe(checkout.get("stacks/images/cdk.tf.json")!.toString());
  }, 120_000);
});
