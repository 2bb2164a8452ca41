/** What the viewer asked for, whichever front door it came through. */
export interface ViewerRequest {
  /** The object key, percent-decoded ("photos/my photo+1 100%.jpg"). */
  readonly key: string;
  readonly query: URLSearchParams;
  /** An Accept value for format negotiation, when the viewer sent any. */
  readonly accept?: string;
}

/**
 * Our CloudFront viewer-request function reduces Accept to one of these tokens, the best
 * format the viewer takes. Every browser that decodes AVIF also decodes WebP, and an
 * animated source is better served as WebP than as a still AVIF, so "avif" means both.
 */
const FORMAT_HINTS: Readonly<Record<string, string>> = {
  avif: "image/avif,image/webp",
  webp: "image/webp",
  none: "",
};

/**
 * The Accept value to negotiate with: our normalized `x-resize-accept` hint wins over the
 * raw Accept header (what the cache key holds must be what decides the format). Header
 * names arrive in whatever case the caller used.
 */
export function acceptFromHeaders(headers: Readonly<Record<string, string | undefined>> | undefined): string | undefined {
  const lower = new Map(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const hint = lower.get("x-resize-accept")?.trim().toLowerCase();
  if (hint !== undefined && Object.hasOwn(FORMAT_HINTS, hint)) return FORMAT_HINTS[hint];
  return lower.get("accept");
}
