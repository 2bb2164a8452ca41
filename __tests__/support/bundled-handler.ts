import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Context } from "aws-lambda";
import { buildResizerBundle } from "../../modules/bundle/build";
import { unzip } from "./unzip";

/** Any event the resizer takes, resolving with what the handler returned. */
export type ResizerHandler = (event: unknown, context: Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">) => Promise<unknown>;

export interface BundledHandler {
  readonly handler: ResizerHandler;
  /** Any event, resolving with what the handler returned (a function URL response, say). */
  readonly invoke: (event: unknown, context: Pick<Context, "getRemainingTimeInMillis" | "awsRequestId">) => Promise<unknown>;
  readonly sizeBytes: number;
  /** The child's peak RSS so far, in bytes (what a Lambda memory limit is measured against). */
  readonly peakRss: () => Promise<number>;
  readonly dispose: () => Promise<void>;
}

type RunnerMessage =
  | { type: "ready" }
  | { type: "load-error"; message: string }
  | { type: "log"; line: string }
  | { type: "result"; id: number; value?: unknown; error?: string }
  | { type: "rss"; maxRssBytes: number };

/**
 * The handler as Lambda loads it: the x86_64 bundle (this machine's architecture, so its
 * native sharp loads) built by modules/bundle, unzipped into a temp dir and `require`d
 * through `index.js` by plain Node (this one, or `options.node`) in a child process (one warm container). Invocations
 * and log lines cross over IPC; the child's environment is the parent's at load time, with
 * `envOverrides` on top (a container configured differently).
 */
export async function loadBundledHandler(envOverrides: Readonly<Record<string, string>> = {}, options: { readonly node?: string } = {}): Promise<BundledHandler> {
  const bundle = buildResizerBundle({ architecture: "x86_64" });
  const dir = await mkdtemp(path.join(tmpdir(), "resizer-bundle-"));
  unzip(bundle.zipPath, dir);

  const child = fork(path.join(__dirname, "bundle-runner.cjs"), [dir], {
    execArgv: [],
    // Another Node than this one (the Lambda runtime's major): node-versions.test.ts.
    ...(options.node === undefined ? {} : { execPath: options.node }),
    // Explicitly: under jest, process.env is the test's copy, which fork() would not see.
    env: { ...process.env, ...envOverrides },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on("message", (message: RunnerMessage) => {
    if (message.type === "log") process.stdout.write(`${message.line}\n`);
    if (message.type !== "result") return;
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) call?.resolve(message.value);
    else call?.reject(new Error(message.error));
  });
  child.on("exit", (code) => {
    for (const call of pending.values()) call.reject(new Error(`bundle runner exited (${code}): ${stderr}`));
    pending.clear();
  });
  await waitUntilReady(child, () => stderr);

  let nextId = 0;
  const invoke: BundledHandler["invoke"] = (event, context) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.send({ type: "invoke", id, event, requestId: context.awsRequestId, budgetMs: context.getRemainingTimeInMillis() });
    });
  const peakRss = (): Promise<number> =>
    new Promise<number>((resolve) => {
      const listener = (message: RunnerMessage): void => {
        if (message.type !== "rss") return;
        child.off("message", listener);
        resolve(message.maxRssBytes);
      };
      child.on("message", listener);
      child.send({ type: "rss" });
    });

  return {
    handler: invoke,
    invoke,
    peakRss,
    sizeBytes: bundle.sizeBytes,
    dispose: async () => {
      if (child.exitCode === null) {
        child.kill();
        await new Promise((resolve) => child.once("exit", resolve));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function waitUntilReady(child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.on("message", (message: RunnerMessage) => {
      if (message.type === "ready") resolve();
      if (message.type === "load-error") reject(new Error(`the bundle did not load: ${message.message}`));
    });
    child.once("exit", (code) => reject(new Error(`bundle runner exited (${code}) before loading: ${stderr()}`)));
  });
}
