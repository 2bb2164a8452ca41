/** Collects vipsthumbnail samples per cell while the core is measured, and reduces them to amortized times. */
import type { BenchImage } from "./inputs";
import { median } from "./stats";
import type { BenchFormat, Variant } from "./variants";
import { sampleImage, type VipsImageSample } from "./vips";

export interface VipsCellResult {
  /** Median marginal time plus the median start-up shared across the set, ms. */
  readonly amortizedMs: number;
  readonly marginalMs: number;
  readonly outputBytes: number;
}

export class VipsReference {
  private readonly samples = new Map<string, VipsImageSample[]>();

  constructor(
    private readonly options: { readonly workDir: string; readonly tinyImage: string; readonly copies: number; readonly threads: number },
    /** Images in the set: each carries start-up / setSize. */
    private readonly setSize: number,
  ) {}

  sample(image: BenchImage, variant: Variant, format: BenchFormat): void {
    const key = cellKey(image, variant, format);
    const list = this.samples.get(key) ?? [];
    list.push(sampleImage(image, variant, format, this.options));
    this.samples.set(key, list);
  }

  /** Median start-up over every sample taken. */
  startupMs(): number {
    return median([...this.samples.values()].flat().map((sample) => sample.startupMs));
  }

  result(image: BenchImage, variant: Variant, format: BenchFormat): VipsCellResult | undefined {
    const list = this.samples.get(cellKey(image, variant, format));
    if (list === undefined || list.length === 0) return undefined;
    const marginalMs = median(list.map((sample) => sample.marginalMs));
    return {
      marginalMs,
      amortizedMs: marginalMs + this.startupMs() / this.setSize,
      outputBytes: (list[list.length - 1] as VipsImageSample).outputBytes,
    };
  }
}

const cellKey = (image: BenchImage, variant: Variant, format: BenchFormat): string => `${image.path}|${variant.name}|${format}`;
