/**
 * The README's and help's generated blocks (scripts/docs.ts) are current: the parameters and formats are the
 * contract's, the error table is ERRORS, the settings are SETTINGS, the exit codes EXIT_CODE_TABLE. A declaration changed without `npm run docs` fails here; so does a block whose markers were edited away.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IMAGE_FORMATS, PARAMETERS } from "../lambda-src/core/contract";
import { ERRORS } from "../lambda-src/core/errors";
import { EXIT_CODE_TABLE, EXIT_CODES_LINE } from "../modules/cli/command-line";
import { SETTINGS } from "../modules/app/app-settings";
import { BLOCKS, propRows, renderedFiles, withBlock } from "../scripts/docs";
import { ROOT } from "./support/run-app";

it("every generated block of the README and help is current (else: npm run docs)", () => {
  for (const [file, { current, expected }] of renderedFiles()) expect({ file, current }).toEqual({ file, current: expected });
});

it("the README's error table has a row per code with both origins' statuses; help lists every setting once", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const [code, e] of Object.entries(ERRORS)) expect(readme).toContain(`| \`${code}\` | ${e.when} | ${e.status} | ${e.objectLambdaStatus} |`);
  const help = readFileSync(join(ROOT, "help"), "utf8");
  for (const name of Object.keys(SETTINGS)) expect(help.match(new RegExp(`^    ${name}\\s`, "gm"))).toHaveLength(1);
});

it("the README has a row per URL parameter, format and exit code; help says the exit codes in the usage texts' words", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const name of Object.keys(PARAMETERS)) expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\| `, "m"));
  for (const [name, format] of Object.entries(IMAGE_FORMATS)) expect(readme).toContain(`| \`${name}\` | \`${format.mime}\` |`);
  for (const row of Object.values(EXIT_CODE_TABLE)) expect(readme).toMatch(new RegExp(`^\\| ${row.code} \\| `, "m"));
  const help = readFileSync(join(ROOT, "help"), "utf8").replace(/\n\s+/g, " ");
  expect(help).toContain(EXIT_CODES_LINE);
});

it("every prop of ImageCdnProps, nested ones too, has a doc comment the README's props table is made from", () => {
  const rows = propRows(join(ROOT, "modules", "construct", "props.ts"));
  expect(rows.map((row) => row.path)).toEqual(expect.arrayContaining(["origin", "bucket.namePrefix", "resizer.memorySize", "cache.errorTtl", "domain.names", "presets", "tags"]));
  expect(rows.filter((row) => row.doc === "").map((row) => row.path)).toEqual([]);
});

it("names a block whose markers are gone, and --check fails on a stale copy without changing it", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  expect(() => withBlock(readme.replace("<!-- end generated: errors -->", ""), BLOCKS.find((block) => block.file === "README.md" && block.name === "errors")!)).toThrow('README.md: the generated block "errors" has lost its markers');
  const copy = mkdtempSync(join(tmpdir(), "image-cdn-docs-"));
  try {
    for (const file of new Set(BLOCKS.map((block) => block.file))) cpSync(join(ROOT, file), join(copy, file));
    const stale = readme.replace("| `NoSuchKey` |", "| `NoSuchKey` (edited by hand) |");
    writeFileSync(join(copy, "README.md"), stale);
    const files = renderedFiles(copy);
    expect(files.get("README.md")!.current).not.toBe(files.get("README.md")!.expected);
    expect(files.get("help")!.current).toBe(files.get("help")!.expected);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  const check = spawnSync("npm", ["run", "--silent", "docs", "--", "--check"], { cwd: ROOT, encoding: "utf8" });
  expect([check.status, check.stderr]).toEqual([0, ""]);
}, 60_000);
