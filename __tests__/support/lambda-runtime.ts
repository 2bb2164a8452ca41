/**
 * The resizer's unpacked bundle run by AWS's own Node.js runtime interface client (npm aws-lambda-ric, the
 * code Lambda's Node.js runtime runs) in a child process, against a local server of the documented Lambda
 * Runtime API (Lambda developer guide, "Using the Lambda runtime API for custom runtimes"): GET
 * /runtime/invocation/next hands out events, POST .../response takes a buffered result or a streamed one
 * (Lambda-Runtime-Function-Response-Mode: streaming, chunked, error trailers), POST .../error and
 * /runtime/init/error take failures. So `awslambda`, streamifyResponse, HttpResponseStream and the wire
 * format are AWS's code, not a stand-in's. As Lambda does, a runtime process that exits is replaced by a fresh one
 * (a new execution environment) for the next invocation, and an invocation it left unanswered fails with
 * Runtime.ExitError.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildResizerBundle } from "../../modules/bundle/build";
import { unzip } from "./unzip";

const API = "/2018-06-01/runtime";
const RIC = path.join(__dirname, "..", "..", "node_modules", "aws-lambda-ric", "index.mjs");

/** What the runtime client posted back for one invocation. */
export interface RuntimeAnswer {
  readonly mode: "buffered" | "streaming" | "error";
  readonly contentType?: string;
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

/** A streamed function URL answer, its prelude decoded (JSON, then 8 NUL bytes, then the body). */
export interface StreamedHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The runtime's error trailer, when the handler failed after the first byte. */
  readonly errorType?: string;
}

export function decodeHttpStream(answer: RuntimeAnswer): StreamedHttpResponse {
  if (answer.contentType !== "application/vnd.awslambda.http-integration-response") {
    throw new Error(`not an HTTP integration stream: ${answer.mode} ${answer.contentType}: ${answer.body.toString("utf8").slice(0, 300)}`);
  }
  const separator = answer.body.indexOf(Buffer.alloc(8));
  const prelude = JSON.parse(answer.body.subarray(0, separator).toString("utf8")) as { statusCode: number; headers?: Record<string, string> };
  return { statusCode: prelude.statusCode, headers: prelude.headers ?? {}, body: answer.body.subarray(separator + 8), errorType: answer.trailers["lambda-runtime-function-error-type"] };
}

export interface LambdaRuntime {
  readonly invoke: (event: unknown, budgetMs: number, requestId?: string) => Promise<RuntimeAnswer>;
  /** The current container's process id. */
  readonly pid: () => number;
  /** Each container that ended, in order: its process id and when it exited (Date.now()). */
  readonly exits: ReadonlyArray<{ readonly pid: number; readonly at: number }>;
  /** The function's log lines (its console output, without the runtime's prefix). */
  readonly logs: string[];
  /** Waits (up to 2 s) for the resizer's log line of `requestId`: stdout may arrive after the response. */
  readonly logLine: (requestId: string) => Promise<string | undefined>;
  readonly dispose: () => Promise<void>;
}

