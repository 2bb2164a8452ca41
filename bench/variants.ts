/** The seed's two variants in the three output formats the bench measures. */

export interface Variant {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fit: "cover" | "inside";
}

export const VARIANTS: readonly Variant[] = [
  { name: "150x150 cover", width: 150, height: 150, fit: "cover" },
  { name: "500x700 inside", width: 500, height: 700, fit: "inside" },
];

export const FORMATS = ["webp", "avif", "jpeg"] as const;
export type BenchFormat = (typeof FORMATS)[number];

/** Quality the bench asks for explicitly (the construct's default), so both tools encode at the same q. */
export const BENCH_QUALITY = 80;

/** The URL query the resizer receives for this cell, exactly as in the URL contract. */
export function variantQuery(variant: Variant, format: BenchFormat): URLSearchParams {
  return new URLSearchParams({
    w: String(variant.width),
    h: String(variant.height),
    fit: variant.fit,
    format,
    q: String(BENCH_QUALITY),
  });
}

export const WEBP_500x700 = VARIANTS[1] as Variant;
