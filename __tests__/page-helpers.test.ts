/**
 * The page-side helpers (modules/page, `image-cdn-kit/page`): their URLs are the spelling the edge caches (the edge
 * itself is run on them: no redirect, and the query is its x-resize-params), srcset and <img> attributes, the errors,
 * and the browser bundle: the compiled module requires the resizer core's pure contract, parser and size plan only.
 */
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { buildSync } from "esbuild";
import { DEFAULT_RESIZER_CONFIG, MAX_DIMENSION, RESIZE_PARAMS, RESIZE_PARAMS_HEADER, urlPathOfKey, type ResizerConfig, type ResizeValues } from "../lambda-src/core/contract";
import { signImageUrl } from "../modules/construct/signing";
import { ORIGINALS_ORIGIN_ID, RESIZER_ORIGIN_ID, viewerRequestFunctionCode } from "../modules/edge/viewer-request-function";
import { imageSrcSet, imageUrl, imgAttributes, type PageParams } from "../modules/page";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, runFunctionCode, type CfRequest, type CfResponse } from "../scripts/preview/cloudfront-function";

const BASE = "https://img.example.com";
const ROOT = join(__dirname, "..");
// The broadest deployment, so that every value the page helpers accept is one the edge takes.
const CONFIG: ResizerConfig = { ...DEFAULT_RESIZER_CONFIG, maxWidth: MAX_DIMENSION, maxHeight: MAX_DIMENSION };
const PRESETS: Record<string, ResizeValues> = { thumb: { w: 150, h: 150, fit: "cover" }, card: { w: 640, format: "webp", q: 70 }, hero: { w: 1600, fit: "inside" } };

/** The kit's viewer-request function as CloudFront runs it, on the URL a page would request. */
function edge() {
  const presets = Object.fromEntries(Object.entries(PRESETS).map(([name, values]) => [name, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]))]));
  const cloudfront = cloudfrontModule({ origins: [RESIZER_ORIGIN_ID, ORIGINALS_ORIGIN_ID] });
  const code = viewerRequestFunctionCode(CONFIG, { originalsOriginId: ORIGINALS_ORIGIN_ID, presets });
  const handler = runFunctionCode<{ version: string; request: CfRequest }, CfRequest | CfResponse>(code, { modules: { cloudfront: cloudfront.module } });
  return (url: string) => {
    const { path, query } = split(url);
    return cloudfront.track(() => handler({ version: "1.0", request: { method: "GET", uri: path, querystring: cloudFrontQuery(query), headers: cloudFrontHeaders({ accept: "image/avif" }) } })).result;
  };
}

/** Path and query of a URL the helpers wrote: a key's '?' and '#' are percent-encoded, so the first '?' starts the query. */
function split(url: string): { path: string; query: string } {
  expect(url.startsWith(BASE)).toBe(true);
  const rest = url.slice(BASE.length);
  const at = rest.indexOf("?");
  return at < 0 ? { path: rest, query: "" } : { path: rest.slice(0, at), query: rest.slice(at + 1) };
}

function passed(result: CfRequest | CfResponse): CfRequest {
  expect("statusCode" in result ? result.statusCode : "passed").toBe("passed");
  return result as CfRequest;
}