/** Unpacks the x86_64 bundle and starts it under aws-lambda-ric with `env` (one warm container). */
export async function startLambdaRuntime(env: Readonly<Record<string, string>>): Promise<LambdaRuntime> {
  const bundle = buildResizerBundle({ architecture: "x86_64" });
  const taskRoot = await mkdtemp(path.join(tmpdir(), "resizer-task-"));
  unzip(bundle.zipPath, taskRoot);

  const queue: Array<{ id: string; event: unknown; deadline: number }> = [];
  const waiting: http.ServerResponse[] = [];
  const pending = new Map<string, (answer: RuntimeAnswer) => void>();
  /** Invocations a runtime process has taken (and not yet answered). */
  const handedOut = new Set<string>();
  let initError: string | undefined;
  const deliver = (): void => {
    while (queue.length > 0 && waiting.length > 0) {
      const next = queue.shift()!;
      handedOut.add(next.id);
      waiting.shift()!.writeHead(200, {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": next.id,
        "lambda-runtime-deadline-ms": String(next.deadline),
        "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:123456789012:function:resizer",
        "lambda-runtime-trace-id": "Root=1-00000000-000000000000000000000000;Sampled=0",
      }).end(JSON.stringify(next.event));
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "";
      if (req.method === "GET" && url === `${API}/invocation/next`) {
        waiting.push(res);
        deliver();
        return;
      }
      const body = Buffer.concat(chunks);
      const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (invocation) {
        const streamed = req.headers["lambda-runtime-function-response-mode"] === "streaming";
        handedOut.delete(invocation[1]!);
        pending.get(invocation[1]!)?.({
          mode: invocation[2] === "error" ? "error" : streamed ? "streaming" : "buffered",
          contentType: req.headers["content-type"],
          body,
          trailers: Object.fromEntries(Object.entries(req.trailers).map(([k, v]) => [k.toLowerCase(), String(v)])),
        });
        res.writeHead(202).end();
        return;
      }
      if (url === `${API}/init/error`) initError = body.toString("utf8");
      res.writeHead(202).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const logs: string[] = [];
  let stderr = "";
  let disposing = false;
  const exits: Array<{ pid: number; at: number }> = [];
  const start = (): ChildProcess => {
    const process_ = spawn(process.execPath, [RIC], {
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
        _HANDLER: "index.handler",
        LAMBDA_TASK_ROOT: taskRoot,
        AWS_LAMBDA_FUNCTION_NAME: "resizer",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
        AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/resizer",
        AWS_LAMBDA_LOG_STREAM_NAME: "stream",
        // As the construct configures the function (logging_config log_format JSON): the runtime then wraps
        // console.log output in JSON of its own, and the resizer's lines must reach the log as they are.
        AWS_LAMBDA_LOG_FORMAT: "JSON",
        AWS_REGION: "us-east-1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    process_.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let partial = "";
    process_.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      // The runtime prefixes console output with "<time>\t<request id>\t<level>\t".
      for (const line of lines) if (line.trim() !== "") logs.push(line.split("\t").slice(3).join("\t") || line);
    });
    process_.once("exit", () => {
      exits.push({ pid: process_.pid!, at: Date.now() });
      if (disposing) return;
      // Its long poll for the next event is gone with it; the invocation it held, if any, failed.
      waiting.length = 0;
      for (const [id, settle] of pending) if (handedOut.has(id)) settle({ mode: "error", body: Buffer.from('{"errorType":"Runtime.ExitError"}'), trailers: {} });
      child = start();
    });
    return process_;
  };
  let child = start();

  let counter = 0;
  return {
    logs,
    exits,
    pid: () => child.pid!,
    logLine: async (requestId) => {
      const deadline = Date.now() + 2000;
      for (;;) {
        // The resizer's own line (the runtime's JSON wrapper of console output carries the request id too).
        const line = logs.find((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"source":"resizer"'));
        if (line !== undefined || Date.now() > deadline) return line;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    invoke: (event, budgetMs, requestId = `ric-${++counter}`) =>
      new Promise<RuntimeAnswer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from the runtime for ${requestId} (init error: ${initError ?? "none"}; stderr: ${stderr.slice(-2000)})`)), budgetMs + 5000);
        pending.set(requestId, (answer) => {
          clearTimeout(timer);
          pending.delete(requestId);
          resolve(answer);
        });
        queue.push({ id: requestId, event, deadline: Date.now() + budgetMs });
        deliver();
      }),
    dispose: async () => {
      disposing = true;
      child.kill();
      if (child.exitCode === null) await once(child, "exit");
      for (const res of waiting) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(taskRoot, { recursive: true, force: true });
    },
  };
}

let clockTicks: number | undefined;

/**
 * CPU seconds (user + system, all threads) a live process has used, from /proc/<pid>/stat (proc(5): utime and
 * stime, fields 14 and 15, in clock ticks); undefined once it has exited.
 */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z") return undefined;
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}
