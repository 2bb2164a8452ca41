import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const ROOT = join(__dirname, "..", "..");

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  }).sort();
}

/**
 * Runs a cdktf app file the way `cdktf synth` does (CDKTF_OUTDIR, no AWS credentials, no network
 * check-in) and returns every file it wrote: relative path -> bytes. `root` is the checkout the app
 * file belongs to, `cwd` where it runs from (both the repo by default), `node` the Node binary (this one).
 */
export function synthApp(appFile: string, env: Record<string, string> = {}, where: { root?: string; cwd?: string; node?: string } = {}): Map<string, Buffer> {
  const outdir = mkdtempSync(join(tmpdir(), "image-cdn-synth-"));
  const root = where.root ?? ROOT;
  try {
    execFileSync(where.node ?? process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", "--project", join(root, "tsconfig.json"), join(root, appFile)], {
      cwd: where.cwd ?? root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", ...env },
      stdio: "pipe",
    });
    return new Map(listFiles(outdir).map((file) => [relative(outdir, file), readFileSync(file)]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The parsed cdk.tf.json of one stack from synthApp's output. */
export function stackJson(files: Map<string, Buffer>, stack: string) {
  const file = files.get(`stacks/${stack}/cdk.tf.json`);
  if (!file) throw new Error(`no stack ${stack} in [${[...files.keys()].join(", ")}]`);
  return JSON.parse(file.toString("utf8"));
}
