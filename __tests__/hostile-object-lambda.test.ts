/**
 * The hostile-input corpus through the Object Lambda adapter, as source handler and as the unpacked bundle
 * in a child process: each case gets the documented WriteGetObjectResponse status with its exact reason in
 * ErrorCode, nothing crashes or hangs, and the container's peak RSS stays below the function's memory.
 * (Path tricks do not apply: there S3 resolves the key and hands over a presigned URL.)
 */
import sharp from "sharp";
import { ERRORS, type ErrorCode } from "../lambda-src/core/errors";
import { DEFAULT_MEMORY_SIZE } from "../modules/construct/validate-props";
import { loadBundledHandler, type ResizerHandler } from "./support/bundled-handler";
import { captureLogLines, lambdaEnvironment } from "./support/e2e-common";
import { HOSTILE_CASES, storeHostileOriginals, type HostileCase } from "./support/hostile-corpus";
import { fakeContext } from "./support/lambda-context";
import { startWriteGetObjectResponseStandIn, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";
import { handler as sourceHandler } from "../lambda-src";

const BUDGET_MS = 10_000;
const store = storeHostileOriginals();
let standIn: WriteGetObjectResponseStandIn;
let token = 0;
const useEnvironment = lambdaEnvironment();
captureLogLines();

beforeAll(async () => {
  standIn = await startWriteGetObjectResponseStandIn();
  useEnvironment({ AWS_ENDPOINT_URL_S3: standIn.endpoint });
});
afterAll(async () => standIn?.close());

async function invoke(handler: ResizerHandler, c: HostileCase) {
  const outputToken = `hostile-${++token}`;
  await handler({
    getObjectContext: { inputS3Url: await store().presignGet(c.key), outputRoute: "io-route", outputToken },
    userRequest: { url: `https://olap-alias.s3-object-lambda.us-east-1.amazonaws.com/${c.key}`, headers: c.query ? { "x-resize-params": c.query } : {} },
  }, fakeContext(BUDGET_MS));
  return standIn.responseFor(outputToken, 0);
}

describe.each([
  ["source handler", async () => ({ handler: sourceHandler, peakRss: undefined, dispose: async () => undefined })],
  ["bundled x86_64 handler in a child process", async () => {
    const bundled = await loadBundledHandler();
    return { handler: bundled.handler, peakRss: bundled.peakRss, dispose: bundled.dispose };
  }],
] as const)("hostile corpus through the Object Lambda adapter: %s", (_name, load) => {
  let container: Awaited<ReturnType<typeof load>>;
  beforeAll(async () => {
    container = await load();
  }, 180_000);
  afterAll(async () => container?.dispose());

  it.each(HOSTILE_CASES.filter((c) => !c.functionUrlOnly).map((c) => [c.name, c] as const))("%s", async (_case, c) => {
    const started = Date.now();
    const response = await invoke(container.handler, c);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS);
    expect(response.refused).toBeUndefined();
    if (c.code !== undefined) {
      expect({ status: response.status, code: response.errorCode }).toEqual({ status: ERRORS[c.code as ErrorCode].objectLambdaStatus, code: c.code });
      expect(response.errorMessage).toMatch(c.reason ?? /\S/);
      expect(response.errorMessage!.length).toBeLessThanOrEqual(256);
      return;
    }
    expect(response.status).toBe(200);
    if (c.key.endsWith(".svg")) {
      expect(response.forwardedHeaders["content-type"]).toBe("image/svg+xml");
      return;
    }
    expect((await sharp(response.body).metadata()).width).toBeGreaterThan(0);
    expect(response.body.includes("<script>")).toBe(false);
  });

  it("is still answering, within the function's memory, after the whole corpus", async () => {
    const after = await invoke(container.handler, { name: "", key: "ok/flowers.jpeg", query: "w=64", status: 200 });
    expect(after.status).toBe(200);
    if (container.peakRss !== undefined) {
      const peak = await container.peakRss();
      console.warn(`Object Lambda corpus: container peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB of ${DEFAULT_MEMORY_SIZE} MB`);
      expect(peak).toBeLessThan(DEFAULT_MEMORY_SIZE * 1024 * 1024);
    }
  });
});
