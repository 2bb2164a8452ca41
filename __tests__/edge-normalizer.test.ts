import { DEFAULT_RESIZER_CONFIG, RESIZE_PARAMS, type ResizerConfig } from "../lambda-src/core/contract";
import { parseResizeQuery } from "../lambda-src/core/params";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, runFunctionCode, type CfHeaders, type CfRequest } from "../scripts/preview/cloudfront-function";
import { transformSync } from "esbuild";
import {
  CLOUDFRONT_FUNCTION_MAX_BYTES,
  EDGE_ESBUILD_OPTIONS,
  EMPTY_CONFIG,
  edgeScriptSource,
  ORIGINALS_ORIGIN_ID,
  RESIZER_ORIGIN_ID,
  VIEWER_RESPONSE_CODE,
  viewerRequestFunctionCode,
  type EdgeCors,
  type EdgeOptions,
} from "../modules/edge/viewer-request-function";

/** The refusals and preflight answers of the kit's function: headers and an encoded body always. */
type CfResponse = { statusCode: number; headers: CfHeaders; body: { encoding: string; data: string } };

const CONFIG: ResizerConfig = { ...DEFAULT_RESIZER_CONFIG, maxWidth: 2000, maxHeight: 2000 };

/**
 * Runs the generated function source the way CloudFront does: a bare script that defines handler(event), with
 * runtime 2.0's `cloudfront` module for a distribution holding the kit's two origins. Originals are served
 * unless the options say otherwise. `route` also tells which origin the invocation chose.
 */
function routedEdge(config: ResizerConfig = CONFIG, cors?: EdgeCors, options: Omit<EdgeOptions, "cors"> = {}) {
  const cloudfront = cloudfrontModule({ origins: [RESIZER_ORIGIN_ID, ORIGINALS_ORIGIN_ID] });
  const code = viewerRequestFunctionCode(config, { cors, originalsOriginId: ORIGINALS_ORIGIN_ID, ...options });
  const handler = runFunctionCode<{ version: string; request: CfRequest }, CfRequest | CfResponse>(code, { modules: { cloudfront: cloudfront.module } });
  return (rawQuery: string, headers: Record<string, string> = {}, method = "GET") => {
    const { result, choice } = cloudfront.track(() => handler({ version: "1.0", request: { method, uri: "/a.jpg", querystring: cloudFrontQuery(rawQuery), headers: cloudFrontHeaders(headers) } }));
    return { result, origin: choice.origin };
  };
}

function edge(config: ResizerConfig = CONFIG, cors?: EdgeCors, options: Omit<EdgeOptions, "cors"> = {}) {
  const route = routedEdge(config, cors, options);
  return (rawQuery: string, headers: Record<string, string> = {}, method = "GET") => route(rawQuery, headers, method).result;
}

function isResponse(result: CfRequest | CfResponse): result is CfResponse {
  return "statusCode" in result;
}

/**
 * The normalized parameters the origin receives: the x-resize-params header alone. The query string is
 * emptied (and the cache policy forwards none), so the origin never parses a URL for parameters.
 */
function queryOf(result: CfRequest): string {
  expect(result.querystring).toEqual({});
  return result.headers["x-resize-params"]?.value ?? "";
}

