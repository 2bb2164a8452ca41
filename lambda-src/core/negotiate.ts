/**
 * Chooses the output format for `format=auto` from the Accept header and the source format.
 *
 * Decisions:
 * - Only an explicit `image/avif` / `image/webp` with q > 0 counts. Wildcards (`image/` + star, and
 *   star/star) do not: every browser that decodes AVIF or WebP lists it explicitly, while star/star is
 *   what curl, bots and old clients send, and they may not decode either.
 * - Animatable sources (GIF, WebP) prefer WebP over AVIF: AVIF output here is a still image, and
 *   WebP keeps the animation.
 * - Otherwise the source's own format, so any client that shows the original shows the variant.
 *   GIF stays GIF (not PNG) so that animations survive for clients without WebP (e.g. mail clients).
 */
export type SourceFormat = "jpeg" | "png" | "webp" | "gif" | "avif";
export type NegotiatedFormat = "avif" | "webp" | "jpeg" | "png" | "gif";

const ANIMATABLE_SOURCES: ReadonlySet<SourceFormat> = new Set(["gif", "webp"]);

export function negotiateFormat(accept: string | undefined, sourceFormat: SourceFormat): NegotiatedFormat {
  const accepted = explicitlyAcceptedTypes(accept ?? "");
  if (!ANIMATABLE_SOURCES.has(sourceFormat) && accepted.has("image/avif")) return "avif";
  if (accepted.has("image/webp")) return "webp";
  return sourceFormat;
}

/** Media types listed by name with q > 0. A type listed with q=0 anywhere is refused, per RFC 9110. */
function explicitlyAcceptedTypes(accept: string): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  for (const range of accept.split(",")) {
    const [typePart, ...paramParts] = range.split(";");
    const type = (typePart ?? "").trim().toLowerCase();
    if (type === "" || type.includes("*")) continue;
    (qValue(paramParts) > 0 ? accepted : refused).add(type);
  }
  for (const type of refused) accepted.delete(type);
  return accepted;
}

/** The range's q parameter; absent means 1, malformed means 0 (ignore what cannot be read). */
function qValue(params: string[]): number {
  for (const param of params) {
    const [key, value] = param.split("=").map((s) => s.trim());
    if (key?.toLowerCase() !== "q") continue;
    return value !== undefined && /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
  }
  return 1;
}
