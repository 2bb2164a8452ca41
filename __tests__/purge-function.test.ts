/**
 * The purge function against a stand-in of CloudFront's invalidation API at the HTTP level, called by the real
 * @aws-sdk/client-cloudfront (endpoint from AWS_ENDPOINT_URL_CLOUDFRONT, the SDK's documented per-service
 * endpoint variable). Events are S3's EventBridge events as the S3 user guide's "EventBridge event message
 * structure" shows them, wrapped as Lambda's SQS event source delivers them.
 */
import { emfMetrics, metricValue } from "./support/emf";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CloudFrontClient, CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { buildPurgeBundle } from "../modules/bundle/build";
import { DISTRIBUTION_ID_ENV, handler, invalidationPath, invalidationPaths, PURGE_BATCH_SIZE, PURGE_MAX_CALLS_PER_BATCH, type SqsEvent, type SqsBatchResponse } from "../lambda-src/purge";
import { CloudFrontApiStandIn, MAX_PATHS_IN_PROGRESS } from "./support/cloudfront-api-stand-in";
import { s3EventBridgeEvent } from "./support/s3-events";
import { unzip } from "./support/unzip";

const execFileAsync = promisify(execFile);
const DISTRIBUTION_ID = "E2EXAMPLE0PURGE";
const BUCKET = "originals-bucket";

let api: CloudFrontApiStandIn;
let messageCounter = 0;
const savedEnv = { ...process.env };

function s3Event(key: string, type: "Object Created" | "Object Deleted" = "Object Created"): string {
  return JSON.stringify(s3EventBridgeEvent(type, BUCKET, key));
}

function sqsEvent(bodies: readonly string[]): SqsEvent {
  return { Records: bodies.map((body) => ({ messageId: `m-${++messageCounter}`, body })) };
}

/** Lambda's SQS poller: batches of at most the mapping's batch size. */
function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

beforeAll(async () => {
  api = new CloudFrontApiStandIn([DISTRIBUTION_ID]);
  process.env.AWS_ENDPOINT_URL_CLOUDFRONT = await api.start();
  process.env.AWS_ACCESS_KEY_ID = "AKIAPURGESTANDIN";
  process.env.AWS_SECRET_ACCESS_KEY = "stand-in-secret";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env[DISTRIBUTION_ID_ENV] = DISTRIBUTION_ID;
});

afterAll(async () => {
  await api.stop();
  process.env = savedEnv;
});

beforeEach(() => {
  api.completeAll();
  api.invalidations.length = 0;
  api.calls.length = 0;
  api.refusedPaths.clear();
});

const SPECIAL_KEYS: [string, string][] = [
  ["photos/cat.jpg", "/photos/cat.jpg"],
  ["photos/summer holiday.jpg", "/photos/summer%20holiday.jpg"],
  // '+', '&', '=', ';', ':', '@', '$', ',', '(', ')', '!', "'" are not unsafe in RFC 1738: left as they are.
  ["a+b&c=d;e:f@g$h,(1)!'.jpg", "/a+b&c=d;e:f@g$h,(1)!'.jpg"],
  ["100%.jpg", "/100%25.jpg"],
  ["what?.jpg", "/what%3F.jpg"],
  ["x#1.jpg", "/x%231.jpg"],
  ["한글/사진.jpg", "/%ED%95%9C%EA%B8%80/%EC%82%AC%EC%A7%84.jpg"],
  ["emoji 😀.png", "/emoji%20%F0%9F%98%80.png"],
  ["~user/{a}|[b]^`\\<c>\"d\".jpg", "/%7Euser/%7Ba%7D%7C%5Bb%5D%5E%60%5C%3Cc%3E%22d%22.jpg"],
  ["star*.jpg", "/star%2A.jpg"],
  ["tab\tnew\nline.jpg", "/tab%09new%0Aline.jpg"],
];

describe("invalidation paths (CloudFront: URL-encode non-ASCII and RFC 1738 unsafe characters, nothing else)", () => {
  it.each(SPECIAL_KEYS)("%j -> %s", (key, path) => {
    expect(invalidationPath(key)).toBe(path);
    // Decoding gives the key back: the path names exactly this object.
    expect(decodeURIComponent(path.slice(1))).toBe(key);
  });

  it("a key whose URL spelling differs (encodeURIComponent encodes '+', '&', '=', ...) gets that path too; others get one", () => {
    expect(invalidationPaths("a+b&c=d;e:f@g$h,(1)!'.jpg")).toEqual(["/a+b&c=d;e:f@g$h,(1)!'.jpg", "/a%2Bb%26c%3Dd%3Be%3Af%40g%24h%2C(1)!'.jpg"]);
    expect(invalidationPaths("photos/summer holiday.jpg")).toEqual(["/photos/summer%20holiday.jpg"]);
    expect(invalidationPaths("한글/사진.jpg")).toEqual(["/%ED%95%9C%EA%B8%80/%EC%82%AC%EC%A7%84.jpg"]);
    expect(invalidationPaths("star*.jpg")).toEqual(["/star%2A.jpg"]);
  });

  it("a key of S3's maximum 1,024 bytes stays within CloudFront's 4,000-character path limit", () => {
    expect(invalidationPath("한".repeat(341)).length).toBeLessThanOrEqual(4000);
    expect(invalidationPath("%".repeat(1024)).length).toBeLessThanOrEqual(4000);
  });
});

