/**
 * Load on each adapter, in process and on loopback only: 300 requests at concurrency 16, a mix of variants,
 * originals and hostile inputs. Bounded in count and time. No unexpected status, no leaked sockets or file
 * descriptors (counted after a first run and after a second), and resident memory that does not climb.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { FIXTURES_DIR } from "../fixtures";
import { handler as sourceHandler } from "../lambda-src";
import { createFunctionUrlHandler, s3Originals } from "../lambda-src/function-url/handler";
import type { FunctionUrlResponse } from "../lambda-src/function-url/response";
import { s3ClientConfig } from "../lambda-src/shared/origin";
import { captureLogLines, lambdaEnvironment } from "./support/e2e-common";
import { fakeContext } from "./support/lambda-context";
import { startLocalS3, type LocalS3 } from "./support/s3rver-harness";
import { startWriteGetObjectResponseStandIn, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";

const REQUESTS = 300;
const CONCURRENCY = 16;
/** A first run fills the connection pools (up to one socket per concurrent request); the second is measured. */
const WARM_UP = REQUESTS;
/** A leak of one descriptor per request would add 300; pooled sockets may add at most one per concurrent request. */
const DESCRIPTOR_SLACK = CONCURRENCY;

/** The mix, one in ten each, with the status the contract gives it (function URL / Object Lambda). */
const MIX: Array<{ key: string; query: string; status: number; objectLambdaStatus: number }> = [
  { key: "p/flowers.jpeg", query: "w=64", status: 200, objectLambdaStatus: 200 },
  { key: "p/flowers.jpeg", query: "fit=inside&h=120&w=90", status: 200, objectLambdaStatus: 200 },
  { key: "p/flowers.jpeg", query: "format=webp&w=200", status: 200, objectLambdaStatus: 200 },
  { key: "p/alpha.png", query: "format=png&w=32", status: 200, objectLambdaStatus: 200 },
  { key: "p/flowers.jpeg", query: "", status: 200, objectLambdaStatus: 200 },
  { key: "p/alpha.png", query: "", status: 200, objectLambdaStatus: 200 },
  { key: "p/giant.jpg", query: "w=100", status: 413, objectLambdaStatus: 400 },
  { key: "p/truncated.jpg", query: "w=100", status: 422, objectLambdaStatus: 400 },
  { key: "p/missing.jpg", query: "w=100", status: 404, objectLambdaStatus: 404 },
  { key: "p/flowers.jpeg", query: "w=abc", status: 400, objectLambdaStatus: 400 },
];

const openDescriptors = (): number => readdirSync("/proc/self/fd").length;
const rssMb = (): number => Math.round(process.memoryUsage.rss() / 1024 / 1024);

type Adapter = "object-lambda" | "function-url";

/** Runs `count` requests, CONCURRENCY at a time; the unexpected statuses, and RSS every 50 requests into `rss`. */
async function drive(adapter: Adapter, count: number, send: (index: number) => Promise<number>, rss: number[]): Promise<string[]> {
  const unexpected: string[] = [];
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const index = next++;
      const case_ = MIX[index % MIX.length]!;
      const status = await send(index);
      const expected = adapter === "object-lambda" ? case_.objectLambdaStatus : case_.status;
      if (status !== expected) unexpected.push(`${index} ${case_.key}?${case_.query}: ${status}, expected ${expected}`);
      if (++done % 50 === 0) rss.push(rssMb());
    }
  }));
  return unexpected;
}

let s3: LocalS3;
let standIn: WriteGetObjectResponseStandIn;
const useEnvironment = lambdaEnvironment();
captureLogLines();

beforeAll(async () => {
  [s3, standIn] = await Promise.all([startLocalS3(), startWriteGetObjectResponseStandIn()]);
  useEnvironment({ AWS_ENDPOINT_URL_S3: standIn.endpoint });
  const put = (key: string, file: string, type: string) => s3.put(key, readFileSync(path.join(FIXTURES_DIR, file)), type);
  await Promise.all([
    put("p/flowers.jpeg", "flowers.jpeg", "image/jpeg"),
    put("p/alpha.png", "with-alpha.png", "image/png"),
    put("p/giant.jpg", "giant-image.jpg", "image/jpeg"),
    put("p/truncated.jpg", "truncated.jpg", "image/jpeg"),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([s3?.close(), standIn?.close()]);
});

it("Object Lambda adapter: 300 requests at concurrency 16", async () => {
  let token = 0;
  const send = async (index: number): Promise<number> => {
    const case_ = MIX[index % MIX.length]!;
    const outputToken = `load-${++token}`;
    await sourceHandler({
      getObjectContext: { inputS3Url: await s3.presignGet(case_.key), outputRoute: "route", outputToken },
      userRequest: { url: `https://olap.s3-object-lambda.us-east-1.amazonaws.com/${case_.key}`, headers: case_.query ? { "x-resize-params": case_.query } : {} },
    }, fakeContext(15_000));
    const response = await standIn.responseFor(outputToken, 0);
    standIn.received.splice(standIn.received.indexOf(response), 1);
    return response.status;
  };
  expect(await drive("object-lambda", WARM_UP, send, [])).toEqual([]);
  const descriptorsBefore = openDescriptors();
  const rssRun: number[] = [];
  const started = Date.now();
  expect(await drive("object-lambda", REQUESTS, send, rssRun)).toEqual([]);
  console.warn(`Object Lambda load: ${REQUESTS} requests in ${Date.now() - started} ms; RSS per 50 requests (MB): ${rssRun.join(", ")}; fds ${descriptorsBefore} -> ${openDescriptors()}`);
  expect(openDescriptors()).toBeLessThanOrEqual(descriptorsBefore + DESCRIPTOR_SLACK);
  expect(Math.max(...rssRun)).toBeLessThan(rssRun[0]! + 150);
}, 240_000);

it("function URL adapter: 300 requests at concurrency 16", async () => {
  const client = new S3Client(s3ClientConfig({ ...process.env, AWS_ENDPOINT_URL_S3: s3.endpoint }));
  const handle = createFunctionUrlHandler(s3Originals({ s3: () => client, bucket: () => s3.bucket }));
  try {
    const send = async (index: number): Promise<number> => {
      const case_ = MIX[index % MIX.length]!;
      const response: FunctionUrlResponse = await handle({ rawPath: `/${case_.key}`, rawQueryString: case_.query, headers: {}, requestContext: { http: { method: "GET" } } }, fakeContext(15_000));
      return response.statusCode;
    };
    expect(await drive("function-url", WARM_UP, send, [])).toEqual([]);
    const descriptorsBefore = openDescriptors();
    const rssRun: number[] = [];
    const started = Date.now();
    expect(await drive("function-url", REQUESTS, send, rssRun)).toEqual([]);
    console.warn(`function URL load: ${REQUESTS} requests in ${Date.now() - started} ms; RSS per 50 requests (MB): ${rssRun.join(", ")}; fds ${descriptorsBefore} -> ${openDescriptors()}`);
    expect(openDescriptors()).toBeLessThanOrEqual(descriptorsBefore + DESCRIPTOR_SLACK);
    expect(Math.max(...rssRun)).toBeLessThan(rssRun[0]! + 150);
  } finally {
    client.destroy();
  }
}, 240_000);
