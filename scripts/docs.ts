/**
 * `npm run docs [-- --check]`: rewrites the parts of the README and `help` that restate a declaration in the code,
 * so that the declaration is the one place to change: the construct's props (their doc comments in
 * modules/construct/props.ts), the URL contract's parameters and formats
 * (lambda-src/core/contract.ts), the error table (lambda-src/core/errors.ts), the app's settings
 * (modules/app/app-settings.ts) and the exit codes (modules/cli/command-line.ts). In the README a generated block sits between `<!-- generated: NAME -->` and
 * `<!-- end generated: NAME -->`; in `help`, between the settings heading and the line after the list. --check
 * changes nothing and exits 3 when a block is out of date (docs.test.ts runs it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { cacheKeyValues } from "../modules/construct/cardinality";
import { alarmSpecs } from "../modules/construct/dashboard";
import { dashboardSvg, PICTURED } from "./dashboard-picture";
import { decimalSteps, DEFAULT_RESIZER_CONFIG, IMAGE_FORMAT_NAMES, IMAGE_FORMATS, PARAMETER_NAMES, PARAMETERS, type ParameterDeclaration } from "../lambda-src/core/contract";
import { ERRORS } from "../lambda-src/core/errors";
import { SETTING_TYPE_DOCS, SETTINGS, type SettingSpec } from "../modules/app/app-settings";
import { EXIT_CODE_TABLE, EXIT_CODES, EXIT_CODES_LINE, parseCommandLine, runCommand } from "../modules/cli/command-line";

const ROOT = join(__dirname, "..");

/** Markdown table cells: a pipe would end the cell, and `<`, outside a code span, would open an HTML tag. */
const cell = (text: string): string =>
  text === "" ? "—" : text.split("`").map((part, i) => (i % 2 === 0 ? part.replace(/</g, "&lt;") : part)).join("`").replace(/\|/g, "\\|");

interface Row {
  readonly path: string;
  readonly doc: string;
  readonly fallback: string;
}

/** A doc comment's text and @default, on one line each. */
function docOf(node: ts.Node): { text: string; fallback: string } {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const flat = (comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string =>
    (typeof comment === "string" ? comment : ts.getTextOfJSDocComment(comment) ?? "").replace(/\s+/g, " ").trim();
  const text = docs.map((doc) => flat(doc.comment)).filter(Boolean).join(" ");
  const fallback = docs.flatMap((doc) => doc.tags ?? []).filter((tag) => tag.tagName.text === "default").map((tag) => flat(tag.comment)).join(" ");
  return { text, fallback };
}

export function propRows(file: string): Row[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map(source.statements.filter(ts.isInterfaceDeclaration).map((node) => [node.name.text, node]));
  const rows: Row[] = [];
  const visit = (node: ts.InterfaceDeclaration, prefix: string): void => {
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || member.name === undefined) continue;
      const path = `${prefix}${member.name.getText(source)}`;
      const { text, fallback } = docOf(member);
      const nested = member.type !== undefined && ts.isTypeReferenceNode(member.type) ? interfaces.get(member.type.typeName.getText(source)) : undefined;
      if (nested === undefined) {
        rows.push({ path, doc: text, fallback });
        continue;
      }
      const own = docOf(nested);
      if (text || own.text) rows.push({ path, doc: [text, own.text].filter(Boolean).join(" "), fallback: fallback || own.fallback });
      visit(nested, `${path}.`);
    }
  };
  const root = interfaces.get("ImageCdnProps");
  if (root === undefined) throw new Error(`${file}: no ImageCdnProps`);
  visit(root, "");
  return rows;
}

/**
 * The props, from the doc comments of modules/construct/props.ts: each prop of ImageCdnProps (and, for a prop whose
 * type is an interface of that file, each of its props as `parent.child`), its comment's text and its `@default`.
 */
export function propsTable(): string {
  const rows = propRows(join(ROOT, "modules", "construct", "props.ts"));
  return ["| prop | meaning | default |", "| --- | --- | --- |", ...rows.map((row) => `| \`${row.path}\` | ${cell(row.doc)} | ${cell(row.fallback)} |`)].join("\n");
}


/** A parameter's values and default, named by the `resizer` props that bound them. */
function parameterRow(name: string, declaration: ParameterDeclaration): string {
  const code = (value: string | number): string => `\`${value}\``;
  const fallback = declaration.default === null ? "—" : declaration.type === "integer" ? code(`resizer.${declaration.default}`) : code(declaration.default);
  let values: string;
  switch (declaration.type) {
    case "choice":
      values = declaration.values.map(code).join(", ");
      break;
    case "decimal":
      values = `${declaration.min} to ${declaration.max}, in steps of ${declaration.step} (snapped)`;
      break;
    case "color":
      values = "`rgb` or `rrggbb` hex, snapped to `rgb`";
      break;
    case "integer": {
      const max = typeof declaration.max === "number" ? String(declaration.max) : code(`resizer.${declaration.max}`);
      const list = declaration.allowList;
      values = list === null ? `integers 1..${max}` : typeof list === "string" ? `integers 1..${max}, one of ${code(`resizer.${list}`)} when set` : list.map(code).join(", ");
    }
  }
  return `| ${code(name)} | ${values} | ${fallback} | ${cell(declaration.doc)} |`;
}

