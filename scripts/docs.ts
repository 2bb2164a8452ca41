/**
 * `npm run docs [-- --check]`: rewrites the parts of the README and `help` that restate a declaration in the code,
 * so that the declaration is the one place to change: the error table (lambda-src/core/errors.ts) and the app's
 * settings (modules/app/app-settings.ts). In the README a generated block sits between `<!-- generated: NAME -->` and
 * `<!-- end generated: NAME -->`; in `help`, between the settings heading and the line after the list. --check
 * changes nothing and exits 3 when a block is out of date (docs.test.ts runs it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ERRORS } from "../lambda-src/core/errors";
import { SETTINGS } from "../modules/app/app-settings";
import { EXIT_CODES, parseCommandLine, runCommand } from "../modules/cli/command-line";

const ROOT = join(__dirname, "..");

/** Markdown table cells: a pipe would end the cell. */
const cell = (text: string): string => text.replace(/\|/g, "\\|");

export function errorTable(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${cell(e.when)} | ${e.status} | ${e.objectLambdaStatus} |`);
  return ["| code | when | function-url origin | object-lambda origin (status; the code is S3's `<Code>`) |", "| --- | --- | ---: | ---: |", ...rows].join("\n");
}

export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]) => `| \`${name}\` | ${cell(s.help)} | ${"prop" in s ? `\`${s.prop}\`` : "— (the app itself)"} |`);
  return ["| variable | what it sets (default) | construct prop |", "| --- | --- | --- |", ...rows].join("\n");
}

/** help's list: the name in a 27-wide column, the text wrapped at 110 columns under itself. */
export function settingsHelp(): string {
  const indent = " ".repeat(31);
  return Object.entries(SETTINGS).map(([name, s]) => {
    const words = s.help.split(" ");
    const lines: string[] = [];
    let line = name.length <= 25 ? `    ${name.padEnd(27)}` : `    ${name}  `;
    for (const word of words) {
      if (line.length + word.length > 110 && line.trim() !== name) {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
    return lines.join("\n");
  }).join("\n");
}

interface Block {
  readonly file: "README.md" | "help";
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly render: () => string;
}

const markdown = (name: string, render: () => string): Block => ({ file: "README.md", name, start: `<!-- generated: ${name} -->\n`, end: `\n<!-- end generated: ${name} -->`, render });

export const BLOCKS: readonly Block[] = [
  markdown("errors", errorTable),
  markdown("settings", settingsTable),
  { file: "help", name: "settings", start: "under \"context\" in cdktf.json):\n\n", end: "\n\n  A wrong or unknown setting", render: settingsHelp },
];

/** The file's text with the block rendered anew; throws when its markers are missing. */
export function withBlock(text: string, block: Block): string {
  const from = text.indexOf(block.start);
  const to = from < 0 ? -1 : text.indexOf(block.end, from + block.start.length);
  if (from < 0 || to < 0) throw new Error(`${block.file}: the generated block "${block.name}" has lost its markers`);
  return text.slice(0, from + block.start.length) + block.render() + text.slice(to);
}

/** Each file as it should read. */
export function renderedFiles(root = ROOT): Map<string, { current: string; expected: string }> {
  const files = new Map<string, { current: string; expected: string }>();
  for (const block of BLOCKS) {
    const entry = files.get(block.file) ?? { current: readFileSync(join(root, block.file), "utf8"), expected: "" };
    entry.expected = withBlock(entry.expected || entry.current, block);
    files.set(block.file, entry);
  }
  return files;
}

const USAGE = `usage: npm run docs [-- --check]
  Rewrites the README's and help's generated blocks (errors, settings) from their declarations in the code.
  --check  change nothing; exit 3 when a block is out of date`;

function main(argv: readonly string[]): number {
  const { values } = parseCommandLine(argv, { check: { type: "boolean", default: false } });
  let stale = 0;
  for (const [file, { current, expected }] of renderedFiles()) {
    if (current === expected) continue;
    stale += 1;
    if (values.check) process.stderr.write(`docs: ${file} is out of date; run npm run docs\n`);
    else writeFileSync(join(ROOT, file), expected);
  }
  return values.check && stale > 0 ? EXIT_CODES.checkFailed : EXIT_CODES.ok;
}

if (require.main === module) {
  void runCommand("docs", USAGE, process.argv.slice(2), main, "npm run docs -- --help").then((code) => {
    process.exitCode = code;
  });
}
