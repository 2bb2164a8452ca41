/**
 * What the distribution's response headers policy adds to every answer (modules/cdn-distribution.ts), in a
 * module of its own so the preview (scripts/preview) adds the same without loading the provider's classes.
 */

/** Originals are passed through unchanged, SVG included: never let one run script on this domain. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
export const HSTS_MAX_AGE_SECONDS = 31_536_000;
/** With CORS: the response headers a page on an allowed origin may read. */
export const CORS_EXPOSE_HEADERS = ["Content-Length", "Content-Type", "Server-Timing"] as const;
