/**
 * A fault matrix for every stream of every path, run in the bundle as Lambda runs it: the original's store stalls
 * before its headers, stalls mid-body, resets mid-body or trickles, for each of Object Lambda GET (passthrough,
 * transform, ranged transform of a big original) and HEAD, the buffered function URL (GET passthrough, transform,
 * ranged, HEAD) and the streamed one under AWS's runtime interface client. Each case gets its documented answer
 * before the deadline, and the same process answers the next request: no stream's error is left unhandled.
 */
import http from "node:http";
import { listenClosable, trickle } from "./support/fake-origins";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES_DIR } from "../fixtures";
import { RANGE_PART_BYTES } from "../lambda-src/shared/origin";
import { loadBundledHandler, type BundledHandler } from "./support/bundled-handler";
import { lambdaEnvironment } from "./support/e2e-common";
import { fakeContext } from "./support/lambda-context";
import { decodeHttpStream, startLambdaRuntime, type LambdaRuntime } from "./support/lambda-runtime";
import { startWriteGetObjectResponseStandIn, type WriteGetObjectResponseStandIn } from "./support/write-get-object-response-stand-in";

const JPEG = readFileSync(path.join(FIXTURES_DIR, "flowers.jpeg"));
/** Big enough for three byte ranges: its first range is served, the fault hits a later one. */
const BIG = Buffer.concat([JPEG, Buffer.alloc(2 * RANGE_PART_BYTES + 1000 - JPEG.length, 0x20)]);
const BUDGET_MS = 1500;

type Fault = "stall-before-headers" | "stall-mid-body" | "reset-mid-body" | "trickle";
const FAULTS: Fault[] = ["stall-before-headers", "stall-mid-body", "reset-mid-body", "trickle"];

/** A store answering `/<bucket>/<whole|ranged>-<fault>` with that fault, and `/<bucket>/ok` (and any other key) well. */
async function startStore() {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "").split("?")[0]!.split("/").pop() ?? "");
    const [mode, ...rest] = name.split("-");
    const fault = rest.join("-") as Fault;
    const body = mode === "ranged" ? BIG : JPEG;
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    const faulty = FAULTS.includes(fault) && (mode === "whole" || start > 0);
    if (faulty && fault === "stall-before-headers") return; // never answers
    const headers = { "content-type": "image/jpeg", "content-length": String(end - start + 1), etag: '"abc"', ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}) };
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD") return void res.end();
    const part = body.subarray(start, end + 1);
    if (!faulty) return void res.end(part);
    if (fault === "reset-mid-body") return void res.write(part.subarray(0, 4096), () => req.socket.destroy());
    if (fault === "stall-mid-body") return void res.write(part.subarray(0, 4096));
    trickle(res, part);
  });
  const { endpoint, close } = await listenClosable(server);
  return { endpoint, presigned: (key: string) => `${endpoint}/originals/${key}?X-Amz-Signature=stand-in`, close };
}

let store: Awaited<ReturnType<typeof startStore>>;
let wgor: WriteGetObjectResponseStandIn;
const useEnvironment = lambdaEnvironment();
let token = 0;

beforeAll(async () => {
  [store, wgor] = await Promise.all([startStore(), startWriteGetObjectResponseStandIn()]);
  useEnvironment({});
});
afterAll(async () => Promise.all([store?.close(), wgor?.close()]));

const olGet = (key: string, params: string) => ({
  getObjectContext: { inputS3Url: store.presigned(key), outputRoute: "route", outputToken: `t-${++token}` },
  userRequest: { url: `https://olap.s3-object-lambda.us-east-1.amazonaws.com/${key}`, headers: params ? { "x-resize-params": params } : {} },
});
const olHead = (key: string, params: string) => ({
  xAmzRequestId: `h-${++token}`,
  headObjectContext: { inputS3Url: store.presigned(key) },
  userRequest: { url: `https://olap.s3-object-lambda.us-east-1.amazonaws.com/${key}`, headers: params ? { "x-resize-params": params } : {} },
});
const urlEvent = (key: string, params: string, method = "GET") => ({
  version: "2.0",
  rawPath: `/${key}`,
  rawQueryString: "",
  headers: params ? { "x-resize-params": params } : {},
  requestContext: { http: { method, path: `/${key}` } },
});

/** What the viewer is documented to get: a status, or a 200 whose body the stream cuts off (after the first byte). */
type Expected = number | "cut off";