describe("viewer-request CloudFront Function", () => {
  const run = edge();

  it.each([
    ["w=150&h=150", "h=150&w=150"],
    ["h=150&w=150&utm_source=mail&cb=123", "h=150&w=150"],
    ["w=500&fit=cover&format=auto&q=80", "w=500"],
    ["w=500&fit=inside&format=webp&q=60", "fit=inside&format=webp&q=60&w=500"],
    ["fit=cover", "format=auto"],
    ["q=80", "format=auto"],
    ["format=auto", "format=auto"],
    ["w=%31%35%30", "w=150"],
    ["w=300&dpr=2", "w=600"],
    ["w=300&h=100&dpr=2.625", "h=250&w=750"],
    ["w=1500&dpr=2", "w=2000"],
    ["dpr=2", "format=auto"],
    ["fx=0.333&fy=0.5", "fx=0.35&fy=0.5"],
    ["bg=FF0000&fit=contain&w=10", "bg=f00&fit=contain&w=10"],
    ["pos=center&w=10", "w=10"],
    ["rotate=90&flip=1", "flip=1&rotate=90"],
    ["blur=1.74", "blur=1.5"],
    ["", ""],
    ["random=1", ""],
  ])("normalizes %j to %j", (input, expected) => {
    const result = run(input);
    expect(isResponse(result)).toBe(false);
    expect(queryOf(result as CfRequest)).toBe(expected);
  });

  it.each([
    ["w=abc", 'w must be an integer from 1 to 2000, got "abc"'],
    ["w=0", 'w must be an integer from 1 to 2000, got "0"'],
    ["w=2001", 'w must be an integer from 1 to 2000, got "2001"'],
    ["h=015", 'h must be an integer from 1 to 2000, got "015"'],
    ["q=101", 'q must be an integer from 1 to 100, got "101"'],
    ["w=", "w must not be empty"],
    ["w=1&w=2", "w must be given at most once, got 2 values"],
    ["fit=stretch", 'fit must be one of cover, contain, fill, inside, outside, got "stretch"'],
    ["format=gif", 'format must be one of auto, avif, webp, jpeg, png, json, got "gif"'],
    ["w=%E0%A4%A", "w is not valid percent-encoding"],
  ])("answers 400 itself for %j", (input, reason) => {
    const result = run(input);
    expect(isResponse(result)).toBe(true);
    const response = result as CfResponse;
    expect(response.statusCode).toBe(400);
    expect(response.body.data.trim()).toBe(reason);
    expect(response.headers["cache-control"]?.value).toBe("public, max-age=10");
  });

  it.each([
    ["image/avif,image/webp,image/apng,*/*;q=0.8", "avif"],
    ["image/webp,*/*", "webp"],
    ["image/avif;q=0,image/webp", "webp"],
    ["*/*", "none"],
    [undefined, "none"],
  ])("reduces Accept %j to the token %j for auto format", (accept, token) => {
    const result = run("w=100", accept === undefined ? {} : { accept }) as CfRequest;
    expect(result.headers["x-resize-accept"]).toEqual({ value: token });
  });

  it("sends no Accept token when the format is explicit or the original is asked for, and drops a forged one", () => {
    const explicit = run("w=100&format=jpeg", { accept: "image/avif", "x-resize-accept": "avif" }) as CfRequest;
    expect(explicit.headers["x-resize-accept"]).toBeUndefined();
    const original = run("", { accept: "image/avif", "x-resize-accept": "webp" }) as CfRequest;
    expect(original.headers["x-resize-accept"]).toBeUndefined();
  });

  // CloudFront's cache policy with compression off forwards no Accept-Encoding to the origin
  // (API_ParametersInCacheKeyAndForwardedToOrigin); the function drops it too, should that ever change.
  it("drops Accept-Encoding before the origin", () => {
    const result = run("w=150", { "accept-encoding": "gzip, br" }) as CfRequest;
    expect(result.headers["accept-encoding"]).toBeUndefined();
  });

  it("drops a forged x-resize-params: only the edge writes it, from the query it validated", () => {
    const forged = run("", { "x-resize-params": "w=4000&q=100" }) as CfRequest;
    expect(forged.headers["x-resize-params"]).toBeUndefined();
    const replaced = run("w=150", { "x-resize-params": "w=4000" }) as CfRequest;
    expect(replaced.headers["x-resize-params"]).toEqual({ value: "w=150" });
  });

  it("enforces the allow-lists written in at synth", () => {
    const strict = edge({ ...CONFIG, allowedWidths: [150, 500], allowedHeights: [150, 700] });
    expect(queryOf(strict("w=500&h=700") as CfRequest)).toBe("h=700&w=500");
    expect((strict("w=300") as CfResponse).body.data.trim()).toBe('w must be one of 150, 500, got "300"');
  });

  // CloudFront forwards OPTIONS to the origin (the response headers policy only adds headers to what comes
  // back), and neither origin answers a preflight: with CORS set, the function answers it at the edge.
  describe("CORS preflight (OPTIONS) with cors set", () => {
    const cors = edge(CONFIG, { allowedOrigins: ["https://app.example.com"], maxAgeSeconds: 600 });
    const preflight = (origin: string, method = "GET", extra: Record<string, string> = {}) =>
      cors("", { origin, "access-control-request-method": method, ...extra }, "OPTIONS") as CfResponse;

    it("allows an allowed origin for GET and HEAD, echoing the asked headers", () => {
      const answer = preflight("https://app.example.com", "GET", { "access-control-request-headers": "x-requested-with" });
      expect(answer.statusCode).toBe(204);
      expect(answer.headers).toEqual({
        vary: { value: "Origin" },
        "access-control-allow-origin": { value: "https://app.example.com" },
        "access-control-allow-methods": { value: "GET, HEAD" },
        "access-control-allow-headers": { value: "x-requested-with" },
        "access-control-max-age": { value: "600" },
      });
    });

    it.each([["https://evil.example.net", "GET"], ["https://app.example.com", "PUT"]])("grants nothing to %s with %s", (origin, method) => {
      expect(preflight(origin, method).headers).toEqual({ vary: { value: "Origin" } });
    });

    it("allows any origin with [\"*\"]", () => {
      const any = edge(CONFIG, { allowedOrigins: ["*"], maxAgeSeconds: 60 });
      const answer = any("", { origin: "https://x.example", "access-control-request-method": "HEAD" }, "OPTIONS") as CfResponse;
      expect(answer.headers["access-control-allow-origin"]).toEqual({ value: "*" });
    });

    it("still normalizes GET requests", () => {
      expect(queryOf(cors("w=150&fit=cover") as CfRequest)).toBe("w=150");
    });
  });

  describe("presets", () => {
    const presets = { thumb: { fit: "cover", h: "150", w: "150" }, detail: { fit: "inside", h: "700", w: "500" }, "hero-avif": { format: "avif", q: "60", w: "1600" } };
    const withPresets = edge(CONFIG, undefined, { presets });
    const strict = edge(CONFIG, undefined, { presets, onlyPresets: true });

    it("expands a preset into the same normalized parameters as its explicit form: one cache entry", () => {
      const thumb = withPresets("preset=thumb", { accept: "image/webp" }) as CfRequest;
      const explicit = withPresets("w=150&h=150&fit=cover", { accept: "image/webp" }) as CfRequest;
      expect(queryOf(thumb)).toBe("h=150&w=150");
      expect(queryOf(thumb)).toBe(queryOf(explicit));
      expect(thumb.headers["x-resize-accept"]).toEqual(explicit.headers["x-resize-accept"]);
      expect(queryOf(withPresets("preset=detail") as CfRequest)).toBe("fit=inside&h=700&w=500");
      expect(queryOf(withPresets("preset=hero-avif") as CfRequest)).toBe("format=avif&q=60&w=1600");
    });

    it.each([
      ["preset=huge", 'preset must be one of thumb, detail, hero-avif, got "huge"'],
      ["preset=thumb&w=300", "preset takes no other parameter, got w"],
      ["preset=thumb&preset=detail", "preset must be given at most once"],
    ])("answers 400 itself for %j", (input, reason) => {
      const response = withPresets(input) as CfResponse;
      expect(response.statusCode).toBe(400);
      expect(response.body.data.trim()).toBe(reason);
    });

    it("with onlyPresets refuses explicit parameters, and still serves presets and originals", () => {
      const refused = strict("w=150&h=150") as CfResponse;
      expect(refused.statusCode).toBe(400);
      expect(refused.body.data.trim()).toBe("only presets are served: use preset=thumb|detail|hero-avif");
      expect(queryOf(strict("preset=thumb") as CfRequest)).toBe("h=150&w=150");
      expect(queryOf(strict("") as CfRequest)).toBe("");
      expect(queryOf(strict("utm_source=mail") as CfRequest)).toBe("");
    });
  });

  // Originals go to the bucket itself ("Helper methods for origin modification": selectRequestOriginById takes an
  // origin of the same distribution by id); variants stay on the behavior's target, the resizer. The cache key
  // tells them apart: an original carries neither x-resize-params nor x-resize-accept.
  describe("origin choice", () => {
    const route = routedEdge();

    it.each([
      ["", "GET"], ["utm_source=mail&cb=1", "GET"], ["", "HEAD"], ["x-resize-params=w%3D9", "GET"],
    ])("sends %j (%s), an original, to the bucket with no resize headers and no query", (query, method) => {
      const { result, origin } = route(query, { accept: "image/avif,image/webp", "x-resize-params": "w=9", "x-resize-accept": "avif" }, method);
      expect(origin).toBe(ORIGINALS_ORIGIN_ID);
      expect(isResponse(result)).toBe(false);
      const request = result as CfRequest;
      expect(request.querystring).toEqual({});
      expect(request.headers["x-resize-params"]).toBeUndefined();
      expect(request.headers["x-resize-accept"]).toBeUndefined();
    });

    it.each(["w=150", "fit=cover", "format=webp", "q=80", "preset=thumb"])("keeps %j, a variant, on the resizer (the behavior's target)", (query) => {
      const { result, origin } = routedEdge(CONFIG, undefined, { presets: { thumb: { w: "150" } } })(query);
      expect(origin).toBeUndefined();
      expect((result as CfRequest).headers["x-resize-params"]).toBeDefined();
    });

    it("chooses no origin for what it answers itself: a 400 and a preflight", () => {
      expect(route("w=abc").origin).toBeUndefined();
      const cors = routedEdge(CONFIG, { allowedOrigins: ["https://app.example.com"], maxAgeSeconds: 60 });
      const preflight = cors("", { origin: "https://app.example.com", "access-control-request-method": "GET" }, "OPTIONS");
      expect((preflight.result as CfResponse).statusCode).toBe(204);
      expect(preflight.origin).toBeUndefined();
    });

    it("with onlyPresets still serves originals from the bucket", () => {
      const strict = routedEdge(CONFIG, undefined, { presets: { thumb: { w: "150" } }, onlyPresets: true });
      expect(strict("").origin).toBe(ORIGINALS_ORIGIN_ID);
      expect((strict("w=150").result as CfResponse).statusCode).toBe(400);
    });

    it("with originals denied answers 403 itself and reaches no origin; variants still go to the resizer", () => {
      const deny = routedEdge(CONFIG, undefined, { originalsOriginId: undefined });
      const refused = deny("utm=1");
      expect(refused.origin).toBeUndefined();
      const response = refused.result as CfResponse;
      expect(response.statusCode).toBe(403);
      expect(response.body.data.trim()).toBe(`originals are not served: ask for a variant (${RESIZE_PARAMS.join(", ")})`);
      expect(response.headers["cache-control"]?.value).toBe("public, max-age=10");
      expect(deny("w=150").origin).toBeUndefined();
      expect((deny("w=150").result as CfRequest).headers["x-resize-params"]).toEqual({ value: "w=150" });
      expect(viewerRequestFunctionCode(CONFIG, {})).not.toContain("import cf from 'cloudfront'");
    });

    it("imports runtime 2.0's cloudfront module first in the code when it serves originals", () => {
      expect(viewerRequestFunctionCode(CONFIG, { originalsOriginId: ORIGINALS_ORIGIN_ID }).startsWith("import cf from 'cloudfront';\n")).toBe(true);
    });
  });

  // Runtime 2.0 runs ES 5.1 and a few later features only ("JavaScript runtime 2.0 features"): the minifier's
  // target lowers the rest, and the shipped code is exactly the readable sources through it.
  it("is minified by esbuild for runtime 2.0's syntax: what it lacks is lowered or refused, never emitted", () => {
    const lowered = transformSync("const c = d?.e ?? f;", EDGE_ESBUILD_OPTIONS).code;
    for (const unsupported of ["?.", "??"]) expect({ unsupported, found: lowered.includes(unsupported) }).toEqual({ unsupported, found: false });
    for (const source of ["const { a } = b;", "for (const g of h) i(g);", "const j = (k = 1) => k;", "i(...g);"]) {
      expect(() => transformSync(source, EDGE_ESBUILD_OPTIONS)).toThrow(/not supported yet/);
    }
    const plain = viewerRequestFunctionCode(CONFIG, { originalsOriginId: ORIGINALS_ORIGIN_ID });
    const script = transformSync(edgeScriptSource("plain"), EDGE_ESBUILD_OPTIONS).code;
    expect(plain.startsWith("import cf from 'cloudfront';\nvar CONFIG={")).toBe(true);
    expect(plain.endsWith(script.slice(EMPTY_CONFIG.length))).toBe(true);
  });

  it("stays under CloudFront's 10 KB code limit with 1 KB to spare in the largest configuration", () => {
    // Client hints on (the ladder: the allowed widths), and twelve presets, each holding every parameter (fx and fy stand in for pos, which they exclude, in half of them).
    const widths = [150, 300, 480, 640, 800, 1080, 1280, 1600, 1920];
    const heights = [150, 300, 700, 1080];
    const every = (i: number): Record<string, string> => ({
      w: String(widths[i % widths.length]), h: String(heights[i % heights.length]), dpr: "1.5", fit: "cover", ...(i % 2 ? { pos: "attention" } : { fx: "0.25", fy: "0.75" }),
      rotate: "90", flip: "1", flop: "1", blur: "1.5", sharpen: "1", bg: "fff", format: "webp", q: "70",
    });
    const presets = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`preset-${i}`, every(i)]));
    const largest = viewerRequestFunctionCode({ ...CONFIG, allowedWidths: widths, allowedHeights: heights, clientHints: { widths, fallbackWidth: 1080 } }, {
      signing: true, originalsOriginId: ORIGINALS_ORIGIN_ID, presets, onlyPresets: true,
      cors: { allowedOrigins: ["https://app.example.com", "https://admin.example.com", "https://shop.example.com"], maxAgeSeconds: 600 },
    });
    console.warn(`viewer-request function, largest configuration: ${Buffer.byteLength(largest)} of ${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes`);
    expect(Buffer.byteLength(largest)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES - 1024);
  });

  it("stays under CloudFront's 10 KB code limit and is deterministic", () => {
    const code = viewerRequestFunctionCode(CONFIG);
    expect(Buffer.byteLength(code)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
    expect(viewerRequestFunctionCode(CONFIG)).toBe(code);
  });

  it("refuses allow-lists too long for a CloudFront Function", () => {
    const huge = { ...CONFIG, maxWidth: 16383, allowedWidths: Array.from({ length: 3000 }, (_, i) => i + 1) };
    expect(() => viewerRequestFunctionCode(huge)).toThrow(/over CloudFront's 10240.*allowedWidths/);
  });

  // The edge and the resizer must agree: a URL the edge lets through is one the resizer accepts with the
  // same meaning, and a URL the edge refuses is one the resizer refuses for the same reason.
  it.each([
    "w=150", "h=700", "w=150&h=150&fit=contain", "w=500&format=avif&q=55", "fit=outside", "q=1", "q=100",
    "w=abc", "w=-1", "w=+5", "w=1e3", "w=5.0", "w=00", "w=4097", "h=", "q=0", "fit=COVER", "format=jpg",
    "w=1&w=1", "format=png&format=png", "w=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    // The responsive-images parameters: snapped values, dpr folded into w and h (capped), and refusals.
    "w=300&dpr=2", "w=101&h=33&dpr=2.625", "w=1500&dpr=2", "dpr=2", "dpr=0.5", "dpr=9", "dpr=abc", "dpr=.5e1",
    "w=200&h=200&fx=0.333&fy=1", "fy=1.01", "fx=-0", "pos=attention&w=10&h=10", "pos=middle", "pos=center",
    "rotate=90&flip=1&flop=1", "rotate=45", "rotate=0", "flip=0", "blur=1.74", "blur=0", "blur=50.1", "sharpen=5",
    "bg=FF0000&fit=contain&w=50&h=50", "bg=ff80", "bg=%23fff", "bg=Fa0", "bg=gggggg", "format=json",
    // w=auto without clientHints: a width like any other, refused for the same reason.
    "w=auto", "w=AUTO",
  ])("agrees with the resizer's parser on %j", (raw) => {
    const result = run(raw);
    let resizerReason: string | undefined;
    let resizerRequest: ReturnType<typeof parseResizeQuery> | undefined;
    try {
      resizerRequest = parseResizeQuery(new URLSearchParams(raw), CONFIG);
    } catch (error) {
      resizerReason = (error as Error).message;
    }
    if (isResponse(result)) {
      expect(resizerReason).toBe(result.body.data.trim());
      return;
    }
    expect(resizerReason).toBeUndefined();
    const normalized = parseResizeQuery(new URLSearchParams(queryOf(result)), CONFIG);
    expect(normalized).toEqual(resizerRequest);
  });
});