export function parameterTable(): string {
  return ["| parameter | values | default | what |", "| --- | --- | --- | --- |", ...PARAMETER_NAMES.map((name) => parameterRow(name, PARAMETERS[name]))].join("\n");
}

/**
 * How many values each parameter adds to the cache key (its one spelling per value, absent counted apart): what
 * bounds the variants per original. w and h carry dpr, folded in at the edge.
 */
export function cardinalityTable(): string {
  const dprSteps = decimalSteps(PARAMETERS.dpr).length;
  const rows = PARAMETER_NAMES.map((name) => {
    const declaration: ParameterDeclaration = PARAMETERS[name];
    // w and h depend on the deployment's limits and allow-lists: said in words; the rest are fixed.
    const values = declaration.type === "integer" && typeof declaration.allowList === "string"
      ? `\`resizer.${String(declaration.max)}\`, or the allow-list's length × ${dprSteps} (its values at each \`dpr\`)`
      : declaration.type === "integer" && typeof declaration.max !== "number" && declaration.allowList === null
        ? `\`resizer.${declaration.max}\``
        : name === "dpr" ? "0 (folded into `w` and `h`)" : cacheKeyValues(name, DEFAULT_RESIZER_CONFIG).toLocaleString("en-US");
    return `| \`${name}\` | ${values} |`;
  });
  return ["| parameter | values in the cache key besides absent |", "| --- | ---: |", ...rows].join("\n");
}

export function formatTable(): string {
  const rows = IMAGE_FORMAT_NAMES.map((name) => {
    const f = IMAGE_FORMATS[name];
    return `| \`${name}\` | \`${f.mime}\` | ${f.extensions.map((e) => `\`${e}\``).join(", ")} | ${f.animated ? "kept" : "a still image"} | ${f.requestable ? `\`format=${name}\`` : "only as an animated original's own format"} |`;
  });
  return ["| format | Content-Type | file names (preview) | animation | asked for by |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

export function exitCodeTable(): string {
  return ["| code | meaning |", "| ---: | --- |", ...Object.values(EXIT_CODE_TABLE).map((row) => `| ${row.code} | ${cell(row.meaning)} |`)].join("\n");
}

/** help's line, wrapped at 100 columns under a two-space indent. */
export function exitCodesHelp(): string {
  const lines: string[] = [];
  let line = " ";
  for (const word of EXIT_CODES_LINE.split(" ")) {
    if (line.length + word.length + 1 > 100) {
      lines.push(line);
      line = " ";
    }
    line += ` ${word}`;
  }
  return [...lines, line].join("\n");
}

export function errorTable(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${cell(e.when)} | ${e.status} | ${e.objectLambdaStatus} |`);
  return ["| code | when | function-url origin | object-lambda origin (status; the code is S3's `<Code>`) |", "| --- | --- | ---: | ---: |", ...rows].join("\n");
}

export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]: [string, SettingSpec]) => {
    const value = `${SETTING_TYPE_DOCS[s.type]}${s.unit === undefined ? "" : ` (${s.unit})`}`;
    return `| \`${name}\` | ${cell(s.help)} | ${cell(value)} | ${s.prop === undefined ? "— (the app itself)" : `\`${s.prop}\``} |`;
  });
  return ["| variable | what it sets (default) | value | construct prop |", "| --- | --- | --- | --- |", ...rows].join("\n");
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
  readonly file: "README.md" | "help" | "docs/dashboard.svg";
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly render: () => string;
}

/** The alarms of the deployment the dashboard's picture shows (default thresholds, purge on, a 10 s timeout). */
export function alarmTable(): string {
  const specs = alarmSpecs(PICTURED);
  const rows = specs.map((spec) => `| ${cell(spec.title)} | \`${spec.namespace}\` ${spec.metricName}, ${spec.statistic} over ${spec.periodSeconds / 60} min${spec.region === "cloudfront" ? " (us-east-1)" : ""} | ${cell(spec.means)} | ${cell(spec.todo)} |`);
  return ["| alarm | watches | fires when (default threshold) | what to do |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const markdown = (name: string, render: () => string): Block => ({ file: "README.md", name, start: `<!-- generated: ${name} -->\n`, end: `\n<!-- end generated: ${name} -->`, render });

export const BLOCKS: readonly Block[] = [
  markdown("props", propsTable),
  markdown("parameters", parameterTable),
  markdown("formats", formatTable),
  markdown("cardinality", cardinalityTable),
  markdown("errors", errorTable),
  markdown("exit-codes", exitCodeTable),
  markdown("settings", settingsTable),
  markdown("alarms", alarmTable),
  // The dashboard's picture: an SVG whose XML comments (allowed before and after the root element) are the markers.
  { file: "docs/dashboard.svg", name: "dashboard", start: "<!-- generated: dashboard -->\n", end: "\n<!-- end generated: dashboard -->", render: () => dashboardSvg() },
  { file: "help", name: "settings", start: "under \"context\" in cdktf.json):\n\n", end: "\n\n  A wrong or unknown setting", render: settingsHelp },
  { file: "help", name: "exit-codes", start: "npm run preview -- --help).\n", end: "\n\n  Already have a cdktf app?", render: exitCodesHelp },
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
  Rewrites the README's and help's generated blocks (props, parameters, formats, errors, settings, exit
  codes) from their declarations in the code.
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
