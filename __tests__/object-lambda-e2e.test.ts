/**
 * The Object Lambda adapter end to end with real parts on 127.0.0.1: originals in s3rver,
 * fetched through presigned URLs made by the real presigner, answers sent by the real S3
 * client to a WriteGetObjectResponse stand-in. The whole suite runs twice: against the
 * source handler and against the handler `require`d from the unpacked x86_64 bundle.
 */
import sharp from "sharp";
import { handler as sourceHandler, type HeadObjectResponse, type S3ObjectLambdaEvent, type S3ObjectLambdaHeadEvent } from "../lambda-src";
import { DEFAULT_RESIZER_CONFIG, errorCacheControl, VARIANT_CACHE_CONTROL } from "../lambda-src/core";

const ERROR_CACHE_CONTROL = errorCacheControl(DEFAULT_RESIZER_CONFIG);
import { loadBundledHandler, type ResizerHandler } from "./support/bundled-handler";
import { startLambdaRuntime } from "./support/lambda-runtime";
import { startChunkedOrigin, startStallingOrigin, startStatusOrigin, unusedPortUrl, type FakeOrigin } from "./support/fake-origins";
import { fakeContext } from "./support/lambda-context";
import { captureLogLines, checkedMetrics, isResizerLine, lambdaEnvironment, SERVER_TIMING_PATTERN, storeFixtures } from "./support/e2e-common";
import { startLocalS3, type LocalS3 } from "./support/s3rver-harness";
import { decodeAwsChunked, startWriteGetObjectResponseStandIn, type RecordedResponse, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";

const MAX_INPUT_BYTES = 2_000_000;

/** Originals in s3rver: key -> fixture file and the Content-Type it was stored with. */
const ORIGINALS = {
  "photos/flowers.jpeg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "photos/my photo+1 100%.jpg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "사진/꽃.jpeg": { file: "Landscape_6.jpg", contentType: "image/jpeg" },
  "odd/a#b?c=d&e.png": { file: "with-alpha.png", contentType: "image/png" },
  "odd/100%25 ?w=40#x 🌸.jpg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "bad/check.svg": { file: "check.svg", contentType: "image/svg+xml" },
  "bad/corrupt-header.jpg": { file: "corrupt-header.jpg", contentType: "image/jpeg" },
  "bad/giant-image.jpg": { file: "giant-image.jpg", contentType: "image/jpeg" },
} as const;
type OriginalKey = keyof typeof ORIGINALS;
const SPECIAL_KEYS: OriginalKey[] = ["photos/my photo+1 100%.jpg", "사진/꽃.jpeg", "odd/a#b?c=d&e.png", "odd/100%25 ?w=40#x 🌸.jpg"];

let s3: LocalS3;
let standIn: WriteGetObjectResponseStandIn;
let fixtureBytes: Map<OriginalKey, Buffer>;
const useEnvironment = lambdaEnvironment();
const logLines = captureLogLines();
const lastMetric = checkedMetrics(logLines, "object-lambda");
let tokenCounter = 0;

beforeAll(async () => {
  [s3, standIn] = await Promise.all([startLocalS3(), startWriteGetObjectResponseStandIn()]);
  useEnvironment({ AWS_ENDPOINT_URL_S3: standIn.endpoint, RESIZER_MAX_INPUT_BYTES: String(MAX_INPUT_BYTES) });
  fixtureBytes = await storeFixtures(s3, ORIGINALS);
});

afterAll(async () => {
  await Promise.all([s3?.close(), standIn?.close()]);
});

/**
 * userRequest.url as S3 Object Lambda reports it. AWS documents it as "the decoded URL of the request";
 * the suite also runs keys through a percent-encoded one, in case the service sends the wire form. With
 * the cache policy forwarding no query string, CloudFront's request carries none.
 */
function userRequestUrl(key: string, form: "decoded" | "encoded" = "decoded"): string {
  const path = form === "decoded" ? key : key.split("/").map(encodeURIComponent).join("/");
  return `https://images-abc123-s3alias.s3-object-lambda.us-east-1.amazonaws.com/${path}`;
}

interface Invocation {
  key?: string;
  /** The edge's normalized parameters, sent as CloudFront sends them: the x-resize-params header. */
  query?: string;
  urlForm?: "decoded" | "encoded";
  headers?: Record<string, string>;
  /** Defaults to a presigned GET for `key` in s3rver. */
  inputS3Url?: string;
  budgetMs?: number;
}

interface Answer {
  response: RecordedResponse;
  token: string;
  /** From the invocation's start to WriteGetObjectResponse's arrival. */
  elapsedMs: number;
  inputS3Url: string;
}

function makeInvoke(getHandler: () => ResizerHandler) {
  return async ({ key = "photos/flowers.jpeg", query = "", urlForm, headers = {}, inputS3Url, budgetMs = 15_000 }: Invocation): Promise<Answer> => {
    const token = `token-${++tokenCounter}`;
    const url = inputS3Url ?? (await s3.presignGet(key));
    const params: Record<string, string> = query ? { "x-resize-params": query } : {};
    const event: S3ObjectLambdaEvent = {
      xAmzRequestId: `req-${tokenCounter}`,
      getObjectContext: { inputS3Url: url, outputRoute: "io-route-1", outputToken: token },
      userRequest: { url: userRequestUrl(key, urlForm), headers: { Host: "images.example.com", ...params, ...headers } },
      configuration: {},
    };
    const context = fakeContext(budgetMs, `lambda-${tokenCounter}`);
    await getHandler()(event, context);
    const response = await standIn.responseFor(token, 0);
    // The stand-in refuses what the API reference rules out (undocumented status, malformed ErrorCode).
    expect(response.refused).toBeUndefined();
    return { response, token, elapsedMs: response.receivedAt - context.startedAt, inputS3Url: url };
  };
}

function makeHead(getHandler: () => ResizerHandler) {
  return async ({ key = "photos/flowers.jpeg", query = "", headers = {}, inputS3Url }: Invocation): Promise<HeadObjectResponse> => {
    const event: S3ObjectLambdaHeadEvent = {
      xAmzRequestId: `req-${++tokenCounter}`,
      headObjectContext: { inputS3Url: inputS3Url ?? (await s3.presignHead(key)) },
      userRequest: { url: userRequestUrl(key), headers: { ...(query ? { "x-resize-params": query } : {}), ...headers } },
    };
    return (await getHandler()(event, fakeContext(15_000))) as HeadObjectResponse;
  };
}

async function decoded(body: Buffer): Promise<{ width?: number; height?: number; format?: string; compression?: string }> {
  const meta = await sharp(body).metadata();
  return { width: meta.width, height: meta.height, format: meta.format, compression: meta.compression };
}

/**
 * An error answer: a status WriteGetObjectResponse documents (413/415/422 travel as 400, 502 as 500, 504 as
 * 503) with the exact reason in ErrorCode; short caching; and no x-amz-meta-* headers, which would reach
 * viewers as they are (no viewer-response function runs for a status of 400 or more).
 */
function expectErrorAnswer(response: RecordedResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.errorCode).toBe(code);
  expect(response.errorMessage).toMatch(/\S/);
  expect(response.forwardedHeaders["cache-control"]).toBe(ERROR_CACHE_CONTROL);
  expect(response.metadata).toEqual({});
  expect(response.body.length).toBe(0);
}