/**
 * Client hints (clientHints): w=auto is the image's width in physical pixels from Sec-CH-Width, else
 * Sec-CH-Viewport-Width (CSS pixels) times Sec-CH-DPR, snapped up to the ladder, the fallback without a usable hint.
 * The ladder and fallback are resolved at synth (validate-props); here, the default ladder up to 2000.
 */
describe("viewer-request CloudFront Function with client hints", () => {
  const LADDER = [160, 320, 480, 640, 828, 1080, 1440, 1920];
  const HINTED: ResizerConfig = { ...CONFIG, clientHints: { widths: LADDER, fallbackWidth: 1080 } };
  const run = edge(HINTED);
  const widthOf = (query: string, headers: Record<string, string> = {}): string => {
    const result = run(query, headers);
    if (isResponse(result)) throw new Error(`refused: ${result.body.data}`);
    return queryOf(result);
  };

  it.each([
    [{ "sec-ch-width": "600" }, "w=640"],
    [{ "sec-ch-width": "640" }, "w=640"],
    [{ "sec-ch-width": "641" }, "w=828"],
    [{ "sec-ch-width": "1" }, "w=160"],
    [{ "sec-ch-width": "5000" }, "w=1920"],
    // Sec-CH-Width wins over the viewport: it is the image's own width.
    [{ "sec-ch-width": "300", "sec-ch-viewport-width": "1900", "sec-ch-dpr": "2" }, "w=320"],
    [{ "sec-ch-viewport-width": "400", "sec-ch-dpr": "2.625" }, "w=1080"],
    [{ "sec-ch-viewport-width": "400" }, "w=480"],
    [{}, "w=1080"],
  ])("w=auto with %j is %s", (headers, expected) => {
    expect(widthOf("w=auto", headers)).toBe(expected);
  });

  it.each([
    // Hostile or broken hints fall back (or to the next hint); none can pick a width off the ladder.
    ["not a number", { "sec-ch-width": "abc" }, "w=1080"],
    ["negative", { "sec-ch-width": "-600" }, "w=1080"],
    ["zero", { "sec-ch-width": "0" }, "w=1080"],
    ["empty", { "sec-ch-width": "" }, "w=1080"],
    ["huge", { "sec-ch-width": "1e400" }, "w=1920"],
    ["padded", { "sec-ch-width": " 300 " }, "w=320"],
    ["a bad width, a good viewport", { "sec-ch-width": "x", "sec-ch-viewport-width": "300" }, "w=320"],
    ["a bad DPR counts as 1", { "sec-ch-viewport-width": "300", "sec-ch-dpr": "-3" }, "w=320"],
    ["a huge DPR", { "sec-ch-viewport-width": "300", "sec-ch-dpr": "9999" }, "w=1920"],
    ["a script", { "sec-ch-width": "<script>" }, "w=1080"],
  ])("a %s hint: %j is %s", (_what, headers, expected) => {
    expect(widthOf("w=auto", headers)).toBe(expected);
  });

  it("is one cache entry with the width it chose; dpr is ignored (the hints carry it), other parameters kept", () => {
    expect(widthOf("w=auto&format=webp", { "sec-ch-width": "600" })).toBe(widthOf("w=640&format=webp"));
    expect(widthOf("w=auto&dpr=2", { "sec-ch-width": "600" })).toBe("w=640");
    expect(widthOf("w=auto&h=100&dpr=3&fit=contain", { "sec-ch-width": "600" })).toBe("fit=contain&h=100&w=640");
  });

  it("a preset may hold w=auto", () => {
    const withPreset = edge(HINTED, undefined, { presets: { hero: { w: "auto", format: "webp" } } });
    const result = withPreset("preset=hero", { "sec-ch-width": "1000" });
    expect(isResponse(result) ? result.body.data : queryOf(result)).toBe("format=webp&w=1080");
  });

  it("spells the width only one way: W=auto, AUTO and auto%20 are refused as widths", () => {
    for (const query of ["w=AUTO", "w=auto%20", "w=Auto"]) {
      const result = run(query, { "sec-ch-width": "600" });
      expect(isResponse(result) && result.statusCode).toBe(400);
    }
  });

  it("the resizer reads w=auto in a viewer's query as the fallback width, what a browser without hints gets", () => {
    expect(parseResizeQuery(new URLSearchParams("w=auto&dpr=2"), HINTED, "viewer").width).toBe(1080);
    expect(widthOf("w=auto&dpr=2")).toBe("w=1080");
    // The resizer never takes it from the edge's header: the edge writes the width.
    expect(() => parseResizeQuery(new URLSearchParams("w=auto"), HINTED)).toThrow(/w must be an integer/);
  });

  it("holds its ladder and fallback in the function's CONFIG, and none without clientHints", () => {
    expect(viewerRequestFunctionCode(HINTED)).toContain('"hints":{"widths":[160,320,480,640,828,1080,1440,1920],"fallbackWidth":1080}');
    expect(viewerRequestFunctionCode(CONFIG)).toContain('"hints":null');
  });
});

