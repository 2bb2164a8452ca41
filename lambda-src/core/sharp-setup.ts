import sharp from "sharp";

/** libvips threads per image. Measured in bench/ (see report): Lambda at 512-1024 MB has < 1 vCPU. */
export const SHARP_CONCURRENCY = 1;

let configured = false;

/** Call once per container, before the first transform. Idempotent. */
export function configureSharp(): void {
  if (configured) return;
  // Every request is a different original: libvips' operation cache would only hold memory.
  sharp.cache(false);
  // One request per invocation on a fraction of a vCPU: more threads only add contention and memory.
  sharp.concurrency(SHARP_CONCURRENCY);
  configured = true;
}
