import { planResize, type ResizePlan, type Size } from "../lambda-src/core/plan";
import type { Fit } from "../lambda-src/core";

const landscape: Size = { width: 600, height: 450 };

describe("planResize", () => {
  it.each<[Partial<{ width: number; height: number }>, Fit, ResizePlan | undefined]>([
    // Nothing asked: no resize.
    [{}, "cover", undefined],
    [{}, "contain", undefined],
    // One side: exact aspect arithmetic (sharp's shrink-on-load rounding gave 121x90 for h=90).
    [{ height: 90 }, "cover", { width: 120, height: 90, fit: "fill" }],
    [{ width: 90 }, "cover", { width: 90, height: 68, fit: "fill" }],
    [{ width: 1 }, "cover", { width: 1, height: 1, fit: "fill" }],
    [{ width: 333 }, "contain", { width: 333, height: 250, fit: "fill" }],
    // One side larger than or equal to the original: keep the original.
    [{ width: 600 }, "cover", undefined],
    [{ width: 1200 }, "cover", undefined],
    [{ height: 451 }, "fill", undefined],
    // inside/outside: the scale that fits within / covers the box, never above 1.
    [{ width: 100, height: 100 }, "inside", { width: 100, height: 75, fit: "fill" }],
    [{ width: 100, height: 100 }, "outside", { width: 133, height: 100, fit: "fill" }],
    [{ width: 1000, height: 100 }, "inside", { width: 133, height: 100, fit: "fill" }],
    [{ width: 1000, height: 100 }, "outside", undefined],
    [{ width: 1000, height: 1000 }, "inside", undefined],
    // cover/contain: the exact box when it fits in the original.
    [{ width: 100, height: 100 }, "cover", { width: 100, height: 100, fit: "cover" }],
    [{ width: 100, height: 100 }, "contain", { width: 100, height: 100, fit: "contain" }],
    [{ width: 600, height: 450 }, "cover", undefined],
    // A box beyond the original shrinks with its aspect ratio until it fits.
    [{ width: 1200, height: 100 }, "cover", { width: 600, height: 50, fit: "cover" }],
    [{ width: 1000, height: 1000 }, "cover", { width: 450, height: 450, fit: "cover" }],
    [{ width: 1000, height: 1000 }, "contain", { width: 450, height: 450, fit: "contain" }],
    [{ width: 1200, height: 900 }, "cover", undefined],
    // fill: each side at most the original's.
    [{ width: 100, height: 100 }, "fill", { width: 100, height: 100, fit: "fill" }],
    [{ width: 1200, height: 100 }, "fill", { width: 600, height: 100, fit: "fill" }],
    [{ width: 1200, height: 1200 }, "fill", undefined],
  ])("600x450 with %j fit=%s -> %j", (box, fit, expected) => {
    expect(planResize(landscape, { ...box, fit })).toEqual(expected);
  });

  it("plans on the upright size it is given (a portrait frame)", () => {
    expect(planResize({ width: 450, height: 600 }, { width: 90, fit: "cover" })).toEqual({ width: 90, height: 120, fit: "fill" });
  });
});
