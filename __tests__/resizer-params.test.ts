import { configFromEnv, configToEnv, DEFAULT_RESIZER_CONFIG, variantCacheControl, type ResizerConfig } from "../lambda-src/core/contract";
import { HttpError, isOriginalRequest, parseResizeQuery, type ResizeRequest } from "../lambda-src/core";

const config: ResizerConfig = { ...DEFAULT_RESIZER_CONFIG, maxWidth: 2000, maxHeight: 1500, defaultQuality: 75 };
const allowListed: ResizerConfig = { ...config, allowedWidths: [100, 300], allowedHeights: [50] };

const defaults: ResizeRequest = { fit: "cover", format: "auto", quality: 75, original: false };

function parse(query: string, cfg: ResizerConfig = config): ResizeRequest {
  return parseResizeQuery(new URLSearchParams(query), cfg);
}

function failure(query: string, cfg: ResizerConfig = config): HttpError {
  try {
    parse(query, cfg);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be refused`);
}

describe("parseResizeQuery: valid forms", () => {
  it.each<[string, ResizeRequest]>([
    ["", { ...defaults, original: true }],
    ["utm_source=x&v=3", { ...defaults, original: true }],
    ["w=1", { ...defaults, width: 1 }],
    ["w=640", { ...defaults, width: 640 }],
    ["w=2000", { ...defaults, width: 2000 }],
    ["h=1500", { ...defaults, height: 1500 }],
    ["w=300&h=200", { ...defaults, width: 300, height: 200 }],
    ["h=200&w=300&unknown=1", { ...defaults, width: 300, height: 200 }],
    ["w=10&fit=cover", { ...defaults, width: 10 }],
    ["w=10&fit=contain", { ...defaults, width: 10, fit: "contain" }],
    ["w=10&fit=fill", { ...defaults, width: 10, fit: "fill" }],
    ["w=10&fit=inside", { ...defaults, width: 10, fit: "inside" }],
    ["w=10&fit=outside", { ...defaults, width: 10, fit: "outside" }],
    ["fit=contain", { ...defaults, fit: "contain" }],
    ["format=auto", defaults],
    ["format=avif", { ...defaults, format: "avif" }],
    ["format=webp", { ...defaults, format: "webp" }],
    ["format=jpeg", { ...defaults, format: "jpeg" }],
    ["format=png", { ...defaults, format: "png" }],
    ["q=1", { ...defaults, quality: 1 }],
    ["q=100", { ...defaults, quality: 100 }],
    ["w=5&h=6&fit=inside&format=webp&q=42", { width: 5, height: 6, fit: "inside", format: "webp", quality: 42, original: false }],
  ])("%j", (query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it("accepts widths and heights on the allow-lists", () => {
    expect(parse("w=300&h=50", allowListed)).toEqual({ ...defaults, width: 300, height: 50 });
  });

  it("takes the default quality from the config", () => {
    expect(parse("w=10", { ...config, defaultQuality: 90 }).quality).toBe(90);
  });
});

describe("parseResizeQuery: invalid forms are 400 naming the parameter", () => {
  it.each<[string, string]>([
    ["w=abc", 'w must be an integer from 1 to 2000, got "abc"'],
    ["w=0", 'w must be an integer from 1 to 2000, got "0"'],
    ["w=-5", 'w must be an integer from 1 to 2000, got "-5"'],
    ["w=%2B5", 'w must be an integer from 1 to 2000, got "+5"'],
    ["w=+5", 'w must be an integer from 1 to 2000, got " 5"'],
    ["w=05", 'w must be an integer from 1 to 2000, got "05"'],
    ["w=1e3", 'w must be an integer from 1 to 2000, got "1e3"'],
    ["w=5.0", 'w must be an integer from 1 to 2000, got "5.0"'],
    ["w=0x10", 'w must be an integer from 1 to 2000, got "0x10"'],
    ["w=%205", 'w must be an integer from 1 to 2000, got " 5"'],
    ["w=2001", 'w must be an integer from 1 to 2000, got "2001"'],
    ["w=99999999999999999999", 'w must be an integer from 1 to 2000, got "99999999999999999999"'],
    ["w=" + "9".repeat(40), `w must be an integer from 1 to 2000, got "${"9".repeat(32)}..."`],
    ["h=1501", 'h must be an integer from 1 to 1500, got "1501"'],
    ["h=x", 'h must be an integer from 1 to 1500, got "x"'],
    ["q=0", 'q must be an integer from 1 to 100, got "0"'],
    ["q=101", 'q must be an integer from 1 to 100, got "101"'],
    ["q=50.5", 'q must be an integer from 1 to 100, got "50.5"'],
    ["q=high", 'q must be an integer from 1 to 100, got "high"'],
    ["fit=crop", 'fit must be one of cover, contain, fill, inside, outside, got "crop"'],
    ["fit=COVER", 'fit must be one of cover, contain, fill, inside, outside, got "COVER"'],
    ["format=jpg", 'format must be one of auto, avif, webp, jpeg, png, json, got "jpg"'],
    ["format=gif", 'format must be one of auto, avif, webp, jpeg, png, json, got "gif"'],
    ["format=svg", 'format must be one of auto, avif, webp, jpeg, png, json, got "svg"'],
    ["w=", "w must not be empty"],
    ["h=", "h must not be empty"],
    ["fit=", "fit must not be empty"],
    ["format=", "format must not be empty"],
    ["q=", "q must not be empty"],
    ["w", "w must not be empty"],
    ["w=1&w=2", "w must be given at most once, got 2 values"],
    ["w=1&w=1", "w must be given at most once, got 2 values"],
    ["h=1&h=2&h=3", "h must be given at most once, got 3 values"],
    ["fit=cover&fit=cover", "fit must be given at most once, got 2 values"],
    ["format=png&format=jpeg", "format must be given at most once, got 2 values"],
    ["q=1&q=2", "q must be given at most once, got 2 values"],
    ['w=<script>', 'w must be an integer from 1 to 2000, got "<script>"'],
    ["w=%22", 'w must be an integer from 1 to 2000, got "\\""'],
  ])("%j", (query, message) => {
    const error = failure(query);
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({
      status: 400,
      code: "InvalidParameter",
      message,
    });
  });

  it.each<[string, string]>([
    // 200 would pass: it is 100 at dpr=2, a width the edge makes (resizer-operations.test.ts).
    ["w=500", 'w must be one of 100, 300, got "500"'],
    ["w=300&h=60", 'h must be one of 50, got "60"'],
    ["w=2001", 'w must be an integer from 1 to 2000, got "2001"'],
  ])("allow-lists: %j", (query, message) => {
    const error = failure(query, allowListed);
    expect([error.status, error.message]).toEqual([400, message]);
  });
});

describe("isOriginalRequest", () => {
  it.each<[string, boolean]>([
    ["", true],
    ["x=1&W=100", true],
    ["w=100", false],
    ["h=1", false],
    ["fit=cover", false],
    ["format=auto", false],
    ["q=80", false],
    ["w=", false],
  ])("%j -> %s", (query, expected) => {
    expect(isOriginalRequest(new URLSearchParams(query))).toBe(expected);
  });
});

describe("a variant's Cache-Control from the environment the construct writes", () => {
  it("is immutable for a year without a browser TTL, and max-age/s-maxage with one", () => {
    expect(variantCacheControl(configFromEnv({}))).toBe("public, max-age=31536000, immutable");
    const purged = configFromEnv({ RESIZER_BROWSER_MAX_AGE: "86400", RESIZER_SHARED_MAX_AGE: "31536000" });
    expect(variantCacheControl(purged)).toBe("public, max-age=86400, s-maxage=31536000");
    expect(variantCacheControl(configFromEnv({ RESIZER_BROWSER_MAX_AGE: "0", RESIZER_SHARED_MAX_AGE: "60" }))).toBe("public, max-age=0, s-maxage=60");
  });

  it("refuses half of the pair, or a malformed value, naming the variable", () => {
    expect(() => configFromEnv({ RESIZER_BROWSER_MAX_AGE: "86400" })).toThrow(/RESIZER_BROWSER_MAX_AGE and RESIZER_SHARED_MAX_AGE go together, got only RESIZER_BROWSER_MAX_AGE/);
    expect(() => configFromEnv({ RESIZER_BROWSER_MAX_AGE: "1d", RESIZER_SHARED_MAX_AGE: "60" })).toThrow(/RESIZER_BROWSER_MAX_AGE must be a positive integer, got "1d"/);
  });

  it("round-trips through configToEnv", () => {
    const config = { ...DEFAULT_RESIZER_CONFIG, browserCache: { maxAge: 600, sharedMaxAge: 604800 } };
    expect(configFromEnv(configToEnv(config))).toEqual(config);
    const hinted = { ...DEFAULT_RESIZER_CONFIG, clientHints: { widths: [320, 640, 1080], fallbackWidth: 640 } };
    expect(configFromEnv(configToEnv(hinted))).toEqual(hinted);
    expect(() => configFromEnv({ RESIZER_CLIENT_HINT_WIDTHS: "320,640" })).toThrow(/RESIZER_CLIENT_HINT_WIDTHS and RESIZER_CLIENT_HINT_FALLBACK_WIDTH go together, got only RESIZER_CLIENT_HINT_WIDTHS/);
    expect(configFromEnv(configToEnv(DEFAULT_RESIZER_CONFIG))).toEqual(DEFAULT_RESIZER_CONFIG);
  });
});
