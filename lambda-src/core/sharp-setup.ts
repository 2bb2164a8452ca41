import sharp from "sharp";

/**
 * libvips threads per image. One request per invocation on Lambda's < 1 vCPU (512-1024 MB): more
 * threads cannot add CPU, they only add memory. Measured on gain-map.jpg -> 1024px WebP/AVIF and a
 * 2725px JPEG: the same CPU time at 1, 2 and 4 threads, peak RSS ~245 MB at 1 vs ~270-290 MB at 2-4.
 */
export const SHARP_CONCURRENCY = 1;

/**
 * The only libvips decoders left enabled, the same set sniff.ts admits. Defence in depth: even if
 * a file slipped past sniffing, SVG (outside references), PDF, TIFF, the vips/matrix/csv formats
 * and the rest can never run.
 */
export const ALLOWED_DECODERS = [
  "VipsForeignLoadJpeg",
  "VipsForeignLoadPng",
  "VipsForeignLoadWebp",
  "VipsForeignLoadNsgif",
  "VipsForeignLoadHeif",
] as const;

let configured = false;

/** Call once per container, before the first transform. Idempotent. Settings are process-wide. */
export function configureSharp(): void {
  if (configured) return;
  // Every request is a different original: libvips' operation cache would only hold memory.
  sharp.cache(false);
  sharp.concurrency(SHARP_CONCURRENCY);
  sharp.block({ operation: ["VipsForeignLoad"] });
  sharp.unblock({ operation: [...ALLOWED_DECODERS] });
  configured = true;
}