describe("imageUrl: the spelling the edge caches", () => {
  const run = edge();
  const KEYS = ["a.jpg", "photos/cat 1.jpg", "photos/what?.jpg", "photos/#1.png", "100%/pure.jpg", "plus+sign.jpg", "사진/고양이.jpg", "emoji/🐱.webp", "a//b.jpg"];
  const PARAMS: ResizeValues[] = [
    { w: 500 },
    { h: 150, w: 150 },
    { w: 500, fit: "inside", format: "webp", q: 60 },
    { format: "avif", h: 300 },
    { w: MAX_DIMENSION, h: MAX_DIMENSION, fit: "contain", format: "png" },
    { q: 1 },
    { w: 300, h: 200, dpr: 2, pos: "attention" },
    { w: 320, dpr: 2.625, fx: 0.333, fy: 0.8 },
    { rotate: 90, flip: "1", flop: "1", blur: 1.74, sharpen: 1, bg: "FF8000", fit: "contain", w: 64, h: 64 },
  ];

  it.each(KEYS.flatMap((key) => PARAMS.map((params) => [key, params] as const)))("%s %j: no redirect, and the query is the edge's x-resize-params", (key, params) => {
    const url = imageUrl(key, params, { base: BASE });
    const { path, query } = split(url);
    expect(path).toBe(urlPathOfKey(key));
    const request = passed(run(url));
    expect(request.uri).toBe(path);
    expect(request.headers[RESIZE_PARAMS_HEADER]?.value).toBe(query);
  });

  it.each([
    [{ w: 500, fit: "cover", format: "auto" }, "w=500"],
    [{ fit: "cover" }, "format=auto"],
    [{ format: "auto" }, "format=auto"],
    [{ fit: "cover", format: "auto", h: 20 }, "h=20"],
    [{ w: 300, dpr: 2 }, "w=600"],
    [{ dpr: 1, pos: "center", w: 10 }, "w=10"],
    [{ bg: "FF0000", fit: "contain", w: 10 }, "bg=f00&fit=contain&w=10"],
  ] as [ResizeValues, string][])("drops the fixed defaults as the edge does: %j -> %s", (params, query) => {
    const url = imageUrl("a.jpg", params, { base: BASE });
    expect(url).toBe(`${BASE}/a.jpg?${query}`);
    expect(passed(run(url)).headers[RESIZE_PARAMS_HEADER]?.value).toBe(query);
  });

  it("w=auto (client hints) is spelled as it is, dpr dropped beside it; the deployment's edge resolves it", () => {
    expect(imageUrl("a.jpg", { w: "auto", dpr: 2, format: "webp" }, { base: BASE })).toBe(`${BASE}/a.jpg?format=webp&w=auto`);
    expect(() => imageSrcSet("a.jpg", { presets: { hero: { w: "auto" } }, base: BASE })).toThrow("imageSrcSet: preset hero has no w in pixels, which its srcset width descriptor needs");
  });

  it("keeps q as given: its default is the deployment's, which the edge drops from the cache key (one entry either way)", () => {
    const url = imageUrl("a.jpg", { w: 500, q: CONFIG.defaultQuality }, { base: BASE });
    expect(url).toBe(`${BASE}/a.jpg?q=${CONFIG.defaultQuality}&w=500`);
    expect(passed(run(url)).headers[RESIZE_PARAMS_HEADER]?.value).toBe("w=500");
  });

  it("spells the path as urlPathOfKey, trims the base's trailing slashes, and without parameters names the original", () => {
    expect(imageUrl("photos/what?#100%.jpg", { w: 10 }, { base: `${BASE}//` })).toBe(`${BASE}/photos/what%3F%23100%25.jpg?w=10`);
    expect(imageUrl("사진 1.jpg", {}, { base: BASE })).toBe(`${BASE}/%EC%82%AC%EC%A7%84%201.jpg`);
    const original = imageUrl("photos/cat 1.jpg", {}, { base: BASE });
    expect(original).toBe(`${BASE}/photos/cat%201.jpg`);
    const request = passed(run(original));
    expect(request.headers[RESIZE_PARAMS_HEADER]).toBeUndefined();
  });

  it("a preset: ?preset=<name> alone, which the edge expands to the same cache key as its parameters", () => {
    for (const [name, values] of Object.entries(PRESETS)) {
      const url = imageUrl("photos/cat 1.jpg", { preset: name }, { base: BASE });
      expect(url).toBe(`${BASE}/photos/cat%201.jpg?preset=${name}`);
      expect(passed(run(url)).headers[RESIZE_PARAMS_HEADER]?.value).toBe(split(imageUrl("a.jpg", values, { base: BASE })).query);
    }
  });
});

describe("imageSrcSet", () => {
  it("widths: one candidate each with params, ascending, w descriptors, duplicates once", () => {
    expect(imageSrcSet("photos/cat 1.jpg", { widths: [1280, 320, 640, 320], params: { format: "webp", fit: "inside", h: 2000 }, base: BASE })).toBe(
      [320, 640, 1280].map((w) => `${BASE}/photos/cat%201.jpg?fit=inside&format=webp&h=2000&w=${w} ${w}w`).join(", "),
    );
  });

  it("presets: ?preset=<name>, described by each preset's w, ascending", () => {
    expect(imageSrcSet("a.jpg", { presets: PRESETS, base: BASE })).toBe(`${BASE}/a.jpg?preset=thumb 150w, ${BASE}/a.jpg?preset=card 640w, ${BASE}/a.jpg?preset=hero 1600w`);
  });
});

