import * as crypto from "node:crypto";
import { DEFAULT_RESIZER_CONFIG, RESIZE_PARAMS_HEADER, type ResizerConfig } from "../lambda-src/core/contract";
import { Testing } from "cdktf";
import { resolveAppSettings, settingLookup } from "../modules/app/app-settings";
import { signCommand } from "../modules/cli/main";
import { ImageCdnStack } from "../modules/app/image-cdn-stack";
import { CLOUDFRONT_FUNCTION_MAX_BYTES, SIGNING_IMPORTS, viewerRequestFunctionCode, type EdgeOptions } from "../modules/edge/viewer-request-function";
import { SIGNABLE_PARAMS, SIGNING_KEY_SLOTS, signImageUrl, type SignableParams } from "../modules/construct/signing";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, runFunctionCode, type CfValue } from "../scripts/preview/cloudfront-function";
import { named, only, synthImageCdn, type Synthesized } from "./support/synth";

type CfResult = { statusCode?: number; body?: { data: string }; querystring?: Record<string, CfValue>; headers: Record<string, { value: string }> };

const NOW = 1_800_000_000; // seconds
const SECRET = "9f2c1e7b0d4a6f3e8c5b2a1d0e9f8c7b";
const OLD_SECRET = "0123456789abcdef0123456789abcdef";
const BASE = "https://img.example.com";
const PRESETS = { thumb: { w: "150", h: "150", fit: "cover" }, hero: { w: "600", dpr: "2", pos: "attention", bg: "ff0000", rotate: "90", blur: "1.5" } };

/**
 * Runs the shipped function code in Node as CloudFront would. The two runtime modules it imports are the only
 * stand-ins: `crypto` is Node's (CloudFront's module is documented as its subset, createHmac/update/digest('hex')),
 * and `cf.kvs()` follows "Helper methods for key value stores": get(key) resolves to the string value and
 * rejects for a key that is not in the store.
 */
function signedEdge(slots: Partial<Record<(typeof SIGNING_KEY_SLOTS)[number], string>>, options: Omit<EdgeOptions, "signing"> & { config?: ResizerConfig } = {}) {
  const { config = DEFAULT_RESIZER_CONFIG, ...edgeOptions } = options;
  const code = viewerRequestFunctionCode(config, { presets: PRESETS, originalsOriginId: "originals", ...edgeOptions, signing: true });
  expect(code.startsWith(SIGNING_IMPORTS)).toBe(true);
  const store = {
    get: async (key: string) => {
      const value = (slots as Record<string, string>)[key];
      if (value === undefined) throw new Error(`key ${key} not found`);
      return value;
    },
  };
  const cloudfront = cloudfrontModule({ origins: ["resizer", "originals"], kvs: store });
  const handler = runFunctionCode<ReturnType<typeof cloudFrontEvent>, Promise<CfResult>>(code, { modules: { crypto, cloudfront: cloudfront.module }, globals: { Date: { now: () => NOW * 1000 } } });
  return (url: string, method = "GET", headers: Record<string, string> = {}) => handler(cloudFrontEvent(url, method, headers));
}

/** The viewer-request event for a URL: the path and the query values as the viewer sent them, still percent-encoded. */
function cloudFrontEvent(url: string, method = "GET", headers: Record<string, string> = {}) {
  const questionMark = url.indexOf("?");
  const querystring = cloudFrontQuery(questionMark < 0 ? "" : url.slice(questionMark + 1));
  return { version: "1.0", request: { method, uri: new URL(url).pathname, querystring, headers: cloudFrontHeaders(headers) } };
}

function replaceParam(url: string, name: string, value: string): string {
  return url.replace(new RegExp(`([?&])${name}=[^&]*`), `$1${name}=${value}`);
}

