/**
 * A deadline answer stops the work, not only the wait. The bundle runs under AWS's runtime interface client
 * (aws-lambda-ric) against a Runtime API stand-in that, as Lambda does, replaces a runtime process that exits.
 * The original's store answers late, so that a WebP encode the limits allow is still running at the deadline
 * (sharp's timeout counts whole seconds, so libvips stops it up to a second later; libheif's AVIF encode it does
 * not stop at all, which the limits refuse to start when too little time is left): the viewer gets the deadline
 * answer, the container then ends, the CPU it spends after the answer is bounded, and the next request is answered
 * by a fresh container.
 */
import http from "node:http";
import { listenClosable } from "./support/fake-origins";
import { randomFillSync } from "node:crypto";
import sharp from "sharp";
import { outputRefusal, type OutputShape, type SourceShape } from "../lambda-src/core/limits";
import { decodeHttpStream, processCpuSeconds, startLambdaRuntime, type LambdaRuntime } from "./support/lambda-runtime";
import { startWriteGetObjectResponseStandIn, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";

/** One vCPU: the CPU the limits count on is the CPU this machine gives the child. */
const MEMORY_MB = "1769";
const BUDGET_MS = 4000;
/** The store holds its answer this long: the encode starts late enough to outlast the deadline (3.6 s). */
const STORE_DELAY_MS = 2500;
/** A q=100 WebP of 6 Mpx of noise: about 2.7 s of CPU, begun 2.5 s into a 3.6 s deadline. */
const SIDE = 2500;
const QUERY = "w=2500&format=webp&q=100";
/** What the container may spend after its answer: the acknowledgement wait (200 ms) and the exit, with room. */
const CPU_AFTER_ANSWER_BOUND_S = 0.5;

let noise: Buffer;
let store: { endpoint: string; close(): Promise<void> };
let wgor: WriteGetObjectResponseStandIn;

/** A store answering any key with the noise JPEG (byte ranges too), its first answer to each key late. */
async function startSlowStore(body: Buffer) {
  const answered = new Set<string>();
  const server = http.createServer((req, res) => {
    const key = (req.url ?? "").split("?")[0]!;
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    const respond = (): void => {
      res.writeHead(range ? 206 : 200, {
        "content-type": "image/jpeg",
        "content-length": String(end - start + 1),
        etag: '"noise"',
        ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
      });
      res.end(body.subarray(start, end + 1));
    };
    if (answered.has(key)) return respond();
    answered.add(key);
    setTimeout(respond, STORE_DELAY_MS);
  });
  return listenClosable(server);
}

beforeAll(async () => {
  const pixels = randomFillSync(Buffer.alloc(SIDE * SIDE * 3));
  noise = await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  [store, wgor] = await Promise.all([startSlowStore(noise), startWriteGetObjectResponseStandIn()]);
}, 60_000);
afterAll(async () => Promise.all([store?.close(), wgor?.close()]));

it("the limits allow the case: memory and time at one vCPU (a WebP encode is stopped by the timeout, not refused)", () => {
  const source: SourceShape = { decode: "jpeg", width: SIDE, frameHeight: SIDE, fileBytes: noise.length };
  const output: OutputShape = { format: "webp", width: SIDE, frameHeight: SIDE, frames: 1, quality: 100 };
  const deadlineSeconds = (BUDGET_MS - Math.min(1000, BUDGET_MS * 0.1)) / 1000;
  expect(outputRefusal(source, output, { memoryMb: Number(MEMORY_MB), seconds: deadlineSeconds })).toBeUndefined();
});

/** Samples a process's CPU time every 10 ms until it exits; `at(t)` is the last sample taken before `t`. */
function sampleCpu(pid: number) {
  const samples: Array<{ at: number; cpu: number }> = [];
  const timer = setInterval(() => {
    const cpu = processCpuSeconds(pid);
    if (cpu === undefined) clearInterval(timer);
    else samples.push({ at: Date.now(), cpu });
  }, 10);
  return {
    stop: () => clearInterval(timer),
    at: (t: number) => [...samples].reverse().find((s) => s.at <= t)?.cpu ?? 0,
    last: () => samples[samples.length - 1]?.cpu ?? 0,
  };
}

async function untilExited(runtime: LambdaRuntime, pid: number, withinMs: number): Promise<number | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const exit = runtime.exits.find((e) => e.pid === pid);
    if (exit !== undefined || Date.now() > deadline) return exit?.at;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("function URL, streamed", () => {
  let runtime: LambdaRuntime;
  beforeAll(async () => {
    runtime = await startLambdaRuntime({
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: MEMORY_MB,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_ENDPOINT_URL_S3: store.endpoint,
      RESIZER_ORIGIN_BUCKET: "originals",
    });
    // Warm: the budget counts from the invocation's start, and a cold start would eat into it.
    expect(decodeHttpStream(await runtime.invoke(event("warm.jpg", "w=16&format=webp"), 30_000)).statusCode).toBe(200);
  }, 120_000);
  afterAll(async () => runtime?.dispose());

  const event = (key: string, query: string) => ({
    version: "2.0",
    rawPath: `/${key}`,
    rawQueryString: query,
    headers: {},
    requestContext: { http: { method: "GET", path: `/${key}` } },
  });

  it("answers 504, then ends the container: CPU after the answer is bounded, and a fresh container answers next", async () => {
    const pid = runtime.pid();
    const cpu = sampleCpu(pid);
    const startedAt = Date.now();
    const answer = decodeHttpStream(await runtime.invoke(event("noise-a.jpg", QUERY), BUDGET_MS, "deadline-fu"));
    const answeredAt = Date.now();
    expect(answer.statusCode).toBe(504);
    expect(answer.body.toString()).toMatch(/resizing the image did not finish in time/);

    const exitedAt = await untilExited(runtime, pid, 5000);
    cpu.stop();
    const cpuAfter = cpu.last() - cpu.at(answeredAt);
    console.warn(`function URL: 504 after ${answeredAt - startedAt} ms; container ended ${exitedAt === undefined ? "not within 5 s" : `${exitedAt - answeredAt} ms later`}; CPU after the answer ${cpuAfter.toFixed(3)} s`);
    expect(exitedAt).toBeDefined();
    expect(exitedAt! - answeredAt).toBeLessThan(1000);
    expect(cpuAfter).toBeLessThan(CPU_AFTER_ANSWER_BOUND_S);
    expect(runtime.logs.some((line) => line.includes('"event":"container-ended"') && line.includes("deadline-fu"))).toBe(true);

    // The next request: a new process, which answers (the store is quick for a key it has answered before).
    const next = decodeHttpStream(await runtime.invoke(event("noise-a.jpg", "w=64&format=webp"), BUDGET_MS, "after-fu"));
    expect(next.statusCode).toBe(200);
    expect(runtime.pid()).not.toBe(pid);
  }, 30_000);

  it("a request that finishes in time keeps its container", async () => {
    const pid = runtime.pid();
    const answer = decodeHttpStream(await runtime.invoke(event("noise-a.jpg", "w=200&format=avif"), BUDGET_MS));
    expect(answer.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runtime.pid()).toBe(pid);
    expect(runtime.exits.some((e) => e.pid === pid)).toBe(false);
  }, 30_000);
});

describe("Object Lambda", () => {
  let runtime: LambdaRuntime;
  beforeAll(async () => {
    runtime = await startLambdaRuntime({
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: MEMORY_MB,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "stand-in",
      AWS_ENDPOINT_URL_S3: wgor.endpoint,
    });
    // Warm: the budget counts from the invocation's start, and a cold start would eat into it.
    await runtime.invoke(event("warm.jpg", "w=16&format=webp", "ol-warm"), 30_000);
    expect((await wgor.responseFor("ol-warm", 2000)).status).toBe(200);
  }, 120_000);
  afterAll(async () => runtime?.dispose());

  const event = (key: string, params: string, token: string) => ({
    getObjectContext: { inputS3Url: `${store.endpoint}/originals/${key}?X-Amz-Signature=stand-in`, outputRoute: "route", outputToken: token },
    userRequest: { url: `https://olap.s3-object-lambda.us-east-1.amazonaws.com/${key}`, headers: { "x-resize-params": params } },
  });

  it("answers 503 through WriteGetObjectResponse, then ends the container: CPU after the answer is bounded, and a fresh container answers next", async () => {
    const pid = runtime.pid();
    const cpu = sampleCpu(pid);
    const invocation = runtime.invoke(event("noise-b.jpg", QUERY, "ol-deadline"), BUDGET_MS, "deadline-ol");
    const written = await wgor.responseFor("ol-deadline", BUDGET_MS + 2000);
    const answeredAt = Date.now();
    expect([written.status, written.errorCode, written.errorMessage]).toEqual([503, "Timeout", expect.any(String)]);
    expect(written.errorCode).toBe("Timeout");
    // The runtime exited inside the invocation, after S3 had the answer: Lambda records Runtime.ExitError.
    expect((await invocation).body.toString()).toMatch(/Runtime.ExitError/);

    const exitedAt = await untilExited(runtime, pid, 5000);
    cpu.stop();
    const cpuAfter = cpu.last() - cpu.at(answeredAt);
    console.warn(`Object Lambda: container ended ${exitedAt === undefined ? "not within 5 s" : `${exitedAt - answeredAt} ms`} after WriteGetObjectResponse; CPU after the answer ${cpuAfter.toFixed(3)} s`);
    expect(exitedAt).toBeDefined();
    expect(cpuAfter).toBeLessThan(CPU_AFTER_ANSWER_BOUND_S);

    await runtime.invoke(event("noise-b.jpg", "w=64&format=webp", "ol-after"), BUDGET_MS);
    expect((await wgor.responseFor("ol-after", 2000)).status).toBe(200);
    expect(runtime.pid()).not.toBe(pid);
  }, 30_000);
});