interface LoadedHandler {
  handler: ResizerHandler;
  dispose(): Promise<void>;
}

const HANDLERS: Array<[string, () => Promise<LoadedHandler>]> = [
  ["source handler", async () => ({ handler: sourceHandler, dispose: async () => undefined })],
  [
    "bundled x86_64 handler",
    async () => {
      const bundled = await loadBundledHandler();
      return { handler: bundled.handler, dispose: bundled.dispose };
    },
  ],
  [
    // AWS's runtime interface client runs the bundle: an Object Lambda function is not streamified, its
    // (empty, or HeadObject) result goes back through the runtime API's buffered response.
    "bundled x86_64 handler under aws-lambda-ric",
    async () => {
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(AWS_|RESIZER_)/.test(name) && name !== "AWS_REGION")) as Record<string, string>;
      const runtime = await startLambdaRuntime(inherited);
      const handler: ResizerHandler = async (event, context) => {
        const logsBefore = runtime.logs.length;
        const answer = await runtime.invoke(event, context.getRemainingTimeInMillis(), context.awsRequestId);
        await runtime.logLine(context.awsRequestId);
        // The resizer's own lines, as written (the runtime's JSON-wrapped console output, such as the SDK's warnings, not).
        for (const line of runtime.logs.slice(logsBefore)) if (isResizerLine(line)) process.stdout.write(`${line}\n`);
        if (answer.mode === "error") throw new Error(answer.body.toString("utf8"));
        return JSON.parse(answer.body.toString("utf8")) as unknown;
      };
      return { handler, dispose: runtime.dispose };
    },
  ],
];

