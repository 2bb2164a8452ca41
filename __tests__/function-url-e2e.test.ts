/**
 * The function URL adapter end to end with real parts on 127.0.0.1: originals in s3rver,
 * read by the real S3 client's GetObject through AWS_ENDPOINT_URL_S3, events shaped the
 * way Lambda delivers function URL requests (payload format 2.0). The whole suite runs
 * twice: against the source handler and against the handler `require`d from the unpacked
 * x86_64 bundle. A "container" is one handler with one environment, as in Lambda: the
 * failure cases get their own, pointed at a closed port or a stalling endpoint.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { LambdaFunctionURLEventWithIAMAuthorizer } from "aws-lambda";
import { createHash } from "node:crypto";
import sharp from "sharp";
import { handler as sourceHandler, type FunctionUrlResponse } from "../lambda-src";
import { DEFAULT_RESIZER_CONFIG, errorCacheControl, VARIANT_CACHE_CONTROL } from "../lambda-src/core";

const ERROR_CACHE_CONTROL = errorCacheControl(DEFAULT_RESIZER_CONFIG);
import { createFunctionUrlHandler, s3Originals, originBucketFromEnv } from "../lambda-src/function-url/handler";
import { MAX_RESPONSE_BODY_BYTES } from "../lambda-src/function-url/response";
import { s3Client, s3ClientConfig } from "../lambda-src/shared/origin";
import { loadBundledHandler } from "./support/bundled-handler";
import { decodeHttpStream, startLambdaRuntime } from "./support/lambda-runtime";
import { startResettingOrigin, startStallingOrigin, unusedPortUrl, type FakeOrigin } from "./support/fake-origins";
import { fakeContext } from "./support/lambda-context";
import { captureLogLines, checkedMetrics, isResizerLine, lambdaEnvironment, SERVER_TIMING_PATTERN, storeFixtures } from "./support/e2e-common";
import { startLocalS3, type LocalS3 } from "./support/s3rver-harness";

/** Above the noise PNG, so that only the function URL's response limit can refuse it. */
const MAX_INPUT_BYTES = 20_000_000;
const NOISE_KEY = "big/noise 1400x1200.png";

/** Originals in s3rver: key -> fixture file and the Content-Type it was stored with. */
const ORIGINALS = {
  "photos/flowers.jpeg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "photos/my photo+1 100%.jpg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "사진/꽃.jpeg": { file: "Landscape_6.jpg", contentType: "image/jpeg" },
  // Decoded once this is "literal%41"; decoded twice it would be "literalA".
  "odd/literal%41 a+b.png": { file: "with-alpha.png", contentType: "image/png" },
  "bad/check.svg": { file: "check.svg", contentType: "image/svg+xml" },
  "bad/corrupt-header.jpg": { file: "corrupt-header.jpg", contentType: "image/jpeg" },
} as const;
type OriginalKey = keyof typeof ORIGINALS;
const SPECIAL_KEYS: OriginalKey[] = ["photos/my photo+1 100%.jpg", "사진/꽃.jpeg", "odd/literal%41 a+b.png"];

let s3: LocalS3;
let stored: Map<string, Buffer>;
const useEnvironment = lambdaEnvironment();
const logLines = captureLogLines();
const lastMetric = checkedMetrics(logLines, "function-url");
let requestCounter = 0;

