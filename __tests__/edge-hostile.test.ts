/**
 * The viewer-request function attacked as an outsider would: every spelling of a key's path, signatures carried
 * over to other requests, empty key slots. The shipped (minified) code runs as CloudFront runs it.
 */
import { createHmac } from "node:crypto";
import crypto from "node:crypto";
import { DEFAULT_RESIZER_CONFIG, urlPathOfKey } from "../lambda-src/core/contract";
import { invalidationPaths } from "../lambda-src/purge";
import { ORIGINALS_ORIGIN_ID, RESIZER_ORIGIN_ID, viewerRequestFunctionCode } from "../modules/edge/viewer-request-function";
import { signImageUrl } from "../modules/construct/signing";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, runFunctionCode, type CfRequest, type CfResponse } from "../scripts/preview/cloudfront-function";

const SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
type Result = CfRequest | CfResponse;

function edge(options: { signing?: boolean; slots?: Record<string, string> } = {}) {
  const kvs = { get: async (key: string) => { const value = options.slots?.[key]; if (value === undefined) throw new Error("not found"); return value; } };
  const cloudfront = cloudfrontModule({ origins: [RESIZER_ORIGIN_ID, ORIGINALS_ORIGIN_ID], kvs });
  const code = viewerRequestFunctionCode(DEFAULT_RESIZER_CONFIG, { originalsOriginId: ORIGINALS_ORIGIN_ID, signing: options.signing });
  const handler = runFunctionCode<{ version: string; request: CfRequest }, Result | Promise<Result>>(code, { modules: { cloudfront: cloudfront.module, crypto } });
  return async (uri: string, query = "", headers: Record<string, string> = {}): Promise<Result> =>
    handler({ version: "1.0", request: { method: "GET", uri, querystring: cloudFrontQuery(query), headers: cloudFrontHeaders(headers) } });
}

