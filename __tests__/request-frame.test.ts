/**
 * The one request frame (lambda-src/shared/frame.ts) every adapter entry runs in: the log line's fields, the
 * timings, and the release of an original the answer left unread, the same for each.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, Writable } from "node:stream";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { createFunctionUrlHandler, type FunctionUrlEvent, type OriginalsSource } from "../lambda-src/function-url/handler";
import { createStreamingHandler } from "../lambda-src/function-url/stream";
import { createHeadHandler } from "../lambda-src/object-lambda/head";
import { inRequestFrame } from "../lambda-src/shared/frame";
import type { Original } from "../lambda-src/shared/origin";
import { fixedSettings, type Adapter, type RequestLog } from "../lambda-src/shared/settings";

const context = (requestId: string) => ({ awsRequestId: requestId, getRemainingTimeInMillis: () => 10_000 });

function recorder(): { settings: ReturnType<typeof fixedSettings>; lines: Array<{ adapter: Adapter; entry: RequestLog }> } {
  const lines: Array<{ adapter: Adapter; entry: RequestLog }> = [];
  return { lines, settings: fixedSettings(DEFAULT_RESIZER_CONFIG, 512, (adapter, entry) => lines.push({ adapter, entry })) };
}

/** An original of three bytes whose body is never read by a HEAD. */
function oneOriginal(): { source: OriginalsSource; bodies: Readable[] } {
  const bodies: Readable[] = [];
  return {
    bodies,
    source: {
      describe: () => "memory://originals",
      fetch: async (): Promise<Original> => {
        const body = Readable.from([Buffer.from("abc")]);
        bodies.push(body);
        return { body, contentType: "image/jpeg", contentLength: 3 };
      },
    },
  };
}

const event = (method: string): FunctionUrlEvent => ({ rawPath: "/photo.jpg", rawQueryString: "", headers: {}, requestContext: { http: { method } } });

const STREAMING = { streamifyResponse: <E>(handler: E) => handler, HttpResponseStream: { from: (stream: Writable) => stream } };
const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

describe("the request frame", () => {
  it("writes one log line, request id first, with the step timings, to the sink it is given", async () => {
    const { settings, lines } = recorder();
    const result = await inRequestFrame(context("r-1"), { adapter: "function-url", settings, log: { method: "GET" } }, async ({ log, timing }) => {
      await timing.measure("fetch", async () => undefined);
      log.status = 200;
      return "answered";
    });
    expect(result).toBe("answered");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.adapter).toBe("function-url");
    expect(Object.keys(lines[0]?.entry ?? {})).toEqual(["requestId", "method", "status", "timings"]);
    expect(Object.keys(lines[0]?.entry.timings ?? {})).toEqual(["fetch", "total"]);
  });

  it("logs and rethrows when the adapter's work fails, and without timings when told", async () => {
    const { settings, lines } = recorder();
    await expect(inRequestFrame(context("r-2"), { adapter: "object-lambda", settings, timed: false }, async () => Promise.reject(new Error("send failed")))).rejects.toThrow("send failed");
    expect(lines.map(({ entry }) => entry)).toEqual([{ requestId: "r-2" }]);
  });

  it("gives the adapter a deadline short of the invocation's remaining time", async () => {
    const { settings } = recorder();
    const ms = await inRequestFrame(context("r-3"), { adapter: "function-url", settings }, async ({ deadline }) => deadline.ms);
    expect(ms).toBe(9_000);
  });
});

describe("every function URL entry in the frame", () => {
  const FRAME_FIELDS = ["requestId", "method", "key", "params", "origin", "status", "contentType", "timings"];

  it("the buffered handler logs the frame's fields and releases the original a HEAD leaves unread", async () => {
    const { settings, lines } = recorder();
    const { source, bodies } = oneOriginal();
    const response = await createFunctionUrlHandler(source, settings)(event("HEAD"), context("b-1"));
    expect(response.statusCode).toBe(200);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.destroyed).toBe(true);
    expect(lines.map(({ adapter }) => adapter)).toEqual(["function-url"]);
    expect(Object.keys(lines[0]?.entry ?? {})).toEqual(expect.arrayContaining(FRAME_FIELDS));
    expect(lines[0]?.entry).toMatchObject({ requestId: "b-1", method: "HEAD", key: "photo.jpg", origin: "memory://originals", status: 200 });
  });

  it("the streamed handler logs the same fields and releases the original a HEAD leaves unread", async () => {
    const { settings, lines } = recorder();
    const { source, bodies } = oneOriginal();
    await createStreamingHandler(STREAMING, source, settings)(event("HEAD"), discard(), context("s-1"));
    expect(bodies[0]?.destroyed).toBe(true);
    expect(lines.map(({ adapter }) => adapter)).toEqual(["function-url"]);
    expect(Object.keys(lines[0]?.entry ?? {})).toEqual(expect.arrayContaining(FRAME_FIELDS));
    expect(lines[0]?.entry).toMatchObject({ requestId: "s-1", method: "HEAD", key: "photo.jpg", origin: "memory://originals", status: 200 });
  });

  it("both answer a refused request with the same logged error", async () => {
    const buffered = recorder();
    const streamed = recorder();
    const { source } = oneOriginal();
    await createFunctionUrlHandler(source, buffered.settings)(event("DELETE"), context("e-1"));
    await createStreamingHandler(STREAMING, source, streamed.settings)(event("DELETE"), discard(), context("e-1"));
    const fields = ({ entry }: { entry: RequestLog }) => ({ ...entry, timings: undefined });
    expect(fields(streamed.lines[0] as { entry: RequestLog })).toMatchObject({ requestId: "e-1", method: "DELETE", status: 405, errorCode: "MethodNotAllowed" });
    expect(fields(buffered.lines[0] as { entry: RequestLog })).toMatchObject({ requestId: "e-1", method: "DELETE", status: 405, errorCode: "MethodNotAllowed" });
  });
});

describe("Object Lambda HEAD in the frame", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": "3" });
      res.end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/photo.jpg?X-Amz-Signature=secret`;
  });
  afterAll(() => server.close());

  it("logs the frame's fields with the presigned query redacted and no timings", async () => {
    const { settings, lines } = recorder();
    const answer = await createHeadHandler(settings)(
      { headObjectContext: { inputS3Url: url }, userRequest: { url: "https://ap.s3-object-lambda.us-east-1.amazonaws.com/photo.jpg", headers: {} } },
      context("h-1"),
    );
    expect(answer.statusCode).toBe(200);
    expect(lines.map(({ adapter }) => adapter)).toEqual(["object-lambda"]);
    expect(lines[0]?.entry).toMatchObject({ requestId: "h-1", method: "HEAD", key: "photo.jpg", status: 200 });
    expect(lines[0]?.entry.origin).toMatch(/\?<redacted>$/);
    expect(lines[0]?.entry.timings).toBeUndefined();
  });
});