describe.each(HANDLERS)("S3 Object Lambda end to end: %s", (_name, load) => {
  let loaded: LoadedHandler | undefined;
  const invoke = makeInvoke(() => loaded!.handler);
  const origins: FakeOrigin[] = [];

  beforeAll(async () => {
    loaded = await load();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([loaded?.dispose(), ...origins.map((origin) => origin.close())]);
  });

  it("resizes: 200 with the variant's bytes, type, length, cache and timing headers", async () => {
    const { response, token } = await invoke({ query: "w=120" });

    expect(response.method).toBe("POST");
    expect(response.path).toBe("/WriteGetObjectResponse");
    expect(response.route).toBe("io-route-1");
    expect(response.token).toBe(token);
    expect(response.status).toBe(200);
    expect(response.errorCode).toBeUndefined();
    expect(response.forwardedHeaders["content-type"]).toBe("image/jpeg");
    expect(response.contentLengthHeader).toBe(response.body.length);
    expect(response.forwardedHeaders["cache-control"]).toBe(VARIANT_CACHE_CONTROL);
    expect(response.metadata["vary"]).toBe("Accept");
    expect(response.metadata["server-timing"]).toMatch(SERVER_TIMING_PATTERN);
    expect(lastMetric("Requests", { StatusClass: "2xx" })).toBe(1);
    expect(lastMetric("ResponseBytes")).toBe(response.body.length);
    expect(await decoded(response.body)).toMatchObject({ width: 120, height: 68, format: "jpeg" });
  });

  it("honours explicit format, fit and both dimensions, without Vary", async () => {
    const { response } = await invoke({ query: "fit=contain&format=png&h=50&w=80" });

    expect(response.status).toBe(200);
    expect(response.forwardedHeaders["content-type"]).toBe("image/png");
    expect(response.metadata["vary"]).toBeUndefined();
    expect(await decoded(response.body)).toMatchObject({ width: 80, height: 50, format: "png" });
  });

  it("negotiates AVIF from the Accept header", async () => {
    const { response } = await invoke({ query: "w=64", headers: { Accept: "image/avif,image/webp,image/apng,*/*;q=0.8" } });

    expect(response.status).toBe(200);
    expect(response.forwardedHeaders["content-type"]).toBe("image/avif");
    expect(await decoded(response.body)).toMatchObject({ width: 64, format: "heif", compression: "av1" });
  });

  it("prefers the x-resize-accept hint over Accept, in any header-name case", async () => {
    const avifAccept = "image/avif,image/webp,*/*";
    const webp = await invoke({ query: "w=64", headers: { "X-Resize-Accept": "webp", Accept: avifAccept } });
    const none = await invoke({ query: "w=64", headers: { "x-resize-accept": "none", accept: avifAccept } });
    const lowerAccept = await invoke({ query: "w=64", headers: { accept: "image/webp" } });

    expect(webp.response.forwardedHeaders["content-type"]).toBe("image/webp");
    expect((await decoded(webp.response.body)).format).toBe("webp");
    expect(none.response.forwardedHeaders["content-type"]).toBe("image/jpeg");
    expect((await decoded(none.response.body)).format).toBe("jpeg");
    expect(lowerAccept.response.forwardedHeaders["content-type"]).toBe("image/webp");
  });

  it("streams the original untouched when there are no parameters", async () => {
    const { response } = await invoke({ key: "photos/flowers.jpeg" });

    expect(response.status).toBe(200);
    expect(response.forwardedHeaders["content-type"]).toBe("image/jpeg");
    expect(response.contentLengthHeader).toBe(fixtureBytes.get("photos/flowers.jpeg")!.length);
    expect(response.body.equals(fixtureBytes.get("photos/flowers.jpeg")!)).toBe(true);
    expect(response.forwardedHeaders["etag"]).toMatch(/^"[0-9a-f]{32}"$/);
    expect(response.metadata["server-timing"]).toMatch(/^fetch;dur=\d+\.\d, total;dur=\d+\.\d$/);
  });

  it("handles an origin that declares no length (chunked), original and variant", async () => {
    const bytes = fixtureBytes.get("photos/flowers.jpeg")!;
    const chunked = await startChunkedOrigin(bytes, "image/jpeg");
    origins.push(chunked);
    const original = await invoke({ inputS3Url: chunked.url });
    const variant = await invoke({ query: "w=50", inputS3Url: chunked.url });

    expect(original.response.status).toBe(200);
    expect(original.response.body.equals(bytes)).toBe(true);
    expect(variant.response.status).toBe(200);
    expect((await decoded(variant.response.body)).width).toBe(50);
  });

  // userRequest.url is documented as decoded: a key with '%', '?', '#' cannot be split from a query there,
  // and decoding it again turns '%25' into '%' or fails. The parameters come from x-resize-params instead,
  // the original from inputS3Url (built by S3 from the real key): the URL is never parsed for either.
  describe.each(["decoded", "encoded"] as const)("keys with %%, ?, #, +, spaces, Korean and emoji, userRequest.url %s", (urlForm) => {
    it.each(SPECIAL_KEYS)("serves key %p: original bytes and a variant", async (key) => {
      const original = await invoke({ key, urlForm });
      const variant = await invoke({ key, urlForm, query: "w=40" });

      expect(original.response.status).toBe(200);
      expect(original.response.body.equals(fixtureBytes.get(key)!)).toBe(true);
      expect(original.response.forwardedHeaders["content-type"]).toBe(ORIGINALS[key].contentType);
      expect(variant.response.status).toBe(200);
      expect((await decoded(variant.response.body)).width).toBe(40);
    });
  });

  it("never takes parameters from the URL: a key that reads like a query is served as the original", async () => {
    const key = "odd/100%25 ?w=40#x 🌸.jpg";
    const { response } = await invoke({ key });

    expect(response.status).toBe(200);
    expect(response.body.equals(fixtureBytes.get(key)!)).toBe(true);
    expect(JSON.parse(logLines[0]!)).toMatchObject({ key, params: "" });
  });

  it("still validates the parameter header itself (a request that did not pass the edge)", async () => {
    const { response } = await invoke({ query: "w=99999" });

    expectErrorAnswer(response, 400, "InvalidParameter");
    expect(response.errorMessage).toMatch(/^w must be an integer from 1 to 4096/);
  });

  it("applies the EXIF orientation (a Korean key holding an orientation-6 photo)", async () => {
    const { response } = await invoke({ key: "사진/꽃.jpeg", query: "w=300" });

    expect(await decoded(response.body)).toMatchObject({ width: 300, height: 225 });
  });

  it("answers 404 for a missing key", async () => {
    const { response } = await invoke({ key: "photos/nope.jpg", query: "w=100" });

    expectErrorAnswer(response, 404, "NoSuchKey");
  });

  it("answers 404 for a missing key without parameters too", async () => {
    const { response } = await invoke({ key: "photos/nope.jpg" });

    expectErrorAnswer(response, 404, "NoSuchKey");
  });

  it("answers 400 naming the bad parameter, without fetching anything", async () => {
    const stalling = await startStallingOrigin();
    origins.push(stalling);
    const bad = await invoke({ query: "w=abc", inputS3Url: stalling.url });
    const foreign = await invoke({ query: "q=%ED%95%9C", inputS3Url: stalling.url });

    expectErrorAnswer(bad.response, 400, "InvalidParameter");
    expect(bad.response.errorMessage).toMatch(/\bw\b/);
    expectErrorAnswer(foreign.response, 400, "InvalidParameter");
    expect(foreign.response.errorMessage).toMatch(/\bq\b/);
    expect(lastMetric("Errors", { ErrorCode: "InvalidParameter" })).toBe(1);
    expect(lastMetric("Requests", { StatusClass: "4xx" })).toBe(1);
    expect(stalling.requests()).toBe(0);
  });

  it("passes the origin's 403 on", async () => {
    const forbidden = await startStatusOrigin(403);
    origins.push(forbidden);
    const { response } = await invoke({ query: "w=100", inputS3Url: forbidden.url });

    expectErrorAnswer(response, 403, "AccessDenied");
  });

  it("answers 500 OriginError (the resizer's 502) when the origin fails (500) or cannot be reached", async () => {
    const failing = await startStatusOrigin(500);
    origins.push(failing);
    const failed = await invoke({ query: "w=100", inputS3Url: failing.url });
    const refused = await invoke({ inputS3Url: await unusedPortUrl() });

    expectErrorAnswer(failed.response, 500, "OriginError");
    expect(failed.response.errorMessage).toContain("500");
    expectErrorAnswer(refused.response, 500, "OriginUnreachable");
    // The viewer gets a reason, not our network's addresses; the log keeps the cause.
    expect(refused.response.errorMessage).not.toContain("127.0.0.1");
    expect(JSON.parse(logLines[1]!)).toMatchObject({ status: 500, errorCode: "OriginUnreachable", error: expect.stringContaining("ECONNREFUSED") });
    expect(lastMetric("Errors", { ErrorCode: "OriginUnreachable" })).toBe(1);
    expect(lastMetric("Requests", { StatusClass: "5xx" })).toBe(1);
  });

  it("answers 503 Timeout (the resizer's 504) before the function's timeout when the origin never answers", async () => {
    const stalling = await startStallingOrigin();
    origins.push(stalling);
    const budgetMs = 1500;
    const { response, elapsedMs } = await invoke({ query: "w=100", inputS3Url: stalling.url, budgetMs });

    expectErrorAnswer(response, 503, "Timeout");
    expect(stalling.requests()).toBe(1);
    expect(lastMetric("Errors", { ErrorCode: "Timeout" })).toBe(1);
    expect(lastMetric("Requests", { StatusClass: "5xx" })).toBe(1);
    // The deadline keeps min(1000 ms, 10%) back: 1350 ms of a 1500 ms budget.
    expect(elapsedMs).toBeGreaterThanOrEqual(1300);
    expect(elapsedMs).toBeLessThan(budgetMs);
  });

  it("answers 503 Timeout before the function's timeout when the origin stalls mid-body", async () => {
    const stalling = await startStallingOrigin({ afterHeaders: true, contentLength: 100_000 });
    origins.push(stalling);
    const budgetMs = 1500;
    const { response, elapsedMs } = await invoke({ query: "w=100", inputS3Url: stalling.url, budgetMs });

    expectErrorAnswer(response, 503, "Timeout");
    expect(elapsedMs).toBeLessThan(budgetMs);
  });

  it("answers 400 PayloadTooLarge (the resizer's 413) from the declared length, before downloading the body", async () => {
    // This origin sends headers and then nothing: only a decision made on the headers answers in time.
    const oversized = await startStallingOrigin({ afterHeaders: true, contentLength: MAX_INPUT_BYTES + 1 });
    origins.push(oversized);
    const { response, elapsedMs } = await invoke({ query: "w=100", inputS3Url: oversized.url, budgetMs: 5000 });

    expectErrorAnswer(response, 400, "PayloadTooLarge");
    expect(elapsedMs).toBeLessThan(1000);
  });

  it("answers 400 with the exact reason in ErrorCode for a pixel bomb, an SVG and a corrupt image", async () => {
    const bomb = await invoke({ key: "bad/giant-image.jpg", query: "w=100" });
    const svg = await invoke({ key: "bad/check.svg", query: "w=100" });
    const corrupt = await invoke({ key: "bad/corrupt-header.jpg", query: "w=100" });

    expectErrorAnswer(bomb.response, 400, "PayloadTooLarge");
    expectErrorAnswer(svg.response, 400, "UnsupportedMediaType");
    expectErrorAnswer(corrupt.response, 400, "UnprocessableImage");
  });

  it("rethrows when WriteGetObjectResponse itself fails, after logging it", async () => {
    const token = `token-${++tokenCounter}`;
    standIn.failFor(token);
    const event: S3ObjectLambdaEvent = {
      getObjectContext: { inputS3Url: await s3.presignGet("photos/flowers.jpeg"), outputRoute: "io-route-1", outputToken: token },
      userRequest: { url: userRequestUrl("photos/flowers.jpeg"), headers: { "x-resize-params": "w=40" } },
    };

    await expect(loaded!.handler(event, fakeContext(15_000))).rejects.toThrow();
    expect(standIn.received.filter((response) => response.token === token).length).toBeGreaterThanOrEqual(1);
    expect(logLines).toHaveLength(1);
    expect(JSON.parse(logLines[0]!)).toMatchObject({ status: 200, error: expect.stringContaining("WriteGetObjectResponse failed") });
  });

  // S3 user guide, "Working with HeadObject requests in Lambda": the function answers HEAD with a returned
  // { statusCode, headers } (no WriteGetObjectResponse), from a URL presigned for HeadObject only.
  describe("HEAD (HeadObject transformation)", () => {
    const head = makeHead(() => loaded!.handler);

    it("describes the original when there are no parameters", async () => {
      const answer = await head({ key: "photos/my photo+1 100%.jpg" });

      expect(answer.statusCode).toBe(200);
      expect(answer.headers).toMatchObject({
        "Content-Length": fixtureBytes.get("photos/my photo+1 100%.jpg")!.length,
        "Content-Type": "image/jpeg",
        ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      });
    });

    it("describes the variant: its type from the plan and Accept, its cache policy, no length (known only once encoded)", async () => {
      const auto = await head({ query: "w=100", headers: { "x-resize-accept": "avif" } });
      const explicit = await head({ query: "format=png&w=100" });

      expect(auto).toEqual({ statusCode: 200, headers: { "Content-Type": "image/avif", "Cache-Control": VARIANT_CACHE_CONTROL, "x-amz-meta-vary": "Accept" } });
      expect(explicit.headers).toEqual({ "Content-Type": "image/png", "Cache-Control": VARIANT_CACHE_CONTROL });
    });

    it("answers as GET would for a missing key, a bad parameter, an SVG and an origin failure", async () => {
      const failing = await startStatusOrigin(500);
      origins.push(failing);
      expect(await head({ key: "photos/nope.jpg", query: "w=100" })).toMatchObject({ statusCode: 404, errorCode: "NoSuchKey" });
      expect(await head({ query: "w=abc" })).toMatchObject({ statusCode: 400, errorCode: "InvalidParameter" });
      expect(await head({ key: "bad/check.svg", query: "w=100" })).toMatchObject({ statusCode: 400, errorCode: "UnsupportedMediaType" });
      expect(await head({ query: "w=100", inputS3Url: failing.url })).toMatchObject({ statusCode: 500, errorCode: "OriginError" });
    });
  });

  it("logs one JSON line per request, without the presigned URL's credentials", async () => {
    const { inputS3Url } = await invoke({ key: "photos/my photo+1 100%.jpg", query: "w=40" });

    expect(inputS3Url).toContain("X-Amz-Signature=");
    expect(logLines).toHaveLength(1);
    const entry = JSON.parse(logLines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ key: "photos/my photo+1 100%.jpg", params: "w=40", status: 200, contentType: "image/jpeg" });
    expect(entry.bytes).toEqual(expect.any(Number));
    expect(entry.timings).toMatchObject({ fetch: expect.any(Number), transform: expect.any(Number), total: expect.any(Number) });
    expect(logLines[0]).not.toContain("X-Amz-Signature");
    expect(logLines[0]).not.toContain("X-Amz-Credential");
  });
});