describe("signed URLs: signImageUrl and the edge's check agree", () => {
  const edge = signedEdge({ "signing-key-1": SECRET });

  const KEYS = ["photos/cat.jpg", "my photos/a b.jpg", "c++/x+y.png", "100%/50%25 off.jpg", "사진/고양이 1.jpg", "odd?name#1.jpg", "a/b//c.jpg"];
  const PARAMS: SignableParams[] = [{}, { w: 150 }, { w: 150, h: 150, fit: "cover" }, { fit: "cover", h: 150, w: 150 }, { preset: "thumb" }, { format: "webp", q: 60, w: 640 }];

  it.each(KEYS.flatMap((key) => PARAMS.map((params) => [key, params] as const)))("passes %s %j, without the signature in what goes on", async (key, params) => {
    const result = await edge(signImageUrl(BASE, key, params, SECRET));
    expect(result.statusCode).toBeUndefined();
    expect(result.querystring).toEqual({});
  });

  it("covers the responsive-images parameters: signed, they reach the resizer normalized as a preset holding them does", async () => {
    const params: SignableParams = { w: 600, dpr: 2, pos: "attention", bg: "ff0000", rotate: 90, blur: 1.5 };
    const explicit = await edge(signImageUrl(BASE, "a.jpg", params, SECRET));
    const preset = await edge(signImageUrl(BASE, "a.jpg", { preset: "hero" }, SECRET));
    expect(explicit.headers?.["x-resize-params"]).toEqual({ value: "bg=f00&blur=1.5&pos=attention&rotate=90&w=1200" });
    expect(preset.headers?.["x-resize-params"]).toEqual(explicit.headers?.["x-resize-params"]);
    const tampered = await edge(replaceParam(signImageUrl(BASE, "a.jpg", params, SECRET), "dpr", "4"));
    expect(tampered.statusCode).toBe(403);
  });

  it("covers w=auto: the hinted width is chosen after the check, and w=auto swapped for a width is refused", async () => {
    const hinted = signedEdge({ "signing-key-1": SECRET }, { config: { ...DEFAULT_RESIZER_CONFIG, clientHints: { widths: [320, 640], fallbackWidth: 640 } } });
    const url = signImageUrl(BASE, "a.jpg", { w: "auto", format: "webp" }, SECRET);
    expect((await hinted(url, "GET", { "sec-ch-width": "300" })).headers?.["x-resize-params"]).toEqual({ value: "format=webp&w=320" });
    expect((await hinted(replaceParam(url, "w", "640"))).statusCode).toBe(403);
  });

  it("signs the same URL whatever the order the parameters are given in, and accepts them reordered in the URL", async () => {
    const a = signImageUrl(BASE, "a.jpg", { w: 150, h: 150, fit: "cover" }, SECRET);
    expect(signImageUrl(BASE, "a.jpg", { fit: "cover", w: 150, h: 150 }, SECRET)).toBe(a);
    const [path, query] = a.split("?") as [string, string];
    const reordered = `${path}?${query.split("&").reverse().join("&")}`;
    expect((await edge(reordered)).statusCode).toBeUndefined();
  });

  it("keeps the cache key of the unsigned function: the same forwarded parameters, one cache entry per variant", async () => {
    const unsigned = viewerRequestFunctionCode(DEFAULT_RESIZER_CONFIG, { presets: PRESETS });
    const plain = runFunctionCode<ReturnType<typeof cloudFrontEvent>, CfResult>(unsigned)(cloudFrontEvent(`${BASE}/a.jpg?w=150&h=150&fit=cover`, "GET", { accept: "image/avif" }));
    for (const params of [{ w: 150, h: 150, fit: "cover" }, { preset: "thumb" }] as SignableParams[]) {
      const signed = await edge(signImageUrl(BASE, "a.jpg", params, SECRET), "GET", { accept: "image/avif" });
      expect(signed.headers).toEqual(plain.headers);
      expect(signed.headers[RESIZE_PARAMS_HEADER]).toEqual({ value: "h=150&w=150" }); // cover is the default fit
    }
  });

  it.each([
    ["a changed width", (url: string) => replaceParam(url, "w", "151")],
    ["an added parameter", (url: string) => `${url}&h=150`],
    ["another object", (url: string) => url.replace("/cat.jpg", "/dog.jpg")],
    ["a changed signature", (url: string) => url.replace(/sig=(.)/, (_m, c: string) => `sig=${c === "0" ? "1" : "0"}`)],
    ["a truncated signature", (url: string) => url.slice(0, -1)],
    ["a later expiry", (url: string) => replaceParam(url, "exp", String(NOW + 999_999))],
    ["an expiry removed", (url: string) => url.replace(/exp=\d+&/, "")],
  ])("refuses %s with 403", async (_what, tamper) => {
    const url = signImageUrl(BASE, "photos/cat.jpg", { w: 150 }, SECRET, { expires: NOW + 60 });
    expect((await edge(url)).statusCode).toBeUndefined();
    const refused = await edge(tamper(url));
    expect({ status: refused.statusCode, body: refused.body?.data }).toEqual({ status: 403, body: "signature not valid\n" });
  });

  it("refuses a missing signature with 403, before judging the parameters (no probing without a key)", async () => {
    for (const url of [`${BASE}/a.jpg`, `${BASE}/a.jpg?w=150`, `${BASE}/a.jpg?w=99999`]) {
      const refused = await edge(url);
      expect({ status: refused.statusCode, body: refused.body?.data, cache: refused.headers["cache-control"] })
        .toEqual({ status: 403, body: "signature missing\n", cache: { value: "no-store" } });
    }
  });

  it("expires at the end of the `exp` second, not before", async () => {
    expect((await edge(signImageUrl(BASE, "a.jpg", { w: 150 }, SECRET, { expires: NOW }))).statusCode).toBeUndefined();
    expect((await edge(signImageUrl(BASE, "a.jpg", { w: 150 }, SECRET, { expires: new Date((NOW + 1) * 1000) }))).statusCode).toBeUndefined();
    const expired = await edge(signImageUrl(BASE, "a.jpg", { w: 150 }, SECRET, { expires: NOW - 1 }));
    expect({ status: expired.statusCode, body: expired.body?.data }).toEqual({ status: 403, body: "signature expired\n" });
  });

  it("a valid signature over invalid parameters gets the normalizer's 400, and a duplicated parameter is not served", async () => {
    // A width any deployment may allow, over this one's 4096: the signer checks the form, the edge the range.
    expect((await edge(signImageUrl(BASE, "a.jpg", { w: 10000 }, SECRET))).statusCode).toBe(400);
    expect((await edge(signImageUrl(BASE, "a.jpg", { preset: "nope" }, SECRET))).statusCode).toBe(400);
    expect((await edge(`${signImageUrl(BASE, "a.jpg", { w: 150 }, SECRET)}&w=4000`)).statusCode).toBe(400);
  });

  it("accepts either key slot, so a new key goes live before the old one is removed", async () => {
    const url = signImageUrl(BASE, "a.jpg", { w: 150 }, SECRET);
    const oldUrl = signImageUrl(BASE, "a.jpg", { w: 150 }, OLD_SECRET);
    const during = signedEdge({ "signing-key-1": OLD_SECRET, "signing-key-2": SECRET });
    expect((await during(url)).statusCode).toBeUndefined();
    expect((await during(oldUrl)).statusCode).toBeUndefined();
    const after = signedEdge({ "signing-key-2": SECRET });
    expect((await after(url)).statusCode).toBeUndefined();
    expect((await after(oldUrl)).statusCode).toBe(403);
    const none = signedEdge({});
    expect((await none(url)).statusCode).toBe(403);
  });

  it("answers CORS preflight without a signature (browsers send none)", async () => {
    const corsEdge = signedEdge({ "signing-key-1": SECRET }, { cors: { allowedOrigins: ["https://shop.example"], maxAgeSeconds: 600 } });
    const answer = await corsEdge(`${BASE}/a.jpg?w=150`, "OPTIONS", { origin: "https://shop.example", "access-control-request-method": "GET" });
    expect(answer.statusCode).toBe(204);
    expect((await corsEdge(`${BASE}/a.jpg?w=150`, "GET")).statusCode).toBe(403);
  });

  it("percent-encodes every path segment and value, keeping '/' between segments", () => {
    const url = signImageUrl(`${BASE}/`, "사진/a b+c%.jpg", { preset: "thumb" }, SECRET, { expires: NOW });
    expect(url).toMatch(/^https:\/\/img\.example\.com\/%EC%82%AC%EC%A7%84\/a%20b%2Bc%25\.jpg\?exp=1800000000&preset=thumb&sig=[0-9a-f]{64}$/);
  });

  it("refuses what it cannot sign, in one line naming it", () => {
    expect(() => signImageUrl(BASE, "/a.jpg", {}, SECRET)).toThrow("key must be an object key without a leading '/'");
    expect(() => signImageUrl(BASE, "a.jpg", { width: 1 } as SignableParams, SECRET)).toThrow(`unknown parameter "width"; allowed: ${SIGNABLE_PARAMS.join(", ")}`);
    expect(() => signImageUrl(BASE, "a.jpg", {}, "")).toThrow("secret must be at least 32 characters (the edge ignores shorter keys), got 0");
    expect(() => signImageUrl(BASE, "a.jpg", {}, "short-secret")).toThrow("secret must be at least 32 characters");
    // The contract's own parser: a value must be one the edge would take as that parameter alone.
    expect(() => signImageUrl(BASE, "a.jpg", { format: "png&q=100&w=4096" }, SECRET)).toThrow('signImageUrl: format must be one of auto, avif, webp, jpeg, png, json, got "png&q=100&w=4096"');
    expect(() => signImageUrl(BASE, "a.jpg", { w: "0150" }, SECRET)).toThrow('signImageUrl: w must be an integer from 1 to 16383, got "0150"');
    expect(() => signImageUrl(BASE, "a.jpg", { w: 20000 }, SECRET)).toThrow("signImageUrl: w must be an integer from 1 to 16383");
    expect(() => signImageUrl(BASE, "a.jpg", { fit: "cover&w=9" }, SECRET)).toThrow("signImageUrl: fit must be one of");
    expect(() => signImageUrl(BASE, "a.jpg", { preset: "Big Thumb" }, SECRET)).toThrow('signImageUrl: preset must be a preset name (a-z, 0-9, \'-\', \'_\'), got "Big Thumb"');
    expect(() => signImageUrl(BASE, "a.jpg", {}, SECRET, { expires: 1.5 })).toThrow("expires must be a Date or whole Unix seconds");
  });

  it("fits CloudFront's 10 KB with signing, CORS and presets", () => {
    const code = viewerRequestFunctionCode(DEFAULT_RESIZER_CONFIG, { signing: true, presets: PRESETS, cors: { allowedOrigins: ["https://shop.example"], maxAgeSeconds: 600 } });
    expect(Buffer.byteLength(code)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
  });
});

describe("image-cdn-kit sign", () => {
  it("prints what signImageUrl gives, the secret from the environment only", () => {
    const now = NOW * 1000;
    expect(signCommand([BASE, "a b.jpg", "--w", "150", "--fit", "cover", "--expires-in", "3600"], { IMAGE_CDN_SIGNING_SECRET: SECRET }, now))
      .toBe(signImageUrl(BASE, "a b.jpg", { w: "150", fit: "cover" }, SECRET, { expires: NOW + 3600 }));
    expect(signCommand([BASE, "a.jpg", "--preset", "thumb"], { IMAGE_CDN_SIGNING_SECRET: SECRET }, now)).toBe(signImageUrl(BASE, "a.jpg", { preset: "thumb" }, SECRET));
  });

  it("refuses a missing secret, an unknown option and a bad expiry", () => {
    expect(() => signCommand([BASE, "a.jpg"], {}, 0)).toThrow("IMAGE_CDN_SIGNING_SECRET, which is not set");
    expect(() => signCommand([BASE, "a.jpg", "--secret", "x"], { IMAGE_CDN_SIGNING_SECRET: SECRET }, 0)).toThrow(/^unknown option --secret; allowed: /);
    expect(() => signCommand([BASE, "a.jpg", "--expires-in", "1h"], { IMAGE_CDN_SIGNING_SECRET: SECRET }, 0)).toThrow('--expires-in must be a whole number of seconds, got "1h"');
    expect(() => signCommand([BASE], { IMAGE_CDN_SIGNING_SECRET: SECRET }, 0)).toThrow("sign takes <base-url> <key>");
  });
});

describe("signing in the synthesized configuration", () => {
  it("off by default: no key value store, no association, no crypto and no store reads", () => {
    const json = synthImageCdn();
    expect(json.resource.aws_cloudfront_key_value_store).toBeUndefined();
    const fn = named(json, "aws_cloudfront_function", "-normalize").resource;
    expect(fn.key_value_store_associations).toBeUndefined();
    // Only the cloudfront module, for the originals' origin.
    expect(String(fn.code).match(/^import .*$/gm)).toEqual(["import cf from 'cloudfront';"]);
    expect(String(fn.code)).not.toContain("kvs");
  });

  it("the app: IMAGE_CDN_SIGNING=true outputs the store's ARN, for the key commands in the README; a wrong value names the variable", () => {
    const app = (env: Record<string, string>) => JSON.parse(Testing.synth(new ImageCdnStack(Testing.app(), resolveAppSettings(settingLookup(env, () => undefined))))) as Synthesized;
    const json = app({ IMAGE_CDN_SIGNING: "true" });
    expect(json.output?.signing_key_value_store_arn?.value).toBe(`\${aws_cloudfront_key_value_store.${Object.keys(json.resource.aws_cloudfront_key_value_store!)[0]}.arn}`);
    expect(app({}).output?.signing_key_value_store_arn).toBeUndefined();
    expect(() => app({ IMAGE_CDN_SIGNING: "yes" })).toThrow(/IMAGE_CDN_SIGNING.*true or false/);
  });

  it("on: an empty key value store associated with the runtime 2.0 function; no secret anywhere in the configuration", () => {
    const json = synthImageCdn({ signing: true });
    const store = only(json, "aws_cloudfront_key_value_store");
    const storeKey = Object.keys(json.resource.aws_cloudfront_key_value_store!)[0];
    const fn = named(json, "aws_cloudfront_function", "-normalize").resource;
    // "Associate a key value store with a function": one store per function, JavaScript runtime 2.0 only.
    expect(fn.runtime).toBe("cloudfront-js-2.0");
    expect(fn.key_value_store_associations).toEqual([`\${aws_cloudfront_key_value_store.${storeKey}.arn}`]);
    expect(String(fn.code).startsWith(SIGNING_IMPORTS)).toBe(true);
    expect(store.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    // Keys written by Terraform would sit in plain text in the state: none here, and no variable to carry one.
    expect(json.resource.aws_cloudfrontkeyvaluestore_key).toBeUndefined();
    expect(json.resource.aws_cloudfrontkeyvaluestore_keys_exclusive).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/"variable"/);
  });
});