describe("imgAttributes", () => {
  it("src is the widest candidate; sizes defaults to 100vw; no width/height without the image's facts", () => {
    expect(imgAttributes("a.jpg", { widths: [320, 640], base: BASE })).toEqual({
      src: `${BASE}/a.jpg?w=640`,
      srcset: `${BASE}/a.jpg?w=320 320w, ${BASE}/a.jpg?w=640 640w`,
      sizes: "100vw",
    });
    expect(imgAttributes("a.jpg", { widths: [320], base: BASE, sizes: "(min-width: 800px) 50vw, 100vw" }).sizes).toBe("(min-width: 800px) 50vw, 100vw");
  });

  it.each([
    ["scaled to the widest width", { widths: [320, 640] }, { displayWidth: 4000, displayHeight: 3000 }, { width: 640, height: 480 }],
    ["never enlarged: the original's own size", { widths: [320, 6000] }, { displayWidth: 1000, displayHeight: 750 }, { width: 1000, height: 750 }],
    ["a cover box", { widths: [100, 300], params: { h: 300 } }, { displayWidth: 4000, displayHeight: 3000 }, { width: 300, height: 300 }],
    ["a cover box larger than the original keeps its shape", { widths: [800], params: { h: 800 } }, { displayWidth: 600, displayHeight: 400 }, { width: 400, height: 400 }],
    ["inside a box", { widths: [500], params: { h: 500, fit: "inside" } }, { displayWidth: 2000, displayHeight: 1000 }, { width: 500, height: 250 }],
    ["the widest preset's parameters", { presets: PRESETS }, { displayWidth: 3200, displayHeight: 1800 }, { width: 1600, height: 900 }],
  ] as const)("width and height from the image's facts: %s", (_name, set, image, size) => {
    const { src, srcset, sizes, ...rest } = imgAttributes("a.jpg", { ...set, base: BASE, image });
    expect([src, srcset, sizes]).toEqual([expect.any(String), expect.any(String), "100vw"]);
    expect(rest).toEqual(size);
  });
});

describe("sign: the caller's signer writes every URL", () => {
  const SECRET = "9f2c1e7b0d4a6f3e8c5b2a1d0e9f8c7b";
  const sign = jest.fn((key: string, params: Parameters<typeof signImageUrl>[2]) => signImageUrl(BASE, key, params, SECRET));

  it("is given the key and the canonical parameters (or the preset) for each URL", () => {
    sign.mockClear();
    const attributes = imgAttributes("photos/cat 1.jpg", { widths: [640, 320], params: { fit: "cover", format: "webp" }, sign });
    expect(sign.mock.calls).toEqual([
      ["photos/cat 1.jpg", { format: "webp", w: "640" }],
      ["photos/cat 1.jpg", { format: "webp", w: "320" }],
    ]);
    expect(attributes.src).toBe(signImageUrl(BASE, "photos/cat 1.jpg", { format: "webp", w: 640 }, SECRET));
    expect(attributes.srcset.split(", ").map((candidate) => candidate.split(" ")[0])).toEqual([320, 640].map((w) => signImageUrl(BASE, "photos/cat 1.jpg", { format: "webp", w }, SECRET)));
    expect(imageSrcSet("a.jpg", { presets: { thumb: PRESETS.thumb! }, sign })).toBe(`${signImageUrl(BASE, "a.jpg", { preset: "thumb" }, SECRET)} 150w`);
    expect(imageUrl("a.jpg", { w: 10 }, { sign: (key, params) => `signed:${key}:${JSON.stringify(params)}` })).toBe('signed:a.jpg:{"w":"10"}');
  });
});

