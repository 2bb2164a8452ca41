/**
 * Builds the resizer Lambda zip(s): `npm run bundle -- --arch arm64|x86_64|all [--out-dir DIR]`.
 * Prints each zip's path, size, source_code_hash and build time.
 */
import { EXIT_CODES, parseCommandLine, runCommand, UsageError } from "../modules/cli/command-line";
import { LAMBDA_ARCHITECTURES, type LambdaArchitecture } from "../modules/bundle";
import { buildResizerBundle } from "../modules/bundle/build";

interface CliOptions {
  readonly architectures: readonly LambdaArchitecture[];
  readonly outDir: string | undefined;
}

const USAGE = `usage: npm run bundle -- --arch arm64|x86_64|all [--out-dir DIR]
  Builds the resizer's Lambda zip for an architecture (deterministic: the same bytes on any machine) and prints its
  path, size, source_code_hash and build time.`;

export function parseBundleArgs(argv: readonly string[]): CliOptions {
  const { values } = parseCommandLine(argv, { arch: { type: "string" }, "out-dir": { type: "string" } });
  const { arch, "out-dir": outDir } = values;
  if (arch === undefined) throw new UsageError("--arch is required: arm64, x86_64 or all");
  if (arch === "all") return { architectures: LAMBDA_ARCHITECTURES, outDir };
  if (arch !== "arm64" && arch !== "x86_64") throw new UsageError(`--arch must be arm64, x86_64 or all, got ${JSON.stringify(arch)}`);
  return { architectures: [arch], outDir };
}

function main(argv: readonly string[]): number {
  const options = parseBundleArgs(argv);
  for (const architecture of options.architectures) {
    const started = process.hrtime.bigint();
    const bundle = buildResizerBundle({ architecture, ...(options.outDir === undefined ? {} : { outDir: options.outDir }) });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      [
        `${bundle.architecture}:`,
        `  zip:              ${bundle.zipPath}`,
        `  size:             ${bundle.sizeBytes} bytes (${(bundle.sizeBytes / 1024 / 1024).toFixed(2)} MiB)`,
        `  source_code_hash: ${bundle.sourceCodeHash}`,
        `  built in:         ${elapsedMs.toFixed(0)} ms`,
      ].join("\n"),
    );
  }
  return EXIT_CODES.ok;
}

if (require.main === module) {
  void runCommand("bundle", USAGE, process.argv.slice(2), main, "npm run bundle -- --help").then((code) => {
    process.exitCode = code;
  });
}
