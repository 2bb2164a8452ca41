/**
 * Origin faults through both adapters: the original's store answers 500, 403 or 404, resets the connection
 * (before headers or mid-body), stalls after its headers, or trickles the body. Each gets its documented
 * status before the function's own timeout. The minimum rate is the budget's: an original must arrive
 * within the remaining time less min(1 s, 10 %), or the function answers the timeout itself.
 * A failing WriteGetObjectResponse endpoint is retried by the SDK, then logged and rethrown (the runtime
 * reports the invocation's error; the container lives on).
 */
import http from "node:http";
import { listenClosable, trickle } from "./support/fake-origins";
import { S3Client } from "@aws-sdk/client-s3";
import { handler as sourceHandler } from "../lambda-src";
import { createFunctionUrlHandler, s3Originals } from "../lambda-src/function-url/handler";
import type { FunctionUrlResponse } from "../lambda-src/function-url/response";
import { s3ClientConfig } from "../lambda-src/shared/origin";
import { FIXTURES_DIR } from "../fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { captureLogLines, lambdaEnvironment } from "./support/e2e-common";
import { fakeContext } from "./support/lambda-context";
import { startWriteGetObjectResponseStandIn, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";

const JPEG = readFileSync(path.join(FIXTURES_DIR, "flowers.jpeg"));
const BUDGET_MS = 2500;
type Fault = "status-500" | "status-403" | "status-404" | "reset-before-headers" | "reset-mid-body" | "stall-after-headers" | "trickle";

/** One local store whose answer is named by the last path segment (a presigned URL's path, or a GetObject key). */
async function startFaultyStore(): Promise<{ url: (fault: Fault) => string; endpoint: string; requests: Map<Fault, number>; close(): Promise<void> }> {
  const requests = new Map<Fault, number>();
  const server = http.createServer((req, res) => {
    const fault = decodeURIComponent((req.url ?? "").split("?")[0]!.split("/").pop() ?? "") as Fault;
    requests.set(fault, (requests.get(fault) ?? 0) + 1);
    const status = /^status-(\d+)$/.exec(fault);
    if (status) {
      res.writeHead(Number(status[1]), { "content-type": "application/xml" }).end("<Error><Code>Fault</Code></Error>");
      return;
    }
    if (fault === "reset-before-headers") return void req.socket.destroy();
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(JPEG.length) });
    if (fault === "reset-mid-body") {
      res.write(JPEG.subarray(0, 4096), () => req.socket.destroy());
    } else if (fault === "stall-after-headers") {
      res.write(JPEG.subarray(0, 2));
    } else if (fault === "trickle") {
      trickle(res, JPEG); // 2 KB/s: an 85 KB original would take 40 s
    }
  });
  const { endpoint, close } = await listenClosable(server);
  return { endpoint, requests, url: (fault) => `${endpoint}/originals/${fault}?X-Amz-Signature=stand-in`, close };
}

const FAULTS: Array<[Fault, number, string, number]> = [
  // fault, function URL status, error code, Object Lambda status
  ["status-500", 502, "OriginError", 500],
  ["status-403", 403, "AccessDenied", 403],
  ["status-404", 404, "NoSuchKey", 404],
  ["reset-before-headers", 502, "OriginUnreachable", 500],
  ["reset-mid-body", 502, "OriginError", 500],
  ["stall-after-headers", 504, "Timeout", 503],
  ["trickle", 504, "Timeout", 503],
];

let store: Awaited<ReturnType<typeof startFaultyStore>>;
let standIn: WriteGetObjectResponseStandIn;
const useEnvironment = lambdaEnvironment();
const logLines = captureLogLines();

beforeAll(async () => {
  [store, standIn] = await Promise.all([startFaultyStore(), startWriteGetObjectResponseStandIn()]);
  useEnvironment({ AWS_ENDPOINT_URL_S3: standIn.endpoint });
});

afterAll(async () => {
  await Promise.all([store?.close(), standIn?.close()]);
});

describe("origin faults, Object Lambda adapter", () => {
  let token = 0;
  it.each(FAULTS)("%s: %i (function URL), %s, %i through WriteGetObjectResponse, before the timeout", async (fault, _status, code, objectLambdaStatus) => {
    const outputToken = `fault-${++token}`;
    const context = fakeContext(BUDGET_MS);
    await sourceHandler({
      getObjectContext: { inputS3Url: store.url(fault), outputRoute: "route", outputToken },
      userRequest: { url: "https://olap.s3-object-lambda.us-east-1.amazonaws.com/photo.jpg", headers: { "x-resize-params": "w=64" } },
    }, context);
    const response = await standIn.responseFor(outputToken, 0);
    expect({ status: response.status, code: response.errorCode }).toEqual({ status: objectLambdaStatus, code });
    expect(response.receivedAt - context.startedAt).toBeLessThan(BUDGET_MS);
  });

  it("a failing WriteGetObjectResponse is retried by the SDK (3 attempts), then logged and rethrown", async () => {
    const outputToken = `fault-${++token}`;
    standIn.failFor(outputToken);
    const event = {
      getObjectContext: { inputS3Url: store.url("status-404"), outputRoute: "route", outputToken },
      userRequest: { url: "https://olap.s3-object-lambda.us-east-1.amazonaws.com/photo.jpg", headers: {} },
    };
    await expect(sourceHandler(event, fakeContext(15_000))).rejects.toThrow();
    expect(standIn.received.filter((r) => r.token === outputToken)).toHaveLength(3);
    expect(JSON.parse(logLines[logLines.length - 1]!)).toMatchObject({ status: 404, error: expect.stringContaining("WriteGetObjectResponse failed") });
    // The container lives on: the next request is answered.
    const next = `fault-${++token}`;
    await sourceHandler({ ...event, getObjectContext: { ...event.getObjectContext, outputToken: next } }, fakeContext(15_000));
    expect((await standIn.responseFor(next, 0)).status).toBe(404);
  });
});

describe("origin faults, function URL adapter (GetObject)", () => {
  let client: S3Client;
  let handle: ReturnType<typeof createFunctionUrlHandler>;
  beforeAll(() => {
    client = new S3Client({ ...s3ClientConfig({ ...process.env, AWS_ENDPOINT_URL_S3: store.endpoint }), maxAttempts: 1 });
    handle = createFunctionUrlHandler(s3Originals({ s3: () => client, bucket: () => "originals" }));
  });
  afterAll(() => client.destroy());

  it.each(FAULTS)("%s: %i (%s) before the timeout, a whole response", async (fault, status, code) => {
    const context = fakeContext(BUDGET_MS);
    const response: FunctionUrlResponse = await handle({ rawPath: `/${fault}`, rawQueryString: "w=64", headers: {}, requestContext: { http: { method: "GET" } } }, context);
    expect(response.statusCode).toBe(status);
    expect(Date.now() - context.startedAt).toBeLessThan(BUDGET_MS);
    expect(Number(response.headers["Content-Length"])).toBe(Buffer.from(response.body, "base64").length);
    expect(JSON.parse(logLines[logLines.length - 1]!)).toMatchObject({ status, errorCode: code });
  });
});
