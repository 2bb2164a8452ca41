/**
 * Plans the resize from the upright source size, in our own arithmetic rather than sharp's:
 * sharp's fast JPEG/WebP shrink-on-load rounds auto-scaled sides off by one (600x450 at h=90 came
 * out 121x90), and layouts rely on the exact aspect ratio. Every planned size is explicit, so the
 * shrink-on-load speed is kept and the output size is exactly the one computed here.
 */
import type { Fit, ResizeRequest } from "./params";

export interface Size {
  width: number;
  height: number;
}

export interface ResizePlan extends Size {
  /** "fill" when the size already carries the aspect ratio; cover/contain when the box crops or pads. */
  fit: Fit;
}

/** Undefined means "keep the original size": no parameter asked for a smaller one. */
export function planResize(source: Size, request: Pick<ResizeRequest, "width" | "height" | "fit">): ResizePlan | undefined {
  const { width, height, fit } = request;
  if (width === undefined && height === undefined) return undefined;
  if (width === undefined || height === undefined || fit === "inside" || fit === "outside") {
    return scaled(source, scaleFor(source, width, height, fit));
  }
  if (fit === "fill") return shrunkBox(source, Math.min(width, source.width), Math.min(height, source.height), "fill");
  // cover/contain: a box larger than the original shrinks, keeping its aspect ratio, until it fits
  // the original: the requested shape, never more pixels than the original has.
  const k = Math.min(1, source.width / width, source.height / height);
  return shrunkBox(source, round(width * k), round(height * k), fit);
}

function scaleFor(source: Size, width: number | undefined, height: number | undefined, fit: Fit): number {
  const sx = width === undefined ? undefined : width / source.width;
  const sy = height === undefined ? undefined : height / source.height;
  if (sx === undefined) return sy as number;
  if (sy === undefined) return sx;
  return fit === "outside" ? Math.max(sx, sy) : Math.min(sx, sy);
}

/** The source scaled by `scale`, never above 1 (no enlargement). */
function scaled(source: Size, scale: number): ResizePlan | undefined {
  if (scale >= 1) return undefined;
  return { width: round(source.width * scale), height: round(source.height * scale), fit: "fill" };
}

function shrunkBox(source: Size, width: number, height: number, fit: Fit): ResizePlan | undefined {
  if (width === source.width && height === source.height) return undefined;
  return { width, height, fit };
}

const round = (value: number): number => Math.max(1, Math.round(value));
