/**
 * `npm run synth:hcl`: HCL for review that `terraform fmt -check` accepts and that parses back (with
 * @cdktf/hcl2json, the parser cdktf itself uses) to the same configuration as the JSON synth.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { cdktfHclFixed } from "../scripts/synth-hcl";
import { ROOT, stackJson, synthApp } from "./support/run-app";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Runs the npm script's program into a temp folder; the HCL of the stack, and whether a JSON file sat beside it. */
function synthHcl(env: Record<string, string>): string {
  const outdir = mkdtempSync(join(tmpdir(), "image-cdn-hcl-"));
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "scripts/synth-hcl.ts"), "--output", outdir], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: "pipe",
    });
    // The two formats never share a stack folder.
    if (existsSync(join(outdir, "stacks/image-cdn/cdk.tf.json"))) throw new Error("cdk.tf.json beside cdk.tf");
    return readFileSync(join(outdir, "stacks/image-cdn/cdk.tf"), "utf8");
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A jsonencode({...}) argument as cdktf writes it, read as JSON: `"k" = v` pairs, bare references as "${ref}". */
function hclObjectToJson(expression: string): Json {
  let json = "";
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === '"') {
      let end = i + 1;
      let depth = 0;
      while (end < expression.length && !(expression[end] === '"' && depth === 0)) {
        if (expression[end] === "\\") end += 1;
        else if (expression.startsWith("${", end)) {
          depth += 1;
          end += 1;
        }
        else if (expression[end] === "}" && depth > 0) depth -= 1;
        end += 1;
      }
      json += expression.slice(i, end + 1);
      i = end + 1;
    } else if (c === "=") {
      json += ":";
      i += 1;
    } else if (/[A-Za-z_]/.test(c)) {
      // name(.attribute | [index])*: a reference inside a list ends at the list's own ']'.
      const reference = /^[A-Za-z_][\w-]*(?:\.[\w*-]+|\[[^\]]*\])*/.exec(expression.slice(i))![0];
      json += JSON.stringify(`\${${reference}}`);
      i += reference.length;
    } else {
      json += c;
      i += 1;
    }
  }
  return JSON.parse(json) as Json;
}

/** One shape for both: no "//" metadata, a block given once is the same as a list of one, JSON arguments as objects. */
function normalize(value: Json): Json {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.length === 1 && typeof items[0] === "object" && items[0] !== null && !Array.isArray(items[0]) ? items[0] : items;
  }
  if (typeof value === "string") {
    const encoded = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(value);
    if (encoded) return normalize(hclObjectToJson(encoded[1] as string));
    // JSON-valued arguments (policies, event patterns, redrive policies): the JSON synth writes them as strings.
    if (/^(\{"|\[\{"|\[")/.test(value)) return normalize(JSON.parse(value) as Json);
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "//").map(([key, v]) => [key, normalize(v)]));
}

const VARIANTS: Array<[string, Record<string, string>]> = [
  ["object-lambda origin", {}],
  ["function-url origin, custom domain, CORS, S3 backend", {
    IMAGE_CDN_ORIGIN: "function-url",
    IMAGE_CDN_DOMAIN_NAMES: "img.example.com,*.example.com,example.com",
    IMAGE_CDN_HOSTED_ZONE_ID: "Z123EXAMPLE",
    IMAGE_CDN_CORS_ORIGINS: "https://app.example.com",
    IMAGE_CDN_STATE_BUCKET: "acme-tfstate",
    IMAGE_CDN_REGION: "eu-west-1",
    IMAGE_CDN_PURGE_ON_CHANGE: "true",
  }],
  ["existing bucket left to its owner (the statements as an output)", { IMAGE_CDN_EXISTING_BUCKET: "legacy-photos", IMAGE_CDN_MANAGE_BUCKET_POLICY: "false" }],
];

describe.each(VARIANTS)("synth:hcl, %s", (_name, env) => {
  let hcl = "";
  beforeAll(() => {
    hcl = synthHcl(env);
  }, 60_000);

  it("is accepted by terraform fmt -check", () => {
    const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
    if (terraform.error) {
      console.warn("terraform fmt -check not run: no terraform binary on PATH");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "image-cdn-fmt-"));
    try {
      writeFileSync(join(dir, "cdk.tf"), hcl);
      const fmt = spawnSync("terraform", ["fmt", "-check", "-diff", join(dir, "cdk.tf")], { encoding: "utf8" });
      expect({ status: fmt.status, diff: fmt.stdout }).toEqual({ status: 0, diff: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows policies as jsonencode({...}), not as escaped JSON strings", () => {
    expect(hcl).toMatch(/^\s+policy\s+= jsonencode\(\{ "Version" = "2012-10-17"/m);
    expect(hcl).not.toContain('\\"Version\\"');
  });

  it("parses back to the same configuration as the JSON synth", async () => {
    const fromHcl = normalize((await parse("cdk.tf", hcl)) as Json);
    const fromJson = normalize(stackJson(synthApp("main.ts", env), "image-cdn") as Json);
    expect(fromHcl).toEqual(fromJson);
  });
});

describe("cdktfHclFixed: what terraform fmt rewrites, and heredocs that hold the exact value", () => {
  it.each([
    ['a = "${x.y}"\n', "a = x.y\n"],
    ['a = "${x.y}/*"\n', 'a = "${x.y}/*"\n'],
    ['a = "${jsonencode({ "k" = "${b.c}:*" })}"\n', 'a = jsonencode({ "k" = "${b.c}:*" })\n'],
    ['a = "${x}${y}"\n', 'a = "${x}${y}"\n'],
    ['a = "plain \\"q\\""\n', 'a = "plain \\"q\\""\n'],
    ['code = <<EOF\nvar s = "q";\n\nEOF\nb = "${y}"\n', 'code = <<EOF\nvar s = "q";\nEOF\nb = y\n'],
    ['code = <<EOF\nno final newline\nEOF\n', 'code = "no final newline"\n'],
  ])("%j -> %j", (input, output) => {
    expect(cdktfHclFixed(input)).toBe(output);
  });
});

it("a JSON synth after an HCL one leaves no cdk.tf beside cdk.tf.json", () => {
  const outdir = mkdtempSync(join(tmpdir(), "image-cdn-both-"));
  try {
    const app = [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "main.ts")];
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: outdir };
    execFileSync(process.execPath, app, { cwd: ROOT, env: { ...env, SYNTH_HCL_OUTPUT: "true" }, stdio: "pipe" });
    expect(existsSync(join(outdir, "stacks/image-cdn/cdk.tf"))).toBe(true);
    execFileSync(process.execPath, app, { cwd: ROOT, env, stdio: "pipe" });
    expect(existsSync(join(outdir, "stacks/image-cdn/cdk.tf.json"))).toBe(true);
    expect(existsSync(join(outdir, "stacks/image-cdn/cdk.tf"))).toBe(false);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}, 60_000);
