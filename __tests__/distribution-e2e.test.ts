/**
 * A viewer's request through the distribution as synthesized, end to end on 127.0.0.1: the viewer-request
 * function's synthesized code chooses among the synthesized distribution's origins (runtime 2.0's
 * cf.selectRequestOriginById, "Helper methods for origin modification"); an original goes to the bucket (s3rver,
 * answering the path-style GET that CloudFront's OAC request is), a variant to the behavior's target, the resizer
 * bundle under AWS's runtime interface client, streamed, as the function URL event CloudFront makes. Only the
 * CloudFront side is stood in for: the function runs as written, the origins are real.
 */
import crypto from "node:crypto";
import sharp from "sharp";
import { ORIGINALS_ORIGIN_ID } from "../modules/edge/viewer-request-function";
import { signImageUrl } from "../modules/construct/signing";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, plainHeaders, runFunctionCode, type CfRequest, type CfResponse } from "../scripts/preview/cloudfront-function";
import { lambdaEnvironment, storeFixtures } from "./support/e2e-common";
import { decodeHttpStream, startLambdaRuntime, type LambdaRuntime } from "./support/lambda-runtime";
import { startLocalS3, type LocalS3 } from "./support/s3rver-harness";
import { named, only, synthImageCdn, type Synthesized } from "./support/synth";

const ORIGINALS = {
  "photos/flowers.jpeg": { file: "flowers.jpeg", contentType: "image/jpeg" },
  "사진/봄 꽃.jpeg": { file: "Landscape_6.jpg", contentType: "image/jpeg" },
} as const;
const SECRET = "a-signing-secret-of-32-characters!";

