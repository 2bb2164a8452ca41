/**
 * What the distribution does to every answer (cdn-distribution.ts): the headers its response headers
 * policy adds, and which error answers it caches. In a module of its own so the preview (scripts/preview) does the
 * same without loading the provider's classes.
 */

/** The status codes CloudFront lets us set an error-caching TTL for (413, 415 and 422 are never cached). */
export const CACHEABLE_ERROR_CODES: readonly number[] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/** Originals are passed through unchanged, SVG included: never let one run script on this domain. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
export const HSTS_MAX_AGE_SECONDS = 31_536_000;
/** With CORS: the response headers a page on an allowed origin may read. */
export const CORS_EXPOSE_HEADERS = ["Content-Length", "Content-Type", "Server-Timing"] as const;
