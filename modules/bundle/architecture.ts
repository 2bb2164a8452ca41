/** Lambda's names for the two CPU architectures it runs functions on. */
export type LambdaArchitecture = "arm64" | "x86_64";

export const LAMBDA_ARCHITECTURES: readonly LambdaArchitecture[] = ["arm64", "x86_64"];

/** npm (--cpu) and Node (process.arch) call Lambda's x86_64 "x64". */
export type NpmCpu = "arm64" | "x64";

export function npmCpu(architecture: LambdaArchitecture): NpmCpu {
  return architecture === "arm64" ? "arm64" : "x64";
}

/** The platform suffix of sharp's prebuilt packages, e.g. `@img/sharp-linux-arm64`. */
export function sharpPlatform(architecture: LambdaArchitecture): string {
  return `linux-${npmCpu(architecture)}`;
}

export function assertLambdaArchitecture(value: unknown): LambdaArchitecture {
  if (value === "arm64" || value === "x86_64") return value;
  throw new Error(
    `Invalid resizer architecture ${JSON.stringify(value)}: expected one of ${LAMBDA_ARCHITECTURES.map((a) => `"${a}"`).join(", ")}`,
  );
}