interface Answer {
  readonly origin: "edge" | "originals" | "resizer";
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

let s3: LocalS3;
let runtime: LambdaRuntime;
let stored: Map<keyof typeof ORIGINALS, Buffer>;
let resizerInvocations = 0;
const useEnvironment = lambdaEnvironment();

beforeAll(async () => {
  s3 = await startLocalS3();
  useEnvironment({});
  stored = await storeFixtures(s3, ORIGINALS);
  runtime = await startLambdaRuntime({
    AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_S3: s3.endpoint, RESIZER_ORIGIN_BUCKET: s3.bucket,
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([runtime?.dispose(), s3?.close()]);
});

/**
 * CloudFront's side, from the synthesized JSON: the function associated with viewer-request, the origins the
 * distribution has, the behavior's target. The function's imports are runtime 2.0's modules.
 */
function distribution(json: Synthesized, keyValueStore?: Record<string, string>) {
  const d = only(json, "aws_cloudfront_distribution") as { origin: Array<{ origin_id: string }>; default_cache_behavior: { target_origin_id: string } };
  const origins = d.origin.map((o) => o.origin_id);
  const code = String(named(json, "aws_cloudfront_function", "-normalize").resource.code);
  const kvs = keyValueStore && { get: async (key: string) => { if (!(key in keyValueStore)) throw new Error(`key ${key} not found`); return keyValueStore[key]; } };
  const cloudfront = cloudfrontModule({ origins, kvs });
  const handler = runFunctionCode<{ version: string; request: CfRequest }, CfRequest | CfResponse | Promise<CfRequest | CfResponse>>(code, { modules: { cloudfront: cloudfront.module, crypto } });

  return async (url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const { pathname, search } = new URL(url, "https://d111111abcdef8.cloudfront.net");
    const method = init.method ?? "GET";
    const viewer = { accept: "image/avif,image/webp,*/*", ...init.headers };
    const { result, choice } = cloudfront.track(() => handler({ version: "1.0", request: { method, uri: pathname, querystring: cloudFrontQuery(search.slice(1)), headers: cloudFrontHeaders(viewer) } }));
    const outcome = await result;
    if ("statusCode" in outcome) {
      const body = typeof outcome.body === "string" ? outcome.body : outcome.body?.data ?? "";
      return { origin: "edge", status: outcome.statusCode, headers: plainHeaders(outcome.headers ?? {}), body: Buffer.from(body) };
    }
    const target = choice.origin ?? d.default_cache_behavior.target_origin_id;
    expect(origins).toContain(target);
    const headers = plainHeaders(outcome.headers);
    if (target === ORIGINALS_ORIGIN_ID) {
      // The bucket origin: S3's REST API for the object at the request's path, which CloudFront forwards as is.
      const forwarded = Object.fromEntries(Object.entries(headers).filter(([name]) => ["range", "if-none-match", "if-modified-since"].includes(name)));
      const response = await fetch(`${s3.endpoint}/${s3.bucket}${outcome.uri}`, { method, headers: forwarded });
      const received: Record<string, string> = {};
      response.headers.forEach((value, name) => void (received[name] = value));
      return { origin: "originals", status: response.status, headers: received, body: Buffer.from(await response.arrayBuffer()) };
    }
    resizerInvocations += 1;
    const answer = decodeHttpStream(await runtime.invoke({
      version: "2.0",
      rawPath: outcome.uri,
      rawQueryString: "",
      headers: { ...headers, host: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws" },
      requestContext: { http: { method, path: outcome.uri, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Amazon CloudFront" } },
      isBase64Encoded: false,
    }, 15_000));
    return { origin: "resizer", status: answer.statusCode, headers: answer.headers, body: answer.body };
  };
}

describe("through the synthesized distribution: originals from the bucket, variants from the streamed resizer", () => {
  const json = synthImageCdn({ presets: { thumb: { w: 150, h: 150, fit: "cover" } } });
  const cloudfront = distribution(json);

  it("serves an original from the bucket byte for byte, and the resizer is not invoked", async () => {
    const before = resizerInvocations;
    const answer = await cloudfront("/photos/flowers.jpeg");
    expect(answer).toMatchObject({ origin: "originals", status: 200 });
    expect(answer.headers["content-type"]).toBe("image/jpeg");
    expect(answer.body.equals(stored.get("photos/flowers.jpeg")!)).toBe(true);
    // Parameters that are not the contract's still ask for the original.
    expect((await cloudfront("/photos/flowers.jpeg?utm_source=mail")).origin).toBe("originals");
    expect(resizerInvocations).toBe(before);
  });

  it("gives originals S3's own Range, HEAD and ETag answers", async () => {
    const whole = stored.get("photos/flowers.jpeg")!;
    const range = await cloudfront("/photos/flowers.jpeg", { headers: { range: "bytes=0-1023" } });
    expect(range).toMatchObject({ origin: "originals", status: 206 });
    expect(range.body.equals(whole.subarray(0, 1024))).toBe(true);
    const head = await cloudfront("/photos/flowers.jpeg", { method: "HEAD" });
    expect(head.headers["content-length"]).toBe(String(whole.length));
    expect(head.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("reaches the key with spaces and Korean as stored (the path as the viewer sent it)", async () => {
    const answer = await cloudfront(`/${encodeURIComponent("사진")}/${encodeURIComponent("봄 꽃.jpeg")}`);
    expect(answer).toMatchObject({ origin: "originals", status: 200 });
    expect(answer.body.equals(stored.get("사진/봄 꽃.jpeg")!)).toBe(true);
  });

  it("sends a variant, and a preset, to the resizer, streamed: the size asked, in the format Accept allows", async () => {
    const variant = await cloudfront("/photos/flowers.jpeg?w=150");
    expect(variant).toMatchObject({ origin: "resizer", status: 200 });
    expect(variant.headers["Content-Type"]).toBe("image/avif");
    expect((await sharp(variant.body).metadata()).width).toBe(150);
    const preset = await cloudfront(`/${encodeURIComponent("사진")}/${encodeURIComponent("봄 꽃.jpeg")}?preset=thumb`, { headers: { accept: "image/webp" } });
    expect(preset).toMatchObject({ origin: "resizer", status: 200 });
    expect(await sharp(preset.body).metadata()).toMatchObject({ width: 150, height: 150, format: "webp" });
  });

  it("answers a bad parameter at the edge, reaching neither origin", async () => {
    const before = resizerInvocations;
    const answer = await cloudfront("/photos/flowers.jpeg?w=abc");
    expect(answer).toMatchObject({ origin: "edge", status: 400 });
    expect(resizerInvocations).toBe(before);
  });
});

describe("through a signed distribution: the signature is checked before any origin is chosen", () => {
  const json = synthImageCdn({ signing: true });
  const cloudfront = distribution(json, { "signing-key-1": SECRET });

  it("refuses an unsigned original at the edge, and serves a signed one from the bucket", async () => {
    expect(await cloudfront("/photos/flowers.jpeg")).toMatchObject({ origin: "edge", status: 403 });
    const signed = new URL(signImageUrl("https://img.example.com", "photos/flowers.jpeg", {}, SECRET));
    const answer = await cloudfront(`${signed.pathname}${signed.search}`);
    expect(answer).toMatchObject({ origin: "originals", status: 200 });
    expect(answer.body.equals(stored.get("photos/flowers.jpeg")!)).toBe(true);
  });
});

describe("through a distribution that denies originals", () => {
  const json = synthImageCdn({ originals: "deny" });
  const cloudfront = distribution(json);

  it("has no bucket origin, refuses an original at the edge, and still serves variants", async () => {
    expect((only(json, "aws_cloudfront_distribution").origin as Array<{ origin_id: string }>).map((o) => o.origin_id)).toEqual(["resizer"]);
    const refused = await cloudfront("/photos/flowers.jpeg");
    expect(refused).toMatchObject({ origin: "edge", status: 403 });
    expect((await cloudfront("/photos/flowers.jpeg?w=64")).status).toBe(200);
  });
});
