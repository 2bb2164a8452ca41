/**
 * `npm run synth:hcl [-- --output DIR]`: the stack as HCL for review, in its own folder (default
 * cdktf.out.hcl/), never beside the JSON (Terraform would load both and fail on a duplicate backend).
 *
 * cdktf writes the HCL (SYNTH_HCL_OUTPUT=true; the construct renders policies as jsonencode({...}) then).
 * Two steps make it what `terraform fmt -check` accepts and what means the same as the JSON: `cdktfHclFixed`
 * (interpolation-only strings become bare expressions, as `terraform fmt` rewrites them; heredocs hold the
 * exact value), then hclwrite's formatter (@cdktf/hcl-tools, what `cdktf synth --hcl` uses) aligns it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { format } from "@cdktf/hcl-tools";
import { S3_LOCKFILE_TERRAFORM } from "../modules/app/app-settings";
import { EXIT_CODES, parseCommandLine, runCommand } from "../modules/cli/command-line";

const ROOT = resolve(__dirname, "..");

/**
 * cdktf 0.21 writes the terraform block's plain attributes as their position and name (`0 = "required_version"`:
 * render.js hands renderSimpleAttributes the list of keys, not the values). The kit writes one there, the S3
 * backend's `required_version`; anything else would be a new case, and fails loudly.
 */
export function terraformBlockFixed(hcl: string): string {
  return hcl.replace(/^(\s*)(\d+) = "([a-z_]+)"$/gm, (_line, indent: string, _index: string, name: string) => {
    if (name !== "required_version") throw new Error(`cdktf wrote the terraform block's ${name} without its value; the kit knows only required_version`);
    return `${indent}required_version = ${JSON.stringify(S3_LOCKFILE_TERRAFORM)}`;
  });
}

/**
 * Two repairs of cdktf's HCL, each keeping the value the JSON has:
 * - `"${EXPR}"` (one interpolation and nothing else) becomes `EXPR`, as `terraform fmt` rewrites it;
 * - cdktf writes a multi-line string as `<<EOF\n<value>\nEOF`, but a heredoc's value ends with the newline
 *   before its marker, so that one adds a newline: the value's own final newline is used instead (a value
 *   without one becomes a quoted string).
 */
export function cdktfHclFixed(hcl: string): string {
  let out = "";
  let i = 0;
  while (i < hcl.length) {
    const heredoc = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\n/.exec(hcl.slice(i, i + 64));
    if (heredoc) {
      const [opening, , marker] = heredoc as unknown as [string, string, string];
      const end = new RegExp(`\\n[ \\t]*${marker}(?=\\n|$)`).exec(hcl.slice(i + opening.length));
      if (end === null) throw new Error(`unterminated heredoc ${marker}`);
      const value = hcl.slice(i + opening.length, i + opening.length + end.index);
      out += value.endsWith("\n") ? `${opening}${value}${marker}` : JSON.stringify(value).replace(/([$%])\{/g, "$1$1{");
      i += opening.length + end.index + end[0].length;
    } else if (hcl[i] === '"') {
      const stop = endOfString(hcl, i);
      const body = hcl.slice(i + 1, stop - 1);
      out += body.startsWith("${") && endOfInterpolation(body, 0) === body.length ? body.slice(2, -1) : hcl.slice(i, stop);
      i = stop;
    } else {
      out += hcl[i];
      i += 1;
    }
  }
  return out;
}

/** The index just past the string literal opening at `start` (nested templates and their strings included). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if ((c === "$" || c === "%") && text[i + 1] === "{") i = endOfInterpolation(text, i);
    else i += 1;
  }
  throw new Error(`unterminated string at ${start}`);
}

/** The index just past the `}` closing the `${` (or `%{`) at `start`. */
function endOfInterpolation(text: string, start: number): number {
  let depth = 0;
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (c === "{") depth += 1;
    if (c === "}") {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error(`unterminated interpolation at ${start}`);
}

const USAGE = `usage: npm run synth:hcl [-- --output DIR]
  Synthesizes the stack as HCL for review into DIR (default cdktf.out.hcl/), formatted as terraform fmt wants it.`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, { output: { type: "string", default: "cdktf.out.hcl" } });
  const outdir = resolve(values.output);
  rmSync(outdir, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    stdio: "inherit",
  });
  if (run.status !== 0) return run.status ?? EXIT_CODES.internal;
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  for (const stack of Object.values(manifest.stacks)) {
    const file = join(outdir, stack.synthesizedStackPath);
    writeFileSync(file, await format(cdktfHclFixed(terraformBlockFixed(readFileSync(file, "utf8")))));
    console.log(file);
  }
  return EXIT_CODES.ok;
}

if (require.main === module) {
  void runCommand("synth:hcl", USAGE, process.argv.slice(2), main, "npm run synth:hcl -- --help").then((code) => {
    process.exitCode = code;
  });
}