// purgeOnChange: an invalidation never reaches a browser, so a variant must not be immutable there (the construct
// writes the browser TTL into the function's environment; a container reads it once, so a bundle of its own).
describe("purge's browser TTL on variants, through Object Lambda (bundled handler)", () => {
  let purged: Awaited<ReturnType<typeof loadBundledHandler>>;
  beforeAll(async () => {
    purged = await loadBundledHandler({ RESIZER_BROWSER_MAX_AGE: "600", RESIZER_SHARED_MAX_AGE: "31536000" });
  }, 180_000);
  afterAll(async () => purged?.dispose());

  it("GET: WriteGetObjectResponse's CacheControl is max-age/s-maxage, not immutable; HEAD says the same", async () => {
    const { response } = await makeInvoke(() => purged.handler)({ query: "w=64" });
    expect(response.status).toBe(200);
    expect(response.forwardedHeaders["cache-control"]).toBe("public, max-age=600, s-maxage=31536000");
    const head = await makeHead(() => purged.handler)({ query: "format=png&w=64" });
    expect(head.headers).toMatchObject({ "Cache-Control": "public, max-age=600, s-maxage=31536000" });
  });
});

describe("WriteGetObjectResponse stand-in", () => {
  it("decodes aws-chunked bodies (signed chunks and trailers), should an SDK send one", () => {
    const raw = Buffer.from(
      "5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n0;chunk-signature=cccc\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
    );

    expect(decodeAwsChunked(raw).toString()).toBe("hello world");
    expect(() => decodeAwsChunked(Buffer.from("zz\r\n"))).toThrow(/chunk size/);
  });
});
