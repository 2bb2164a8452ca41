/** The Lambda bundle: zip size per architecture, and how long the handler module takes to load. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import yauzl from "yauzl";
import type { Bundle } from "./core";

export type Architecture = "arm64" | "x86_64";

export interface BundleSize {
  readonly architecture: Architecture;
  readonly zipPath: string;
  readonly sizeBytes: number;
  readonly buildMs: number;
}

export function measureBundle(builder: Bundle, architecture: Architecture): BundleSize {
  const start = process.hrtime.bigint();
  const bundle = builder.buildResizerBundle({ architecture });
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { architecture, zipPath: bundle.zipPath, sizeBytes: fs.statSync(bundle.zipPath).size, buildMs };
}

export async function unzip(zipPath: string, targetDir: string): Promise<void> {
  fs.rmSync(targetDir, { recursive: true, force: true });
  fs.mkdirSync(targetDir, { recursive: true });
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      const target = path.resolve(targetDir, entry.fileName);
      if (!target.startsWith(`${path.resolve(targetDir)}${path.sep}`)) {
        reject(new Error(`zip entry escapes the target: ${entry.fileName}`));
        return;
      }
      if (entry.fileName.endsWith("/")) {
        fs.mkdirSync(target, { recursive: true });
        zip.readEntry();
        return;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const mode = (entry.externalFileAttributes >>> 16) & 0o777;
        stream.pipe(fs.createWriteStream(target, { mode: mode || 0o644 })).on("finish", () => zip.readEntry()).on("error", reject);
      });
    });
    zip.readEntry();
  });
}

/** Timed inside the fresh process, so node's own start-up is reported apart from the module load. */
const LOAD_PROBE = `
const start = process.hrtime.bigint();
const mod = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, handler: typeof mod.handler }) + "\\n");
`;

export interface LoadTime {
  /** require(<module>) inside a fresh process, ms. */
  readonly samples: readonly number[];
  /** The whole process, spawn to exit (node start-up included), ms. */
  readonly processSamples: readonly number[];
  /** typeof the module's `handler` export. */
  readonly handlerType: string;
}

/** Loads `modulePath` in `runs` fresh node processes started in the bundle's folder. */
export function measureModuleLoad(bundleDir: string, modulePath: string, runs: number): LoadTime {
  const samples: number[] = [];
  const processSamples: number[] = [];
  let handlerType = "missing";
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    // The env Lambda provides, and nothing that could resolve modules from the repo instead of the bundle.
    const run = spawnSync(process.execPath, ["-e", LOAD_PROBE, modulePath], {
      cwd: bundleDir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", NODE_PATH: "" },
    });
    processSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`loading ${modulePath} failed: ${run.stderr.trim()}`);
    const probe = JSON.parse(run.stdout.trim()) as { ms: number; handler: string };
    samples.push(probe.ms);
    handlerType = probe.handler;
  }
  return { samples, processSamples, handlerType };
}
