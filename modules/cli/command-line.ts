/**
 * One set of conventions for every command of the kit (image-cdn-kit sign/review/plan, preview, cost, bench,
 * setup): Node's `util.parseArgs` in strict mode; `--help` and `-h` print the usage on stdout and exit 0; a
 * wrong flag or argument is one line on stderr, `<command>: <what>; see <command> --help`, and exit 2; the exit
 * codes below, the same for all (the README's table).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** Something failed that is not the caller's input: a bug, the file system, a crashed tool. */
  internal: 1,
  /** A wrong flag, value or argument. */
  usage: 2,
  /** The command ran and a gate it checks failed: review --fail-on-access-change, a stack that does not plan. */
  checkFailed: 3,
  /** Something the command needs is not on the machine (terraform for plan, a newer Node for setup). */
  missingPrerequisite: 4,
} as const;

/** A wrong flag, value or argument: exit 2 with this one line. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedCommandLine<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>["values"];
  readonly positionals: string[];
}

/** True when the arguments ask for help (before a `--`, which ends the options). */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/** parseArgs, strict, with its errors turned into one short line that names the flag. */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O, allowPositionals = false): ParsedCommandLine<O> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    if (!allowPositionals && positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    return { values, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(parseArgsReason(error as Error & { code?: string }, options));
  }
}

function parseArgsReason(error: Error & { code?: string }, options: Options): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1] ?? "";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const known = Object.keys(options).map((name) => `--${name}`).join(", ");
    return `unknown option ${flag}; allowed: ${known ? `${known}, ` : ""}--help`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return options[flag.replace(/^-+/, "")]?.type === "boolean" ? `${flag} takes no value` : `${flag} needs a value`;
  }
  return error.message.split("\n")[0]!;
}

/**
 * Runs a command's main with the shared conventions: help, usage errors (exit 2) and unexpected errors (exit 1)
 * reported in one line each, prefixed with the command's name. `main` returns its exit code.
 */
export async function runCommand(
  name: string,
  usage: string,
  argv: readonly string[],
  main: (argv: readonly string[]) => Promise<number> | number,
  /** How the user asks for help, when not `<name> --help` (an npm script: `npm run preview -- --help`). */
  helpCommand = `${name} --help`,
): Promise<number> {
  if (asksForHelp(argv)) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    return EXIT_CODES.ok;
  }
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}; see ${helpCommand}\n`);
      return EXIT_CODES.usage;
    }
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.internal;
  }
}