describe("viewer-response CloudFront Function (object-lambda origin)", () => {
  const handler = runFunctionCode<{ version: string; response: { statusCode: number; headers: CfHeaders } }, { headers: CfHeaders }>(VIEWER_RESPONSE_CODE);
  const respond = (headers: Record<string, string>) => handler({ version: "1.0", response: { statusCode: 200, headers: cloudFrontHeaders(headers) } }).headers;

  it("restores Vary and Server-Timing from the resizer's metadata and drops other metadata", () => {
    expect(respond({
      "content-type": "image/avif",
      "x-amz-meta-vary": "Accept",
      "x-amz-meta-server-timing": "fetch;dur=12.0, transform;dur=40.5, total;dur=55.1",
      "x-amz-meta-uploaded-by": "alice",
    })).toEqual({
      "content-type": { value: "image/avif" },
      vary: { value: "Accept" },
      "server-timing": { value: "fetch;dur=12.0, transform;dur=40.5, total;dur=55.1" },
    });
  });

  it("adds no Vary when the format was not negotiated", () => {
    expect(respond({ "content-type": "image/jpeg", "x-amz-meta-server-timing": "total;dur=3.0" })).toEqual({
      "content-type": { value: "image/jpeg" },
      "server-timing": { value: "total;dur=3.0" },
    });
  });

  it("stays under CloudFront's 10 KB code limit", () => {
    expect(Buffer.byteLength(VIEWER_RESPONSE_CODE)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
  });
});