describe("purge function against the CloudFront API stand-in", () => {
  it("sends every special key in the form CloudFront accepts, and CloudFront accepts them all", async () => {
    const result = await handler(sqsEvent(SPECIAL_KEYS.map(([key]) => s3Event(key))));
    expect(result.batchItemFailures).toEqual([]);
    expect(api.calls).toEqual([{ status: 201 }]);
    expect(api.submittedPaths().sort()).toEqual(SPECIAL_KEYS.flatMap(([key]) => invalidationPaths(key)).sort());
    expect(api.submittedPaths()).toEqual(expect.arrayContaining(SPECIAL_KEYS.map(([, path]) => path)));
  });

  it("a path CloudFront refuses is isolated by halving: the other keys are invalidated, only its message returns to the queue", async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `batch/${i}.jpg`);
    api.refusedPaths.add("/batch/7.jpg");
    const batch = sqsEvent(keys.map((key) => s3Event(key)));
    const result = await handler(batch);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[7]?.messageId }]);
    expect(api.submittedPaths().sort()).toEqual(keys.filter((_, i) => i !== 7).map(invalidationPath).sort());
    // 10 -> 5 + 5 -> the 5 holding it -> 3 + 2 -> ... : a handful of calls, not one per key.
    expect(api.calls.length).toBeLessThanOrEqual(8);
  });

  // Hostile: a batch CloudFront refuses wholesale would be halved down to every single path (1,999 calls for 1,000).
  it("bounds the calls of a batch whose every path is refused, and returns the rest to the queue with a log line", async () => {
    const keys = Array.from({ length: PURGE_BATCH_SIZE }, (_, i) => `refused/${i}.jpg`);
    for (const key of keys) api.refusedPaths.add(invalidationPath(key));
    const batch = sqsEvent(keys.map((key) => s3Event(key)));
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(...String(chunk).split("\n").filter(Boolean)), true));
    const result = await handler(batch).finally(() => spy.mockRestore());
    const logLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(api.calls.length).toBe(PURGE_MAX_CALLS_PER_BATCH);
    expect(new Set(result.batchItemFailures.map((f) => f.itemIdentifier))).toEqual(new Set(batch.Records.map((r) => r.messageId)));
    expect(logLines()).toEqual(expect.arrayContaining([expect.objectContaining({ level: "error", message: "invalidation calls of this batch used up; the rest return to the queue", calls: PURGE_MAX_CALLS_PER_BATCH })]));
  });

  it("counts its invalidations in Embedded Metric Format (CloudFront publishes none): created, paths, refused", async () => {
    api.refusedPaths.add("/refused-one.jpg");
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(...String(chunk).split("\n").filter(Boolean)), true));
    await handler(sqsEvent([s3Event("counted/a.jpg"), s3Event("counted/b.jpg")])).finally(() => spy.mockRestore());
    const spy2 = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(...String(chunk).split("\n").filter(Boolean)), true));
    await handler(sqsEvent([s3Event("refused-one.jpg")])).finally(() => spy2.mockRestore());
    const metrics = lines.map((line) => emfMetrics(line));
    const base = { FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "purge" };
    const created = metrics.find((m) => metricValue(m, "Invalidations", base) !== undefined)!;
    expect([metricValue(created, "Invalidations", base), metricValue(created, "InvalidatedPaths", base)]).toEqual([1, 2]);
    expect(metrics.some((m) => metricValue(m, "InvalidationFailures", base) === 1)).toBe(true);
  });

  it("isolates one refused path among 1,000 within the bound", async () => {
    const keys = Array.from({ length: PURGE_BATCH_SIZE }, (_, i) => `many/${i}.jpg`);
    api.refusedPaths.add("/many/613.jpg");
    const batch = sqsEvent(keys.map((key) => s3Event(key)));
    const result = await handler(batch);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[613]?.messageId }]);
    expect(api.calls.length).toBeLessThanOrEqual(21);
    expect(api.submittedPaths()).toHaveLength(PURGE_BATCH_SIZE - 1);
  });

  it("a burst of 500 events on 350 keys (overwrites and deletes) is one invalidation of 350 exact paths", async () => {
    const keys = Array.from({ length: 350 }, (_, i) => `uploads/${i % 7 === 0 ? "한 " : ""}photo-${i}.jpg`);
    const bodies = Array.from({ length: 500 }, (_, i) => s3Event(keys[i % keys.length] as string, i % 5 === 0 ? "Object Deleted" : "Object Created"));
    const responses: SqsBatchResponse[] = [];
    for (const batch of inBatches(bodies, PURGE_BATCH_SIZE)) responses.push(await handler(sqsEvent(batch)));
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(api.calls).toHaveLength(1);
    expect(api.submittedPaths()).toHaveLength(350);
    expect(new Set(api.submittedPaths())).toEqual(new Set(keys.map(invalidationPath)));
    expect(api.submittedPaths().some((path) => path.endsWith("*"))).toBe(false);
  });

  it("the poller handing out smaller batches gives one call per batch, each key in one of them", async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k/${i}.jpg`);
    for (const batch of inBatches(keys.map((key) => s3Event(key)), 100)) expect((await handler(sqsEvent(batch))).batchItemFailures).toEqual([]);
    expect(api.calls).toHaveLength(5);
    expect(api.submittedPaths().sort()).toEqual(keys.map(invalidationPath).sort());
  });

  it("over CloudFront's 3,000 paths in progress: the batch's messages return to the queue, and succeed once the earlier invalidations completed", async () => {
    const batches = inBatches(Array.from({ length: 3500 }, (_, i) => s3Event(`bulk/${i}.jpg`)), PURGE_BATCH_SIZE).map(sqsEvent);
    for (const batch of batches.slice(0, 3)) expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect(api.submittedPaths()).toHaveLength(MAX_PATHS_IN_PROGRESS);

    const fourth = batches[3] as SqsEvent;
    const refused = await handler(fourth);
    expect(api.calls.at(-1)).toEqual({ status: 400, code: "TooManyInvalidationsInProgress" });
    expect(refused.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(fourth.Records.map((r) => r.messageId).sort());

    api.completeAll();
    const retried = await handler(fourth); // SQS redelivers the same messages after the visibility timeout
    expect(retried.batchItemFailures).toEqual([]);
    expect(api.submittedPaths()).toHaveLength(3500);
  });

  it("a retried batch (function timed out after CloudFront answered) is the same request: no second invalidation, no second charge", async () => {
    const batch = sqsEvent(["a.jpg", "b.jpg"].map((key) => s3Event(key)));
    await handler(batch);
    await handler(batch);
    expect(api.calls).toEqual([{ status: 201 }, { status: 201 }]);
    expect(api.invalidations).toHaveLength(1);
  });

  it("the same key changed again later is a new invalidation", async () => {
    await handler(sqsEvent([s3Event("a.jpg")]));
    await handler(sqsEvent([s3Event("a.jpg")]));
    expect(api.invalidations).toHaveLength(2);
  });

  it("messages that hold no S3 object event are dropped (not retried forever); the rest of the batch is purged", async () => {
    const result = await handler(sqsEvent([
      "not json",
      JSON.stringify({ "detail-type": "Object Restore Completed", detail: { object: { key: "cold.jpg" } } }),
      JSON.stringify({ "detail-type": "Object Created", detail: {} }),
      s3Event("kept.jpg"),
    ]));
    expect(result.batchItemFailures).toEqual([]);
    expect(api.submittedPaths()).toEqual(["/kept.jpg"]);
  });

  it("the stand-in refuses what CloudFront refuses: an unencoded space or non-ASCII path, '*' inside a path", async () => {
    const client = new CloudFrontClient({ region: "us-east-1" });
    for (const path of ["/a b.jpg", "/한.jpg", "/a*/b.jpg"]) {
      const call = client.send(new CreateInvalidationCommand({ DistributionId: DISTRIBUTION_ID, InvalidationBatch: { CallerReference: path, Paths: { Quantity: 1, Items: [path] } } }));
      await expect(call).rejects.toMatchObject({ name: "InvalidArgument" });
    }
    expect(api.invalidations).toEqual([]);
  });

  it("a wrong distribution (NoSuchDistribution) returns the messages to the queue instead of losing them", async () => {
    process.env[DISTRIBUTION_ID_ENV] = "EWRONG";
    try {
      const batch = sqsEvent([s3Event("a.jpg")]);
      const result = await handler(batch);
      expect(api.calls).toEqual([{ status: 404, code: "NoSuchDistribution" }]);
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[0]?.messageId }]);
    } finally {
      process.env[DISTRIBUTION_ID_ENV] = DISTRIBUTION_ID;
    }
  });
});

describe("the purge function's zip", () => {
  it("is index.js alone with the CloudFront client bundled, and runs against the stand-in from the unpacked zip", async () => {
    const bundle = buildPurgeBundle();
    const dir = mkdtempSync(join(tmpdir(), "purge-zip-"));
    try {
      unzip(bundle.zipPath, dir);
      expect(readdirSync(dir)).toEqual(["index.js"]);
      // In a Node process of its own, as Lambda loads it (jest's module sandbox lacks the SDK's dynamic imports).
      const run = "require(process.argv[1]).handler(JSON.parse(process.argv[2])).then((r) => process.stdout.write(JSON.stringify(r)))";
      const event = sqsEvent([s3Event("from the zip.jpg")]);
      const { stdout } = await execFileAsync(process.execPath, ["-e", run, join(dir, "index.js"), JSON.stringify(event)], { env: process.env });
      expect(JSON.parse(stdout.split("\n").at(-1) as string)).toEqual({ batchItemFailures: [] });
      expect(api.submittedPaths()).toEqual(["/from%20the%20zip.jpg"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(bundle.sizeBytes).toBeLessThan(1024 * 1024);
  });
});
