/**
 * One set of conventions for every command of the kit (image-cdn-kit sign/review/plan, preview, cost, bench,
 * setup): Node's `util.parseArgs` in strict mode; `--help` and `-h` print the usage on stdout and exit 0; a
 * wrong flag or argument is one line on stderr, `<command>: <what>; see <command> --help`, and exit 2; the exit
 * codes below, the same for all (the README's table).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * The exit codes, one row each: the code, the few words usage texts give it, and what it means (the README's table
 * and help's line are generated from these: npm run docs).
 */
export const EXIT_CODE_TABLE = {
  ok: { code: 0, brief: "done", meaning: "done" },
  internal: { code: 1, brief: "internal error", meaning: "an internal error: something failed that is not your input (a bug, the file system, a tool that crashed)" },
  usage: { code: 2, brief: "wrong flag or argument", meaning: "a wrong flag, value or argument: one line on stderr names it and ends with how to get help" },
  checkFailed: { code: 3, brief: "a check failed", meaning: "a check failed: `review --fail-on-access-change` saw a change in who may do what, a stack did not plan, `docs --check` found a stale block" },
  missingPrerequisite: { code: 4, brief: "a prerequisite is missing", meaning: "a prerequisite is missing: no `terraform` on PATH for `plan`, a Node older than `engines` for `setup`" },
} as const;

export const EXIT_CODES = Object.fromEntries(Object.entries(EXIT_CODE_TABLE).map(([name, row]) => [name, row.code])) as {
  readonly [K in keyof typeof EXIT_CODE_TABLE]: (typeof EXIT_CODE_TABLE)[K]["code"];
};

/** The codes in one line, as usage texts end with it. */
export const EXIT_CODES_LINE = `Exit codes: ${Object.values(EXIT_CODE_TABLE).map((row) => `${row.code} ${row.brief}`).join(", ")}.`;

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