beforeAll(async () => {
  s3 = await startLocalS3();
  useEnvironment({ AWS_ENDPOINT_URL_S3: s3.endpoint, RESIZER_ORIGIN_BUCKET: s3.bucket, RESIZER_MAX_INPUT_BYTES: String(MAX_INPUT_BYTES) });
  stored = await storeFixtures<string>(s3, ORIGINALS);
  // Incompressible: a lossless PNG of noise stays above what a buffered response can carry.
  const noise = await sharp({ create: { width: 1400, height: 1200, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 50 } } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  stored.set(NOISE_KEY, noise);
  await s3.put(NOISE_KEY, noise, "image/png");
}, 60_000);

afterAll(async () => {
  // The source handler's warm client keeps connections alive, and s3rver waits for them.
  s3Client().destroy();
  await s3?.close();
});

/**
 * A path segment as a browser sends it (and CloudFront forwards it): space and '%' and
 * non-ASCII percent-encoded, '+' left as is.
 */
function browserEncoded(segment: string): string {
  return encodeURIComponent(segment).replace(/%2B/g, "+");
}

interface Request {
  key?: string;
  /** Overrides the path built from `key` (still percent-encoded, as Lambda delivers it). */
  rawPath?: string;
  /** The edge's normalized parameters: sent, as CloudFront sends them, in the x-resize-params header. */
  query?: string;
  /** A caller that did not come through CloudFront: `query` is the raw query string instead. */
  direct?: boolean;
  method?: string;
  headers?: Record<string, string>;
  budgetMs?: number;
}

/** A function URL event as Lambda delivers it behind CloudFront with OAC (AWS_IAM auth). */
function functionUrlEvent({ key = "photos/flowers.jpeg", rawPath, query = "", direct = false, method = "GET", headers = {} }: Request): LambdaFunctionURLEventWithIAMAuthorizer {
  const path = rawPath ?? `/${key.split("/").map(browserEncoded).join("/")}`;
  const now = new Date();
  const params = new URLSearchParams(query);
  const event: LambdaFunctionURLEventWithIAMAuthorizer = {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    // The cache policy forwards no query string: the parameters arrive in x-resize-params.
    rawQueryString: direct ? query : "",
    headers: {
      ...(query && !direct ? { "x-resize-params": query } : {}),
      host: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
      "x-amzn-trace-id": `Root=1-00000000-${String(++requestCounter).padStart(24, "0")}`,
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      "x-forwarded-for": "203.0.113.7",
      via: "2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)",
      "x-amz-cf-id": "Cf-Id-Example==",
      "user-agent": "Amazon CloudFront",
      ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "abcdefghijklmnopqrstuvwxyz012345",
      authorizer: {
        iam: {
          accessKey: "ASIAEXAMPLE",
          accountId: "123456789012",
          callerId: "AROAEXAMPLE:cloudfront",
          cognitoIdentity: null,
          principalOrgId: "",
          userArn: "arn:aws:sts::123456789012:assumed-role/cloudfront/session",
          userId: "AROAEXAMPLE:cloudfront",
        },
      },
      domainName: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
      domainPrefix: "abcdefghijklmnopqrstuvwxyz012345",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Amazon CloudFront" },
      requestId: `req-${requestCounter}`,
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  // Lambda includes the parsed map only when there is a query.
  if (direct && query !== "") event.queryStringParameters = Object.fromEntries([...params.keys()].map((name) => [name, params.getAll(name).join(",")]));
  return event;
}

interface Answer {
  response: FunctionUrlResponse;
  body: Buffer;
  elapsedMs: number;
  /** Streamed answers only: the runtime's error trailer when the stream ended in an error. */
  streamErrorType?: string;
}

/** One warm container: a handler and the environment it was started with. */
interface Container {
  invoke(request: Request): Promise<Answer>;
  dispose(): Promise<void>;
}

type RawHandler = (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<unknown>;

function container(handle: RawHandler, dispose: () => Promise<void>): Container {
  return {
    invoke: async (request) => {
      const context = fakeContext(request.budgetMs ?? 15_000, `lambda-${++requestCounter}`);
      const response = (await handle(functionUrlEvent(request), context)) as FunctionUrlResponse;
      const elapsedMs = Date.now() - context.startedAt;
      return { response, body: Buffer.from(response.body, "base64"), elapsedMs };
    },
    dispose,
  };
}

/** How each kind of handler gets a container with `env` on top of the test's environment. */
interface HandlerKind {
  /** Response streaming (the production path); otherwise buffered, at most 6 MB. */
  readonly streaming: boolean;
  start(env?: Record<string, string>): Promise<Container>;
}

const SOURCE: HandlerKind = {
  streaming: false,
  start: async (env) => {
    // The default container is the real entry (index.handler's dispatch); the others get
    // their S3 client and bucket from their own environment, as a new container would.
    if (env === undefined) return container((event, context) => sourceHandler(event, context), async () => undefined);
    const containerEnv = { ...process.env, ...env };
    const client = new S3Client(s3ClientConfig(containerEnv));
    const handle = createFunctionUrlHandler(s3Originals({ s3: () => client, bucket: () => originBucketFromEnv(containerEnv) }));
    return container((event, context) => handle(event as Parameters<typeof handle>[0], context), async () => client.destroy());
  },
};

const BUNDLE: HandlerKind = {
  streaming: false,
  start: async (env) => {
    const bundled = await loadBundledHandler(env);
    return container(bundled.invoke, bundled.dispose);
  },
};

/**
 * The bundle under AWS's runtime interface client: the awslambda global is there, so a function-url
 * container streams (RESPONSE_STREAM), as in production. Its answers are read back into the buffered
 * envelope's shape so that every assertion reads the same; the function's logs reach the test's console.
 */
const RUNTIME: HandlerKind = {
  streaming: true,
  start: async (env) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(AWS_|RESIZER_)/.test(name) && name !== "AWS_REGION")) as Record<string, string>;
    const runtime = await startLambdaRuntime({ ...inherited, ...env });
    return {
      invoke: async (request) => {
        const startedAt = Date.now();
        const logsBefore = runtime.logs.length;
        const requestId = `lambda-${++requestCounter}`;
        const answer = await runtime.invoke(functionUrlEvent(request), request.budgetMs ?? 15_000, requestId);
        // The log line is written as the handler finishes, and stdout may arrive after the response.
        await runtime.logLine(requestId);
        // The resizer's own lines, as written (the runtime's JSON-wrapped console output, such as the SDK's warnings, not).
        for (const line of runtime.logs.slice(logsBefore)) if (isResizerLine(line)) process.stdout.write(`${line}\n`);
        const elapsedMs = Date.now() - startedAt;
        if (answer.mode === "buffered") {
          const response = JSON.parse(answer.body.toString("utf8")) as FunctionUrlResponse;
          return { response, body: Buffer.from(response.body, "base64"), elapsedMs };
        }
        const streamed = decodeHttpStream(answer);
        const response: FunctionUrlResponse = { statusCode: streamed.statusCode, headers: streamed.headers, body: streamed.body.toString("base64"), isBase64Encoded: true };
        return { response, body: streamed.body, elapsedMs, streamErrorType: streamed.errorType };
      },
      dispose: runtime.dispose,
    };
  },
};

async function decoded(body: Buffer): Promise<{ width?: number; height?: number; format?: string; compression?: string }> {
  const meta = await sharp(body).metadata();
  return { width: meta.width, height: meta.height, format: meta.format, compression: meta.compression };
}

function expectErrorAnswer({ response, body }: Answer, status: number, reason: RegExp): void {
  expect(response.statusCode).toBe(status);
  expect(response.isBase64Encoded).toBe(true);
  expect(response.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
  expect(response.headers["Cache-Control"]).toBe(ERROR_CACHE_CONTROL);
  expect(response.headers["X-Content-Type-Options"]).toBe("nosniff");
  expect(response.headers["Server-Timing"]).toMatch(/total;dur=\d+\.\d$/);
  expect(body.toString("utf8")).toMatch(reason);
}

function lastLog(): Record<string, unknown> {
  expect(logLines.length).toBeGreaterThanOrEqual(1);
  return JSON.parse(logLines[logLines.length - 1]!) as Record<string, unknown>;
}

const KINDS: Array<[string, HandlerKind]> = [
  ["source handler", SOURCE],
  ["bundled x86_64 handler", BUNDLE],
  ["bundled x86_64 handler under aws-lambda-ric, streaming", RUNTIME],
];

describe.each(KINDS)("Lambda function URL end to end: %s", (_name, kind) => {
  let warm: Container;
  const others: Container[] = [];
  const origins: FakeOrigin[] = [];

  /** A container whose S3 endpoint is `endpoint` (scheme, host and port). */
  async function containerWithEndpoint(endpoint: string): Promise<Container> {
    const started = await kind.start({ AWS_ENDPOINT_URL_S3: endpoint });
    others.push(started);
    return started;
  }

  beforeAll(async () => {
    warm = await kind.start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([warm?.dispose(), ...others.map((other) => other.dispose()), ...origins.map((origin) => origin.close())]);
  });

  it("resizes: 200 with the variant as base64, type, length, cache, Vary and timing headers", async () => {
    const answer = await warm.invoke({ query: "w=120" });
    const { response, body } = answer;

    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(response.headers["Content-Type"]).toBe("image/jpeg");
    expect(response.headers["Content-Length"]).toBe(String(body.length));
    expect(response.headers["Cache-Control"]).toBe(VARIANT_CACHE_CONTROL);
    expect(response.headers["Vary"]).toBe("Accept");
    expect(response.headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(response.headers["Server-Timing"]).toMatch(SERVER_TIMING_PATTERN);
    expect(await decoded(body)).toMatchObject({ width: 120, height: 68, format: "jpeg" });
    expect(lastLog()).toMatchObject({ source: "resizer", adapter: "function-url", key: "photos/flowers.jpeg", params: "w=120", status: 200, method: "GET" });
    expect(lastMetric("Requests", { StatusClass: "2xx" })).toBe(1);
    expect(lastMetric("ResponseBytes")).toBe(body.length);
    expect(lastMetric("TransformTime")).toBeGreaterThan(0);
  });

  it("reads a direct caller's query string when the edge's header is absent, and the header when both are there", async () => {
    const direct = await warm.invoke({ query: "w=90", direct: true });
    const both = await warm.invoke({ query: "w=90", direct: true, headers: { "x-resize-params": "w=70" } });

    expect((await decoded(direct.body)).width).toBe(90);
    expect((await decoded(both.body)).width).toBe(70);
  });

  it("honours explicit format, fit and both dimensions, without Vary", async () => {
    const { response, body } = await warm.invoke({ query: "fit=contain&format=png&h=50&w=80" });

    expect(response.statusCode).toBe(200);
    expect(response.headers["Content-Type"]).toBe("image/png");
    expect(response.headers["Vary"]).toBeUndefined();
    expect(await decoded(body)).toMatchObject({ width: 80, height: 50, format: "png" });
  });

  it("negotiates the format from the x-resize-accept hint, preferred over Accept", async () => {
    const avifAccept = "image/avif,image/webp,*/*";
    const avif = await warm.invoke({ query: "w=64", headers: { "x-resize-accept": "avif", accept: "image/webp" } });
    const webp = await warm.invoke({ query: "w=64", headers: { "x-resize-accept": "webp", accept: avifAccept } });
    const none = await warm.invoke({ query: "w=64", headers: { "x-resize-accept": "none", accept: avifAccept } });

    expect(avif.response.headers["Content-Type"]).toBe("image/avif");
    expect(await decoded(avif.body)).toMatchObject({ width: 64, format: "heif", compression: "av1" });
    expect(webp.response.headers["Content-Type"]).toBe("image/webp");
    expect((await decoded(webp.body)).format).toBe("webp");
    expect(none.response.headers["Content-Type"]).toBe("image/jpeg");
    expect((await decoded(none.body)).format).toBe("jpeg");
    for (const answer of [avif, webp, none]) expect(answer.response.headers["Vary"]).toBe("Accept");
  });

  it("negotiates the format from Accept when there is no hint", async () => {
    const { response, body } = await warm.invoke({ query: "w=64", headers: { accept: "image/webp,*/*;q=0.8" } });

    expect(response.headers["Content-Type"]).toBe("image/webp");
    expect(response.headers["Vary"]).toBe("Accept");
    expect(await decoded(body)).toMatchObject({ width: 64, format: "webp" });
  });

  it("serves the original's bytes and Content-Type when there are no parameters", async () => {
    const { response, body } = await warm.invoke({ key: "photos/flowers.jpeg" });

    expect(response.statusCode).toBe(200);
    expect(response.headers["Content-Type"]).toBe("image/jpeg");
    expect(body.equals(stored.get("photos/flowers.jpeg")!)).toBe(true);
    expect(response.headers["Content-Length"]).toBe(String(body.length));
    expect(response.headers["ETag"]).toMatch(/^"[0-9a-f]{32}"$/);
    expect(response.headers["Server-Timing"]).toMatch(/^fetch;dur=\d+\.\d, total;dur=\d+\.\d$/);
  });

  it.each(SPECIAL_KEYS)("serves key %p, decoding rawPath exactly once: original bytes and a variant", async (key) => {
    const original = await warm.invoke({ key });
    const variant = await warm.invoke({ key, query: "w=40" });

    expect(original.response.statusCode).toBe(200);
    expect(original.body.equals(stored.get(key)!)).toBe(true);
    expect(original.response.headers["Content-Type"]).toBe(ORIGINALS[key].contentType);
    expect(variant.response.statusCode).toBe(200);
    expect((await decoded(variant.body)).width).toBe(40);
    expect(lastLog()).toMatchObject({ key });
  });

  it("takes '+' both literal and as %2B in the path (a '+' is never a space in a path)", async () => {
    const encodedPlus = await warm.invoke({ rawPath: "/photos/my%20photo%2B1%20100%25.jpg" });
    const spaceForPlus = await warm.invoke({ rawPath: "/photos/my+photo+1+100%25.jpg" });

    expect(encodedPlus.response.statusCode).toBe(200);
    expect(encodedPlus.body.equals(stored.get("photos/my photo+1 100%.jpg")!)).toBe(true);
    expectErrorAnswer(spaceForPlus, 404, /does not exist/);
  });

  it("applies the EXIF orientation (a Korean key holding an orientation-6 photo)", async () => {
    const { body } = await warm.invoke({ key: "사진/꽃.jpeg", query: "w=300" });

    expect(await decoded(body)).toMatchObject({ width: 300, height: 225 });
  });

  it("answers HEAD with the GET's status and headers and an empty body", async () => {
    const variant = await warm.invoke({ method: "HEAD", query: "w=120", headers: { "x-resize-accept": "webp" } });
    const original = await warm.invoke({ method: "HEAD", key: "사진/꽃.jpeg" });
    const missing = await warm.invoke({ method: "HEAD", key: "photos/nope.jpg" });

    expect(variant.response).toMatchObject({ statusCode: 200, body: "", isBase64Encoded: true });
    expect(variant.response.headers).toMatchObject({ "Content-Type": "image/webp", "Cache-Control": VARIANT_CACHE_CONTROL, Vary: "Accept" });
    expect(original.response).toMatchObject({ statusCode: 200, body: "" });
    expect(original.response.headers).toMatchObject({ "Content-Type": "image/jpeg", ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(missing.response).toMatchObject({ statusCode: 404, body: "" });
    expect(missing.response.headers["Cache-Control"]).toBe(ERROR_CACHE_CONTROL);
  });

  it("answers 405 with Allow for other methods, without reading the original", async () => {
    const post = await warm.invoke({ method: "POST", query: "w=100" });
    const del = await warm.invoke({ method: "DELETE" });

    expectErrorAnswer(post, 405, /POST is not served; use GET or HEAD/);
    expect(post.response.headers["Allow"]).toBe("GET, HEAD");
    expectErrorAnswer(del, 405, /DELETE/);
    expect(lastLog()).toMatchObject({ status: 405, errorCode: "MethodNotAllowed" });
    expect(lastLog().timings).not.toHaveProperty("fetch");
  });

  it("answers 404 for a missing key, with and without parameters", async () => {
    expectErrorAnswer(await warm.invoke({ key: "photos/nope.jpg", query: "w=100" }), 404, /the original does not exist/);
    expectErrorAnswer(await warm.invoke({ key: "photos/nope.jpg" }), 404, /the original does not exist/);
  });

  it("answers 400 for an empty key or a path that is not valid percent-encoding", async () => {
    expectErrorAnswer(await warm.invoke({ rawPath: "/" }), 400, /names no object key/);
    expectErrorAnswer(await warm.invoke({ rawPath: "/photos/100%.jpg" }), 400, /not valid percent-encoding/);
  });

  it("answers 413 naming the size when the original is over the 6 MB response limit (buffered); streams it whole (streaming)", async () => {
    const noiseBytes = stored.get(NOISE_KEY)!.length;
    expect(noiseBytes).toBeGreaterThan(MAX_RESPONSE_BODY_BYTES);
    const { response, body } = await warm.invoke({ key: NOISE_KEY });
    if (kind.streaming) {
      expect(response.statusCode).toBe(200);
      expect(response.headers["Content-Length"]).toBe(String(noiseBytes));
      expect(body.equals(stored.get(NOISE_KEY)!)).toBe(true);
      return;
    }

    expectErrorAnswer(
      { response, body, elapsedMs: 0 },
      413,
      new RegExp(`^the original is ${noiseBytes} bytes, over the function URL's 6 MB response limit \\(${MAX_RESPONSE_BODY_BYTES} bytes before base64\\); request a resized variant\\n$`),
    );
    expect(lastLog()).toMatchObject({ status: 413, errorCode: "PayloadTooLarge", key: NOISE_KEY });
  });

  it("resizes that same original to a variant that fits, and refuses one that does not (buffered)", async () => {
    const small = await warm.invoke({ key: NOISE_KEY, query: "w=300" });
    const full = await warm.invoke({ key: NOISE_KEY, query: "format=png&w=1400" });
    // Resized, so fetched whole first: above 4 MiB, in parallel byte ranges.
    expect(lastLog()).toMatchObject({ key: NOISE_KEY, ranges: 2 });
    if (kind.streaming) {
      expect(small.response.statusCode).toBe(200);
      expect(full.response.statusCode).toBe(200);
      expect(full.body.length).toBeGreaterThan(MAX_RESPONSE_BODY_BYTES);
      expect(await decoded(full.body)).toMatchObject({ width: 1400, format: "png" });
      return;
    }

    expect(small.response.statusCode).toBe(200);
    expect(await decoded(small.body)).toMatchObject({ width: 300, height: 257, format: "png" });
    expectErrorAnswer(full, 413, /^the variant is \d+ bytes, over the function URL's 6 MB response limit .*; request smaller dimensions/);
    expect(JSON.stringify(small.response).length).toBeLessThan(6 * 1024 * 1024);
  });

  it("answers 400 naming the bad parameter", async () => {
    expectErrorAnswer(await warm.invoke({ query: "w=abc" }), 400, /^w must be an integer from 1 to 4096, got "abc"/);
    expectErrorAnswer(await warm.invoke({ query: "q=%ED%95%9C" }), 400, /^q must be an integer from 1 to 100, got "한"/);
    expect(lastMetric("Errors", { ErrorCode: "InvalidParameter" })).toBe(1);
    expect(lastMetric("Requests", { StatusClass: "4xx" })).toBe(1);
  });

  it("answers 415 for an SVG with parameters and 422 for a broken image", async () => {
    expectErrorAnswer(await warm.invoke({ key: "bad/check.svg", query: "w=100" }), 415, /SVG is not resized/);
    expectErrorAnswer(await warm.invoke({ key: "bad/corrupt-header.jpg", query: "w=100" }), 422, /image cannot be decoded/);
  });

  it("answers 502 when the bucket cannot be reached, keeping the socket detail for the log", async () => {
    const closed = await containerWithEndpoint(new URL(await unusedPortUrl()).origin);
    const answer = await closed.invoke({ query: "w=100" });

    expectErrorAnswer(answer, 502, /^could not reach the original's store\n$/);
    expect(lastLog()).toMatchObject({ status: 502, errorCode: "OriginUnreachable", error: expect.stringContaining("ECONNREFUSED") });
    expect(lastMetric("Errors", { ErrorCode: "OriginUnreachable" })).toBe(1);
    expect(lastMetric("Requests", { StatusClass: "5xx" })).toBe(1);
  });

  it("answers 400 without calling S3, and 504 before the function's timeout when S3 never answers", async () => {
    const stalling = await startStallingOrigin();
    origins.push(stalling);
    const stalled = await containerWithEndpoint(new URL(stalling.url).origin);
    const bad = await stalled.invoke({ query: "w=abc" });
    expect(stalling.requests()).toBe(0);

    const budgetMs = 1500;
    const answer = await stalled.invoke({ query: "w=100", budgetMs });

    expectErrorAnswer(bad, 400, /\bw\b/);
    expectErrorAnswer(answer, 504, /^fetching the original did not finish in time\n$/);
    expect(stalling.requests()).toBe(1);
    expect(lastMetric("Errors", { ErrorCode: "Timeout" })).toBe(1);
    // The deadline keeps min(1000 ms, 10%) back: 1350 ms of a 1500 ms budget.
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(1300);
    expect(answer.elapsedMs).toBeLessThan(budgetMs);
  });

  it("answers 413 from the declared length before downloading, and 504 when the body stalls", async () => {
    // Headers declaring 5,000,000 bytes, then a few bytes and silence.
    const stalling = await startStallingOrigin({ afterHeaders: true, contentLength: 5_000_000 });
    origins.push(stalling);
    const stalled = await containerWithEndpoint(new URL(stalling.url).origin);
    const original = await stalled.invoke({ budgetMs: kind.streaming ? 1500 : 5000 });
    const budgetMs = 1500;
    const variant = await stalled.invoke({ query: "w=100", budgetMs });

    if (kind.streaming) {
      // Streamed, 5 MB is no limit: the status went out with the headers, and the stalled body ends the
      // stream with the runtime's error trailer before the function's timeout, logged.
      expect(original.response.statusCode).toBe(200);
      expect(original.streamErrorType).toBeDefined();
      expect(original.elapsedMs).toBeLessThan(1500 + 500);
      expect(logLines.some((line) => /"error":"streaming the response failed: streaming the original did not finish in time"/.test(line))).toBe(true);
    } else {
      expectErrorAnswer(original, 413, /^the original is 5000000 bytes, over the function URL's 6 MB response limit/);
      // Only a decision made on the headers can answer before the 5 s budget runs out.
      expect(original.elapsedMs).toBeLessThan(1000);
    }
    expectErrorAnswer(variant, 504, /^resizing the image did not finish in time\n$/);
    expect(variant.elapsedMs).toBeLessThan(budgetMs);
  });

  it("answers 500 when the container has no origin bucket configured", async () => {
    const unconfigured = await kind.start({ RESIZER_ORIGIN_BUCKET: "" });
    others.push(unconfigured);
    const answer = await unconfigured.invoke({ query: "w=100" });

    expectErrorAnswer(answer, 500, /^the resizer failed unexpectedly\n$/);
    expect(lastLog()).toMatchObject({ status: 500, errorCode: "InternalError", error: expect.stringContaining("RESIZER_ORIGIN_BUCKET is not set") });
  });
});

describe.each([
  ["source handler", async () => ({ handle: (event: unknown) => sourceHandler(event, fakeContext(1000)), dispose: async () => undefined })],
  [
    "bundled x86_64 handler",
    async () => {
      const bundled = await loadBundledHandler();
      return { handle: (event: unknown) => bundled.invoke(event, fakeContext(1000)), dispose: bundled.dispose };
    },
  ],
])("index.handler dispatch: %s", (_name, load) => {
  it("throws a clear error for an event that is neither Object Lambda nor function URL", async () => {
    const { handle, dispose } = await load();
    try {
      await expect(handle({ Records: [] })).rejects.toThrow(/getObjectContext.*requestContext\.http/);
      await expect(handle({ requestContext: { stage: "prod" }, path: "/x" })).rejects.toThrow(/does not handle/);
    } finally {
      await dispose();
    }
  });
});

// One contract: the construct writes cache.errorTtl into RESIZER_ERROR_TTL; errors say it in Cache-Control,
// as the distribution caches them for it. (A fresh container reads its environment once: the bundle.)
describe("error caching follows the configured error TTL (bundled handler)", () => {
  it("answers a bad parameter with max-age from RESIZER_ERROR_TTL", async () => {
    const bundled = await loadBundledHandler({ RESIZER_ERROR_TTL: "3" });
    try {
      const response = (await bundled.invoke(functionUrlEvent({ query: "w=abc" }), fakeContext(15_000))) as FunctionUrlResponse;
      expect(response.statusCode).toBe(400);
      expect(response.headers["Cache-Control"]).toBe("public, max-age=3");
    } finally {
      await bundled.dispose();
    }
  }, 120_000);
});

// Response streaming as in production: the bundle under AWS's runtime interface client.
describe("function URL response streaming (bundle under aws-lambda-ric)", () => {
  const containers: Container[] = [];
  const origins: FakeOrigin[] = [];
  const BIG_KEY = "big/phone photo 12MB.jpg";
  let warm: Container;

  beforeAll(async () => {
    // Incompressible bytes: 12 MB, twice the buffered limit.
    const big = Buffer.concat(Array.from({ length: 12 * 1024 }, (_, i) => createHash("sha256").update(String(i)).digest().subarray(0, 32)).flatMap((b) => Array(32).fill(b)));
    stored.set(BIG_KEY, big);
    await s3.put(BIG_KEY, big, "image/jpeg");
    warm = await RUNTIME.start();
    containers.push(warm);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...containers.map((c) => c.dispose()), ...origins.map((o) => o.close())]);
  });

  it("streams a 12 MB original byte-identical, with its Content-Type and Content-Length", async () => {
    const big = stored.get(BIG_KEY)!;
    expect(big.length).toBeGreaterThan(2 * MAX_RESPONSE_BODY_BYTES);
    const { response, body } = await warm.invoke({ key: BIG_KEY });
    expect(response.statusCode).toBe(200);
    expect(response.headers["Content-Type"]).toBe("image/jpeg");
    expect(response.headers["Content-Length"]).toBe(String(big.length));
    expect(body.equals(big)).toBe(true);
  });

  it("streams a 4096-wide PNG variant of more than 6 MB", async () => {
    const key = "big/noise 4096x1024.png";
    const noise = await sharp(Buffer.concat(Array.from({ length: 4096 * 1024 * 3 / 32 }, (_, i) => createHash("sha256").update(`n${i}`).digest())), { raw: { width: 4096, height: 1024, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    await s3.put(key, noise, "image/png");
    const { response, body } = await warm.invoke({ key, query: "format=png&w=4096" });
    expect(response.statusCode).toBe(200);
    expect(body.length).toBeGreaterThan(6 * 1024 * 1024);
    expect(response.headers["Content-Length"]).toBe(String(body.length));
    expect(await decoded(body)).toMatchObject({ width: 4096, height: 1024, format: "png" });
  }, 60_000);

  it("refuses a 250 MB original before its first byte, naming the 200 MB streamed limit", async () => {
    const huge = await startStallingOrigin({ afterHeaders: true, contentLength: 250 * 1024 * 1024 });
    origins.push(huge);
    const container = await RUNTIME.start({ AWS_ENDPOINT_URL_S3: new URL(huge.url).origin });
    containers.push(container);
    const answer = await container.invoke({ key: "big/video-sized.jpg" });
    expectErrorAnswer(answer, 413, /^the original is 262144000 bytes, over the function URL's 200 MB streamed response limit; request a resized variant\n$/);
  });

  // purgeOnChange: an invalidation never reaches a browser, so a variant must not be immutable there.
  it("sends purge's browser TTL on variants (max-age, s-maxage, no immutable), and a year immutable without it", async () => {
    const purged = await RUNTIME.start({ RESIZER_BROWSER_MAX_AGE: "86400", RESIZER_SHARED_MAX_AGE: "31536000" });
    containers.push(purged);
    const variant = await purged.invoke({ query: "w=64" });
    expect(variant.response.statusCode).toBe(200);
    expect(variant.response.headers["Cache-Control"]).toBe("public, max-age=86400, s-maxage=31536000");
    expect((await warm.invoke({ query: "w=64" })).response.headers["Cache-Control"]).toBe("public, max-age=31536000, immutable");
    // Errors keep their short caching either way.
    expect((await purged.invoke({ key: "photos/missing.jpg", query: "w=64" })).response.headers["Cache-Control"]).toBe(ERROR_CACHE_CONTROL);
  });

  it("ends the stream, with the runtime's error trailer and a log line, when the origin fails mid-body", async () => {
    const resetting = await startResettingOrigin(8 * 1024 * 1024);
    origins.push(resetting);
    const container = await RUNTIME.start({ AWS_ENDPOINT_URL_S3: new URL(resetting.url).origin });
    containers.push(container);
    const answer = await container.invoke({ key: "photos/cut-short.jpg" });
    expect(answer.response.statusCode).toBe(200);
    expect(answer.streamErrorType).toBeDefined();
    expect(answer.body.length).toBeLessThan(8 * 1024 * 1024);
    expect(lastLog()).toMatchObject({ status: 200, error: expect.stringMatching(/^streaming the response failed: /) });
  });
});
