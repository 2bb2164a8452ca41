/** The preview as users start it (`npm run preview -- ...`), in a child process, and plain HTTP requests to it. */
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { ROOT } from "./run-app";

const CLI = join(ROOT, "scripts", "preview", "cli.ts");

export interface PreviewProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; lines: string[] }>;
}

/** The preview's command: node with ts-node's transpile-only hook, as `npm run preview` runs it. */
export function previewCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, ["-r", "ts-node/register/transpile-only", CLI, ...args]];
}

export function startPreviewProcess(args: readonly string[]): Promise<PreviewProcess> {
  const [command, argv] = previewCommand(args);
  const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json") }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  let buffered = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the preview did not start in 30 s: ${stderr}`)), 30_000);
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        const started = /^preview: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
        if (started) {
          clearTimeout(timer);
          resolve({
            url: started[1] as string,
            child,
            lines,
            stop: async (signal = "SIGINT") => {
              child.kill(signal);
              const code = await exited;
              return { code, lines };
            },
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the preview exited (${code}) before starting: ${stderr}`));
    });
  });
}

/** Runs the preview to its end (for refusals): exit code and output. */
export function runPreviewToExit(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, argv] = previewCommand(args);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => child.once("exit", (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One HTTP request, any method and headers (Origin included, which fetch would not let a caller set). */
export function http(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // The path as written: new URL() would resolve "/%2e%2e/x" to "/x" before the server saw it.
    const [, origin, path = "/"] = /^(http:\/\/[^/]+)(\/.*)?$/.exec(url) ?? [];
    const { hostname, port } = new URL(origin ?? url);
    const req = httpRequest({ hostname, port, path, method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