describe("errors name the parameter and what is allowed", () => {
  const url = (params: unknown) => () => imageUrl("a.jpg", params as PageParams, { base: BASE });
  it.each([
    [url({ width: 100 }), `imageUrl: unknown parameter "width"; allowed: ${RESIZE_PARAMS.join(", ")} (or preset alone)`],
    [url({ w: 0 }), 'imageUrl: w must be an integer from 1 to 16383, got "0"'],
    [url({ w: MAX_DIMENSION + 1 }), 'imageUrl: w must be an integer from 1 to 16383, got "16384"'],
    [url({ h: 1.5 }), 'imageUrl: h must be an integer from 1 to 16383, got "1.5"'],
    [url({ w: "500" }), 'imageUrl: w must be a number, got "500"'],
    [url({ q: 101 }), 'imageUrl: q must be an integer from 1 to 100, got "101"'],
    [url({ fit: "crop" }), 'imageUrl: fit must be one of cover, contain, fill, inside, outside, got "crop"'],
    [url({ format: "gif" }), 'imageUrl: format must be one of auto, avif, webp, jpeg, png, json, got "gif"'],
    [url({ preset: "Thumb" }), 'imageUrl: preset must be a preset name (^[a-z0-9][a-z0-9_-]{0,31}$), got "Thumb"'],
    [url({ preset: "thumb", w: 10 }), "imageUrl: a preset takes no other parameter, got w"],
    [() => imageUrl("/a.jpg", {}, { base: BASE }), `imageUrl: key must be an object key without a leading '/', got "/a.jpg"`],
    [() => imageUrl("a.jpg", {}, {} as { base: string }), "imageUrl: give base (the distribution's URL) or sign"],
    [() => imageSrcSet("a.jpg", { widths: [320, 0], base: BASE }), "imageSrcSet: widths must be positive integers, got 0"],
    [() => imageSrcSet("a.jpg", { widths: [320], params: { dpr: 2 }, base: BASE }), "imageSrcSet: params.dpr conflicts with widths (the browser chooses a width for its DPR)"],
    [() => imageSrcSet("a.jpg", { widths: [320.5], base: BASE }), "imageSrcSet: widths must be positive integers, got 320.5"],
    [() => imageSrcSet("a.jpg", { widths: [20000], base: BASE }), 'imageSrcSet: w must be an integer from 1 to 16383, got "20000"'],
    [() => imageSrcSet("a.jpg", { widths: [], base: BASE }), "imageSrcSet: widths or presets must not be empty"],
    [() => imageSrcSet("a.jpg", { widths: [320], params: { w: 10 }, base: BASE }), "imageSrcSet: params.w conflicts with widths (each width is a w)"],
    [() => imageSrcSet("a.jpg", { presets: { "Big Hero": { w: 10 } }, base: BASE }), 'imageSrcSet: preset must be a preset name (^[a-z0-9][a-z0-9_-]{0,31}$), got "Big Hero"'],
    [() => imageSrcSet("a.jpg", { presets: { tall: { h: 10 } }, base: BASE }), "imageSrcSet: preset tall has no w in pixels, which its srcset width descriptor needs"],
    [() => imageSrcSet("a.jpg", { presets: { a: { w: 10 }, b: { w: 10, q: 50 } }, base: BASE }), "imageSrcSet: presets a and b have the same w (10); a srcset takes one candidate per width"],
    [() => imageSrcSet("a.jpg", { presets: { a: { w: 10, fit: "x" as "cover" } }, base: BASE }), 'imageSrcSet: preset a: fit must be one of cover, contain, fill, inside, outside, got "x"'],
    [() => imageSrcSet("a.jpg", { presets: PRESETS, params: { q: 5 }, base: BASE } as unknown as Parameters<typeof imageSrcSet>[1]), "imageSrcSet: a preset takes no other parameter: give params with widths, not presets"],
    [() => imageSrcSet("a.jpg", { base: BASE } as unknown as Parameters<typeof imageSrcSet>[1]), "imageSrcSet: give widths or presets"],
    [() => imgAttributes("a.jpg", { widths: [10], base: BASE, image: { displayWidth: 0, displayHeight: 10 } }), "imgAttributes: image.displayWidth must be a positive integer, got 0"],
  ].map(([call, message]) => [message, call] as [string, () => unknown]))("%s", (message, call) => {
    expect(call).toThrow(new Error(message));
  });
});

describe("in a browser bundle", () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "page-"));
    // Compiled as the package build compiles it (tsconfig.build.json's options), the page module and what it imports.
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "--outDir", out, "--rootDir", ROOT, "--module", "commonjs", "--target", "ES2022", "--strict", "--skipLibCheck", "--types", "node", join(ROOT, "modules/page/index.ts")]);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("requires the pure contract, parser and size plan only: no node:, cdktf or sharp, small, and runs without Node's globals", () => {
    const result = buildSync({ entryPoints: [join(out, "modules/page/index.js")], bundle: true, platform: "browser", format: "iife", globalName: "page", minify: true, write: false, metafile: true });
    const inputs = Object.keys(result.metafile.inputs).map((input) => input.replace(/\\/g, "/").replace(/^.*?\/(modules|lambda-src)\//, "$1/")).sort();
    expect(inputs).toEqual(["lambda-src/core/contract.js", "lambda-src/core/errors.js", "lambda-src/core/params.js", "lambda-src/core/plan.js", "modules/page/index.js"]);
    const code = result.outputFiles[0]!.text;
    // No module left to load at run time, and no name of one ("sharp's fit" in a parameter's doc is prose).
    expect(code).not.toMatch(/require\(|import\(|node:|cdktf|["']sharp["']/);
    // The contract's tables ride along (their doc strings and the error reasons are most of it): about 7 KB gzipped.
    console.log(`image-cdn-kit/page browser bundle: ${code.length} bytes minified, ${gzipSync(code).length} gzipped`);
    expect(gzipSync(code).length).toBeLessThan(8_000);
    // A browser's globals the module may use (URLSearchParams, in every browser), and none of Node's.
    const sandbox: { page?: typeof import("../modules/page"); URLSearchParams: typeof URLSearchParams } = { URLSearchParams };
    runInNewContext(code, sandbox);
    expect(sandbox.page?.imageUrl("a b.jpg", { w: 10, fit: "cover" }, { base: BASE })).toBe(`${BASE}/a%20b.jpg?w=10`);
  });

  it("the compiled module is the one package.json exports as ./page", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown>; typesVersions: Record<string, Record<string, string[]>> };
    expect(pkg.exports["./page"]).toEqual({ types: "./dist/modules/page/index.d.ts", default: "./dist/modules/page/index.js" });
    // Consumers resolving without "exports" (moduleResolution node10, the CommonJS default) find the types here.
    expect(pkg.typesVersions["*"]?.page).toEqual(["dist/modules/page/index.d.ts"]);
  });
});
