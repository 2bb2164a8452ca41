/**
 * A variant is a pure function of (original, parameters): once made it never changes under
 * its URL (a new original gets a new key or an invalidation), so it may be cached for a year.
 */
export const VARIANT_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** Errors may be passing faults (origin hiccup, a fixed upload): cache them for seconds only. */
export const ERROR_CACHE_CONTROL = "public, max-age=10";
