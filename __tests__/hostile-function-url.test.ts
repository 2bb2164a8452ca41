/**
 * The hostile-input corpus through the function URL adapter, as source handler and as the unpacked bundle
 * in a child process (a container): each case gets its documented status and a short reason, nothing
 * crashes or hangs, and the container's peak RSS stays below the function's memory.
 */
import { S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core";
import { createFunctionUrlHandler, s3Originals } from "../lambda-src/function-url/handler";
import type { FunctionUrlResponse } from "../lambda-src/function-url/response";
import { s3ClientConfig } from "../lambda-src/shared/origin";
import { DEFAULT_MEMORY_SIZE } from "../modules/construct/validate-props";
import { loadBundledHandler } from "./support/bundled-handler";
import { captureLogLines, lambdaEnvironment } from "./support/e2e-common";
import { HOSTILE_CASES, HOSTILE_ORIGINALS, directFunctionUrlEvent as event, storeHostileOriginals } from "./support/hostile-corpus";
import { fakeContext } from "./support/lambda-context";

const BUDGET_MS = 10_000;
const store = storeHostileOriginals();
const useEnvironment = lambdaEnvironment();
captureLogLines();
beforeAll(() => useEnvironment({ AWS_ENDPOINT_URL_S3: store().endpoint, RESIZER_ORIGIN_BUCKET: store().bucket }));

type Invoke = (event: unknown) => Promise<FunctionUrlResponse>;

describe.each([
  ["source handler", async () => {
    const client = new S3Client(s3ClientConfig(process.env));
    const handle = createFunctionUrlHandler(s3Originals({ s3: () => client, bucket: () => store().bucket }));
    return { invoke: ((e: unknown) => handle(e as never, fakeContext(BUDGET_MS))), peakRss: undefined, dispose: async () => client.destroy() };
  }],
  ["bundled x86_64 handler in a child process", async () => {
    const bundled = await loadBundledHandler();
    return { invoke: ((e) => bundled.invoke(e, fakeContext(BUDGET_MS))) as Invoke, peakRss: bundled.peakRss, dispose: bundled.dispose };
  }],
] as const)("hostile corpus through the function URL adapter: %s", (_name, load) => {
  let container: Awaited<ReturnType<typeof load>>;
  beforeAll(async () => {
    container = await load();
  }, 180_000);
  afterAll(async () => container?.dispose());

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))("%s", async (_case, c) => {
    const started = Date.now();
    const response = await container.invoke(event(c));
    const body = Buffer.from(response.body, "base64");
    expect(Date.now() - started).toBeLessThan(BUDGET_MS);
    expect(response.statusCode).toBe(c.status);
    if (c.code !== undefined) {
      const reason = body.toString("utf8").trimEnd();
      expect(reason).toMatch(c.reason ?? /\S/);
      expect(reason.length).toBeLessThan(300);
      expect(reason).not.toMatch(/\n\s+at /);
      expect(response.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
      return;
    }
    if (c.key.endsWith(".svg")) {
      // Passed through as the same bytes and type: the distribution's CSP sandbox and nosniff guard it.
      expect(response.headers["Content-Type"]).toBe("image/svg+xml");
      expect(body.equals(HOSTILE_ORIGINALS.find((o) => o.key === c.key)!.bytes)).toBe(true);
      return;
    }
    const meta = await sharp(body).metadata();
    expect(meta.width).toBeGreaterThan(0);
    // Re-encoded: whatever trailed the original's image data is gone.
    expect(body.includes("<script>")).toBe(false);
  });

  it("is still answering, within the function's memory, after the whole corpus", async () => {
    const after = await container.invoke(event({ name: "", key: "ok/flowers.jpeg", query: "w=64", status: 200 }));
    expect(after.statusCode).toBe(200);
    if (container.peakRss !== undefined) {
      const peak = await container.peakRss();
      console.warn(`function URL corpus: container peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB of ${DEFAULT_MEMORY_SIZE} MB`);
      expect(peak).toBeLessThan(DEFAULT_MEMORY_SIZE * 1024 * 1024);
    }
  });
});

it("the corpus has at least 30 cases, and every original it names is stored", () => {
  expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
  for (const c of HOSTILE_CASES) expect(HOSTILE_ORIGINALS.map((o) => o.key)).toContain(c.key);
  expect(DEFAULT_RESIZER_CONFIG.maxInputPixels).toBe(100_000_000);
});
