/**
 * Builds the resizer Lambda zip(s): `npm run bundle -- --arch arm64|x86_64|all [--out-dir DIR]`.
 * Prints each zip's path, size, source_code_hash and build time.
 */
import { parseArgs } from "node:util";
import { LAMBDA_ARCHITECTURES, type LambdaArchitecture } from "../modules/bundle";
import { buildResizerBundle } from "../modules/bundle/build";

interface CliOptions {
  readonly architectures: readonly LambdaArchitecture[];
  readonly outDir: string | undefined;
}

const USAGE = "usage: npm run bundle -- --arch arm64|x86_64|all [--out-dir DIR]";

export function parseBundleArgs(argv: readonly string[]): CliOptions {
  let values: { arch?: string; "out-dir"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { arch: { type: "string" }, "out-dir": { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    // util.parseArgs' own wording, said in this CLI's: the flag that is wrong and the usage.
    const { code, message } = error as { code?: string; message: string };
    const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new Error(`${flag} needs a value\n${USAGE}`);
    const argument = argv.find((arg) => arg === flag || arg.startsWith(`${flag}=`)) ?? /'([^']+)'/.exec(message)?.[1];
    throw new Error(`Unknown argument ${JSON.stringify(argument)}\n${USAGE}`);
  }
  if (values.help) throw new Error(USAGE);
  const { arch, "out-dir": outDir } = values;
  if (arch === undefined) throw new Error(`--arch is required\n${USAGE}`);
  if (arch === "all") return { architectures: LAMBDA_ARCHITECTURES, outDir };
  if (arch !== "arm64" && arch !== "x86_64") throw new Error(`--arch must be arm64, x86_64 or all, got ${JSON.stringify(arch)}\n${USAGE}`);
  return { architectures: [arch], outDir };
}

function main(): void {
  let options: CliOptions;
  try {
    options = parseBundleArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
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
}

if (require.main === module) main();
