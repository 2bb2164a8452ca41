import { formatsOfAccept, formatsOfToken, negotiateFormat, type NegotiatedFormat, type SourceFormat } from "../lambda-src/core";

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
    ["image/avif", "gif", "gif"],
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