/** The ways to write one character in a URL path: as is (where a URL may carry it raw), %XX and %xx. */
function forms(ch: string): string[] {
  const hex = [...Buffer.from(ch)].map((b) => b.toString(16).padStart(2, "0"));
  return [...new Set([/[A-Za-z0-9._~!$&'()*+,;=:@/-]/.test(ch) ? ch : encodeURIComponent(ch), hex.map((h) => `%${h.toUpperCase()}`).join(""), hex.map((h) => `%${h}`).join("")])];
}

/**
 * Paths spelling `key` (the leading '/' is the path's own): every combination while there are at most `limit`,
 * else `limit` of them drawn with a fixed seed, so a run is repeatable.
 */
function spellings(key: string, limit = 5_000): string[] {
  const choices = [...key].map(forms);
  const total = choices.reduce((n, c) => n * c.length, 1);
  if (total <= limit) {
    let all = [""];
    for (const options of choices) all = all.flatMap((prefix) => options.map((form) => prefix + form));
    return all.map((path) => `/${path}`);
  }
  // mulberry32: a small PRNG with a fixed seed, in 32-bit integer arithmetic.
  let seed = 42;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const drawn = new Set([urlPathOfKey(key)]);
  while (drawn.size < limit) drawn.add(`/${choices.map((options) => options[Math.floor(next() * options.length)]).join("")}`);
  return [...drawn];
}

const isResponse = (r: Result): r is CfResponse => "statusCode" in r;

describe("one URL spelling per key", () => {
  const run = edge();

  it.each(["photo.jpg", "photos/cat.jpg", "my photos/a+b (1).jpg", "사진.jpg"])("every spelling of %j reaches the cache as one URI, or is redirected to it", async (key) => {
    const canonical = urlPathOfKey(key);
    const all = spellings(key);
    const reached = new Set<string>();
    let redirected = 0;
    for (const spelling of all) {
      const result = await run(spelling, "w=150");
      if (isResponse(result)) {
        expect({ spelling, status: result.statusCode, location: result.headers?.location?.value }).toEqual({ spelling, status: 301, location: `${canonical}?w=150` });
        redirected += 1;
      } else {
        reached.add(result.uri);
      }
    }
    expect([...reached]).toEqual([canonical]);
    expect(redirected).toBe(all.filter((path) => path !== canonical).length);
    // The purge of this key clears the one spelling that can be cached.
    expect(invalidationPaths(key)).toContain(canonical);
  });

  it("counts the spellings of photo.jpg that used to be separate cache entries", async () => {
    const all = spellings("photo.jpg", 20_000);
    expect(all.length).toBeGreaterThan(2000);
    const results = await Promise.all(all.map((spelling) => run(spelling)));
    expect(results.filter((r) => !isResponse(r))).toHaveLength(1);
  });

  it("redirects a slash spelled %2F to the path with its segments, keeping every query parameter as sent", async () => {
    const result = (await run("/photos%2Fcat.jpg", "w=150&h=150&utm=a%20b&w=2")) as CfResponse;
    expect(result.statusCode).toBe(301);
    expect(result.headers?.location?.value).toBe("/photos/cat.jpg?w=150&w=2&h=150&utm=a%20b");
  });

  it("answers an undecodable path with 400, not a guess", async () => {
    for (const bad of ["/%E0%A4%A.jpg", "/%zz.jpg", "/%"]) {
      const result = (await run(bad)) as CfResponse;
      expect({ bad, status: result.statusCode, body: (result.body as { data: string }).data.trim() }).toEqual({ bad, status: 400, body: "the path is not valid percent-encoding" });
    }
  });

  it("checks the spelling before the signature: another spelling of a signed URL is redirected, and verifies there", async () => {
    const signed = edge({ signing: true, slots: { "signing-key-1": SECRET } });
    const url = new URL(signImageUrl("https://img.example.com", "photos/a+b.jpg", { w: 150 }, SECRET));
    expect(url.pathname).toBe("/photos/a%2Bb.jpg");
    const other = (await signed("/photos/a+b.jpg", url.search.slice(1))) as CfResponse;
    expect(other.statusCode).toBe(301);
    const followed = await signed(other.headers!.location!.value.split("?")[0]!, other.headers!.location!.value.split("?")[1]);
    expect(isResponse(followed)).toBe(false);
  });
});

describe("signatures that must not carry over", () => {
  // Before, { format: "png&q=100&w=4096" } was signed as the text "format=png&q=100&w=4096": the very text of
  // three parameters, so the signature served a 4096-wide variant at q=100. Now the signer refuses the value, and
  // a value is signed encoded: the same value signed any other way cannot pass for the three.
  it("a signature over one value cannot be used for the parameters the value spells", async () => {
    const signed = edge({ signing: true, slots: { "signing-key-1": SECRET } });
    expect(() => signImageUrl("https://img.example.com", "a.jpg", { format: "png&q=100&w=4096" }, SECRET)).toThrow(/format must be one of/);
    const oneValue = createHmac("sha256", SECRET).update(`/a.jpg\nformat=${encodeURIComponent("png&q=100&w=4096")}`).digest("hex");
    expect(((await signed("/a.jpg", `format=png&q=100&w=4096&sig=${oneValue}`)) as CfResponse).statusCode).toBe(403);
    // It still signs that one value, as encoded in the URL (and the normalizer then refuses the value).
    expect(((await signed("/a.jpg", `format=png%26q%3D100%26w%3D4096&sig=${oneValue}`)) as CfResponse).statusCode).toBe(400);
  });

  it("a path that does not start with '/' is refused", async () => {
    const result = (await edge()("%2Fphoto.jpg")) as CfResponse;
    expect(result.statusCode).toBe(400);
  });

  it.each([["an empty slot", ""], ["a 31-character slot", "x".repeat(31)]])("ignores %s: a URL signed with it is refused", async (_what, weak) => {
    const signed = edge({ signing: true, slots: { "signing-key-1": weak } });
    const sig = createHmac("sha256", weak).update("/a.jpg\nw=150").digest("hex");
    expect(((await signed("/a.jpg", `w=150&sig=${sig}`)) as CfResponse).statusCode).toBe(403);
  });

  it("takes a 32-character key", async () => {
    const key = "k".repeat(32);
    const signed = edge({ signing: true, slots: { "signing-key-2": key } });
    const url = new URL(signImageUrl("https://img.example.com", "a.jpg", { w: 150 }, key));
    expect(isResponse(await signed(url.pathname, url.search.slice(1)))).toBe(false);
  });
});
