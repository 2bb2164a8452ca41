import { formatsOfAccept, formatsOfToken, negotiateFormat, type NegotiatedFormat, type SourceFormat } from "../lambda-src/core";
import { acceptToken } from "../lambda-src/core/accept-token";
import { DEFAULT_RESIZER_CONFIG } from "../lambda-src/core/contract";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { edgeScriptSource, viewerRequestFunctionCode } from "../modules/edge/viewer-request-function";
import { ROOT } from "./support/run-app";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, runFunctionCode, type CfRequest } from "../scripts/preview/cloudfront-function";

const CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
const SAFARI_16 = "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
const OLD_SAFARI = "image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5";

describe("negotiateFormat", () => {
  it.each<[string | undefined, SourceFormat, NegotiatedFormat]>([
    // Explicit support wins, AVIF first for still sources.
    [CHROME, "jpeg", "avif"],
    [SAFARI_16, "png", "avif"],
    ["image/webp", "jpeg", "webp"],
    ["image/avif", "png", "avif"],
    ["IMAGE/AVIF", "jpeg", "avif"],
    [" image/avif ; q=0.5 , image/webp", "jpeg", "avif"],
    // q=0 refuses, even when listed again or covered by a wildcard.
    ["image/avif;q=0, image/webp", "jpeg", "webp"],
    ["image/avif;q=0.0, image/webp;q=0", "jpeg", "jpeg"],
    ["image/avif, image/avif;q=0", "jpeg", "jpeg"],
    ["image/avif;q=0.001", "jpeg", "avif"],
    ["image/avif;Q=1.000", "jpeg", "avif"],
    // Malformed q values count as refusal rather than guesses.
    ["image/avif;q=abc, image/webp;q=2", "jpeg", "jpeg"],
    // Wildcards are not a promise to decode AVIF or WebP: the source's own format.
    ["*/*", "jpeg", "jpeg"],
    ["image/*", "png", "png"],
    [OLD_SAFARI, "jpeg", "jpeg"],
    [undefined, "jpeg", "jpeg"],
    ["", "avif", "avif"],
    ["text/html,image/avifx,image/webpx", "png", "png"],
    // Animatable sources prefer WebP (AVIF output here is a still image); GIF stays GIF otherwise.
    [CHROME, "gif", "webp"],
    [CHROME, "webp", "webp"],
    // A direct caller's Accept is read as the edge reads it: "avif" stands for AVIF and WebP.
    ["image/avif", "gif", "webp"],
    ["image/avif", "webp", "webp"],
    [undefined, "gif", "gif"],
    [OLD_SAFARI, "webp", "webp"],
  ])("Accept %j with a %s source -> %s", (accept, source, expected) => {
    expect(negotiateFormat(formatsOfAccept(accept), source)).toBe(expected);
  });

  // The edge's token goes to the core as it is: "avif" means AVIF and WebP, as the edge reduced it.
  it.each<["avif" | "webp" | "none", SourceFormat, NegotiatedFormat]>([
    ["avif", "jpeg", "avif"],
    ["avif", "gif", "webp"],
    ["webp", "jpeg", "webp"],
    ["none", "png", "png"],
  ])("edge token %j with a %s source -> %s", (token, source, expected) => {
    expect(negotiateFormat(formatsOfToken(token), source)).toBe(expected);
  });
});

// One Accept reader (lambda-src/core/accept-token.js): the edge inlines its source at synth, the resizer imports
// it. Run both ways, the shipped function's code and the core's import, on headers that used to split them.
describe("one Accept reader for the edge and the resizer", () => {
  const cloudfront = cloudfrontModule({ origins: ["resizer", "originals"] });
  const edge = runFunctionCode<{ version: string; request: CfRequest }, CfRequest>(viewerRequestFunctionCode(DEFAULT_RESIZER_CONFIG, { originalsOriginId: "originals" }), { modules: { cloudfront: cloudfront.module } });
  const edgeToken = (accept: string | undefined) =>
    edge({ version: "1.0", request: { method: "GET", uri: "/a.jpg", querystring: cloudFrontQuery("w=100"), headers: cloudFrontHeaders(accept === undefined ? {} : { accept }) } }).headers["x-resize-accept"]?.value;

  it.each<[string | undefined, "avif" | "webp" | "none"]>([
    ["image/avif;q=abc", "none"],
    ["image/avif;q=0.0001", "none"],
    ["image/avif;q=0, image/avif", "none"],
    ["image/avif, image/avif;q=0", "none"],
    ["image/webp;q=2", "none"],
    ["image/webp;q=1.0001", "none"],
    ["image/webp;q=1.000", "webp"],
    ["image/avif;q=0.001,image/webp", "avif"],
    ["image/avif;level=1;q=0", "none"],
    ["image/avif;q", "avif"],
    [" IMAGE/WEBP ;Q=0.5", "webp"],
    ["image/avif;q=0.5;q=0", "avif"],
    ["image/*, */*", "none"],
    [",,,;;;", "none"],
    ["", "none"],
    [undefined, "none"],
    ["image/avif" + ",x".repeat(2000), "avif"],
  ])("Accept %j is %j at the edge and in the resizer", (accept, token) => {
    expect(acceptToken(accept)).toBe(token);
    expect(edgeToken(accept)).toBe(token);
    expect(formatsOfAccept(accept)).toEqual(formatsOfToken(token));
  });

  it("is the same source in the function's script and in the resizer's module, defined once", () => {
    const source = readFileSync(join(ROOT, "lambda-src/core/accept-token.js"), "utf8").replace(/^module\.exports = .*\n/m, "");
    for (const kind of ["plain", "signed"] as const) expect(edgeScriptSource(kind)).toContain(source);
    expect(viewerRequestFunctionCode(DEFAULT_RESIZER_CONFIG, { signing: true }).match(/function acceptToken\(/g)).toHaveLength(1);
  });
});