describe("faults of the original's store, Object Lambda bundle: answered, and the container lives on", () => {
  let bundle: BundledHandler;
  beforeAll(async () => {
    bundle = await loadBundledHandler({ AWS_ENDPOINT_URL_S3: wgor.endpoint });
  }, 120_000);
  afterAll(async () => bundle?.dispose());

  /** The answer WriteGetObjectResponse got for an invocation, or "cut off" when its body never arrived whole. */
  async function getAnswer(event: ReturnType<typeof olGet>): Promise<Expected> {
    const outcome = await bundle.invoke(event, fakeContext(BUDGET_MS)).then(() => "answered", (error: Error) => (/bundle runner exited/.test(error.message) ? "crashed" : "threw"));
    expect(outcome).not.toBe("crashed");
    const recorded = await wgor.responseFor(event.getObjectContext.outputToken, 500).catch(() => undefined);
    if (recorded === undefined || (recorded.status === 200 && recorded.body.length !== recorded.contentLengthHeader)) return "cut off";
    return recorded.status;
  }

  const GET_CASES: Array<[string, string, string, Record<Fault, Expected>]> = [
    ["GET, no parameters (passthrough)", "whole", "", { "stall-before-headers": 503, "stall-mid-body": "cut off", "reset-mid-body": "cut off", trickle: "cut off" }],
    ["GET, a variant", "whole", "w=64", { "stall-before-headers": 503, "stall-mid-body": 503, "reset-mid-body": 500, trickle: 503 }],
    ["GET, a variant of a big original (ranged)", "ranged", "w=64", { "stall-before-headers": 503, "stall-mid-body": 503, "reset-mid-body": 500, trickle: 503 }],
  ];
  it.each(GET_CASES.flatMap(([what, mode, params, expected]) => FAULTS.map((fault) => [what, fault, expected[fault], mode, params] as const)))(
    "%s, %s: %s",
    async (_what, fault, expected, mode, params) => {
      expect(await getAnswer(olGet(`${mode}-${fault}`, params))).toBe(expected);
      // The same process answers the next request.
      expect(await getAnswer(olGet("ok", "w=32"))).toBe(200);
    },
  );

  it.each(FAULTS.flatMap((fault) => ["", "w=64"].map((params) => [fault, params] as const)))("HEAD, %s, parameters %j", async (fault, params) => {
    const answer = (await bundle.invoke(olHead(`whole-${fault}`, params), fakeContext(BUDGET_MS))) as { statusCode: number };
    expect(answer.statusCode).toBe(fault === "stall-before-headers" ? 503 : 200);
    expect(((await bundle.invoke(olHead("ok", ""), fakeContext(BUDGET_MS))) as { statusCode: number }).statusCode).toBe(200);
  });
});

describe("faults of the original's store, function URL bundle (buffered): answered, and the container lives on", () => {
  let bundle: BundledHandler;
  beforeAll(async () => {
    bundle = await loadBundledHandler({ AWS_ENDPOINT_URL_S3: store.endpoint, RESIZER_ORIGIN_BUCKET: "originals" });
  }, 120_000);
  afterAll(async () => bundle?.dispose());

  const status = async (event: ReturnType<typeof urlEvent>) => ((await bundle.invoke(event, fakeContext(BUDGET_MS))) as { statusCode: number }).statusCode;
  const CASES: Array<[string, string, string, string, Record<Fault, number>]> = [
    ["GET, no parameters", "whole", "", "GET", { "stall-before-headers": 504, "stall-mid-body": 504, "reset-mid-body": 502, trickle: 504 }],
    ["GET, a variant", "whole", "w=64", "GET", { "stall-before-headers": 504, "stall-mid-body": 504, "reset-mid-body": 502, trickle: 504 }],
    ["GET, a variant of a big original (ranged)", "ranged", "w=64", "GET", { "stall-before-headers": 504, "stall-mid-body": 504, "reset-mid-body": 502, trickle: 504 }],
    ["HEAD, no parameters", "whole", "", "HEAD", { "stall-before-headers": 504, "stall-mid-body": 200, "reset-mid-body": 200, trickle: 200 }],
  ];
  it.each(CASES.flatMap(([what, mode, params, method, expected]) => FAULTS.map((fault) => [what, fault, mode, params, method, expected[fault]] as const)))(
    "%s, %s",
    async (_what, fault, mode, params, method, expected) => {
      expect(await status(urlEvent(`${mode}-${fault}`, params, method))).toBe(expected);
      expect(await status(urlEvent("ok", "w=32"))).toBe(200);
    },
  );
});

describe("faults of the original's store, function URL streamed under aws-lambda-ric: answered, and the container lives on", () => {
  let runtime: LambdaRuntime;
  beforeAll(async () => {
    runtime = await startLambdaRuntime({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_ENDPOINT_URL_S3: store.endpoint, RESIZER_ORIGIN_BUCKET: "originals" });
  }, 120_000);
  afterAll(async () => runtime?.dispose());

  const answer = async (event: ReturnType<typeof urlEvent>): Promise<Expected> => {
    const streamed = decodeHttpStream(await runtime.invoke(event, BUDGET_MS));
    return streamed.statusCode === 200 && streamed.errorType !== undefined ? "cut off" : streamed.statusCode;
  };
  const CASES: Array<[string, string, string, Record<Fault, Expected>]> = [
    ["GET, no parameters (streamed as it downloads)", "whole", "", { "stall-before-headers": 504, "stall-mid-body": "cut off", "reset-mid-body": "cut off", trickle: "cut off" }],
    ["GET, a variant", "whole", "w=64", { "stall-before-headers": 504, "stall-mid-body": 504, "reset-mid-body": 502, trickle: 504 }],
    ["GET, a variant of a big original (ranged)", "ranged", "w=64", { "stall-before-headers": 504, "stall-mid-body": 504, "reset-mid-body": 502, trickle: 504 }],
  ];
  it.each(CASES.flatMap(([what, mode, params, expected]) => FAULTS.map((fault) => [what, fault, expected[fault], mode, params] as const)))(
    "%s, %s: %s",
    async (_what, fault, expected, mode, params) => {
      expect(await answer(urlEvent(`${mode}-${fault}`, params))).toBe(expected);
      expect(await answer(urlEvent("ok", "w=32"))).toBe(200);
    },
  );
});
