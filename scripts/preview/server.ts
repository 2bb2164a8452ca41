/**
 * The image CDN on 127.0.0.1: a request goes through what CloudFront runs, in the same order, with the same code.
 * 1. The viewer-request function: the very source the construct deploys (modules/edge), run in Node's vm as
 *    CloudFront runs it: its 400s and CORS preflight answers are the edge's own.
 * 2. The cache: keyed as the cache policy keys (path, x-resize-params, x-resize-accept), an LRU bounded in bytes,
 *    `X-Cache: Hit from preview | Miss from preview` as CloudFront says "Hit from cloudfront"; variants until
 *    evicted, the origins' cacheable errors (404, 403, 502, ...) for the error TTL, as the distribution (cache.ts).
 * 3. The origin the function chose: for a variant, the function-URL resizer's own streamed handler, the production
 *    path (lambda-src/function-url/stream.ts, through streamed-origin.ts), reading originals from a folder instead of a bucket, with the same statuses, headers and error bodies as
 *    deployed; for an original, the folder answering as S3 does through the OAC (folder.ts, serveOriginal).
 * 4. The response headers policy: nosniff, the sandboxing CSP, HSTS, and CORS for the allowed origins, on every
 *    answer CloudFront sends (the edge function's own included); not on the preview's own gallery page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { DEFAULT_MEMORY_MB, OTHER_ANSWERS, RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER, type ResizerConfig } from "../../lambda-src/core/contract";
import type { FunctionUrlEvent } from "../../lambda-src/function-url/handler";
import { fixedSettings, type RequestLog } from "../../lambda-src/shared/settings";
import { embeddedMetrics, metricsSummary } from "../../lambda-src/core/metrics";
import { viewerRequestFunctionCode, type EdgeOptions } from "../../modules/edge/viewer-request-function";
import { CONTENT_SECURITY_POLICY, CORS_EXPOSE_HEADERS, HSTS_MAX_AGE_SECONDS } from "../../modules/construct/response-headers";
import { allowedMethods, ORIGINALS_ORIGIN_ID, RESIZER_ORIGIN_ID } from "../../modules/edge/viewer-request-function";
import { PreviewCache, type Answer } from "./cache";
import { cloudFrontHeaders, cloudFrontQuery, cloudfrontModule, plainHeaders, runFunctionCode, type CfHeaders, type CfRequest, type CfResponse } from "./cloudfront-function";
import { folderOriginals, ORIGINAL_REFUSAL, originalFile, serveOriginal, sourceVersion } from "./folder";
import { galleryPage } from "./gallery";
import { streamedOrigin } from "./streamed-origin";

export interface PreviewSettings {
  /** The folder served, as a bucket would be. */
  readonly dir: string;
  readonly port: number;
  readonly config: ResizerConfig;
  readonly edge: EdgeOptions;
  /** The resizer's timeout, seconds (resizer.timeout). */
  readonly timeoutSeconds: number;
  /** The resizer's memory, MB (resizer.memorySize): the limits per format follow it, as in Lambda. @default 512 */
  readonly memoryMb?: number;
  /** The cache's bound, bytes of bodies held. */
  readonly cacheBytes: number;
  /** One line per request. */
  readonly log: (line: string) => void;
}

export interface Preview {
  readonly url: string;
  close(): Promise<void>;
}

/** The response headers policy's security headers. */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "strict-transport-security": `max-age=${HSTS_MAX_AGE_SECONDS}`,
};
/** The response headers policy's CORS: what a matching Origin gets. */
const CORS_EXPOSE = CORS_EXPOSE_HEADERS.join(", ");
const TEXT = OTHER_ANSWERS.error.mime;

/** A one-line text answer. */
function textAnswer(status: number, text: string): Answer {
  const body = Buffer.from(`${text}\n`);
  return { status, headers: { "content-type": TEXT, "content-length": String(body.length) }, body };
}

/** The answer a viewer-request function returned instead of a request. */
function functionAnswer(result: CfResponse): Answer {
  const body = typeof result.body === "string" ? Buffer.from(result.body) : Buffer.from(result.body?.data ?? "", result.body?.encoding === "base64" ? "base64" : "utf8");
  return { status: result.statusCode, headers: { ...plainHeaders(result.headers ?? {}), "content-length": String(body.length) }, body };
}

/** The browser asks every page's host for /favicon.ico: the preview has none and says so quietly. */
const FAVICON = "/favicon.ico";

export async function startPreview(settings: PreviewSettings): Promise<Preview> {
  const dir = resolve(settings.dir);
  const cloudfront = cloudfrontModule({ origins: [RESIZER_ORIGIN_ID, ORIGINALS_ORIGIN_ID] });
  const edge = runFunctionCode<{ version: string; request: CfRequest }, CfRequest | CfResponse>(viewerRequestFunctionCode(settings.config, settings.edge), { modules: { cloudfront: cloudfront.module } });
  const cache = new PreviewCache(settings.cacheBytes, settings.config.errorTtl);
  const allowedOrigins = settings.edge.cors?.allowedOrigins ?? [];
  const methods = allowedMethods(settings.edge.cors !== undefined);
  const budget = { memoryMb: settings.memoryMb ?? DEFAULT_MEMORY_MB, seconds: settings.timeoutSeconds };
  let requestCount = 0;
  /** The Host values this preview answers to, known once it listens. */
  const localHosts: string[] = [];
  // The resizer's log entry of each request, for the reason of an error in the preview's one line.
  const resizerLogs = new Map<string, RequestLog>();
  // The resizer's limits and memory as Lambda's environment would state them, passed in: previews do not share them.
  const resizer = fixedSettings(settings.config, budget.memoryMb, (_adapter, entry) => void (entry.requestId !== undefined && resizerLogs.set(entry.requestId, entry)));
  const origin = streamedOrigin(folderOriginals(dir), resizer);
  /** The folder's path never shows in a log line or a body: it names this machine's folders. */
  const withoutDir = (text: string): string => text.split(dir).join("<folder>");

  /** The function-URL resizer's answer to the request the edge function passed on, with its logged reason. */
  const resize = async (rawPath: string, method: string, headers: CfHeaders): Promise<{ answer: Answer; reason: string }> => {
    const event: FunctionUrlEvent = { version: "2.0", rawPath, rawQueryString: "", headers: plainHeaders(headers), requestContext: { http: { method } } };
    requestCount += 1;
    const requestId = `preview-${requestCount}`;
    const deadline = Date.now() + settings.timeoutSeconds * 1000;
    const answer = await origin(event, { awsRequestId: requestId, getRemainingTimeInMillis: () => deadline - Date.now() });
    const entry = resizerLogs.get(requestId);
    resizerLogs.delete(requestId);
    const reason = entry?.errorCode === undefined ? "" : ` ${entry.errorCode}: ${entry.error ?? ""}`;
    // The metrics the deployed resizer's line carries (Embedded Metric Format), as the dashboard will show them.
    const metrics = entry === undefined ? "" : ` [${metricsSummary(embeddedMetrics({ ...entry, originMode: "function-url" }, { functionName: "preview", coldStart: requestCount === 1, now: Date.now() }))}]`;
    return { answer, reason: `${reason}${metrics}` };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const method = (req.method ?? "GET").toUpperCase();
    const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s);
    let status = 500;
    let cacheResult = "-";
    let bytes = 0;
    let reason = "";
    let quiet = false;
    const send = ({ status: code, headers, body }: Answer): void => {
      status = code;
      bytes = method === "HEAD" ? 0 : body.length;
      res.writeHead(code, headers);
      res.end(method === "HEAD" ? undefined : body);
    };
    // The response headers policy, on every answer CloudFront sends for this cache behavior: those it makes or its
    // function returns as well as those from the cache or an origin. "Add or remove HTTP headers in CloudFront
    // responses with a policy" (CloudFront developer guide): "CloudFront modifies the headers in the responses that
    // it sends to requests that match the cache behavior." The preview's own pages (gallery, refusals) are not CloudFront's.
    const policy = { ...SECURITY_HEADERS, ...corsHeaders(req.headers.origin, allowedOrigins) };
    const sendCdn = (answer: Answer, extra: Record<string, string> = {}): void => send({ ...answer, headers: { ...answer.headers, ...policy, ...extra } });
    try {
      // Only this machine's names: a page elsewhere cannot rebind its own host name to 127.0.0.1 and read the folder.
      if (!localHosts.includes(String(req.headers.host).toLowerCase())) {
        send(textAnswer(403, "the preview answers only to 127.0.0.1 and localhost"));
        return;
      }
      if (rawPath === FAVICON && (method === "GET" || method === "HEAD") && (await sourceVersion(dir, rawPath)) === "") {
        quiet = true;
        send({ status: 204, headers: {}, body: Buffer.alloc(0) });
        return;
      }
      if (rawPath === "/" && (method === "GET" || method === "HEAD")) {
        const page = Buffer.from(await galleryPage(dir, req.headers.accept, settings.edge.presets ?? {}, budget, resizer.config()));
        send({ status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-length": String(page.length) }, body: page });
        return;
      }
      if (!methods.includes(method)) {
        // CloudFront refuses a method the cache behavior does not allow before any function runs.
        cacheResult = "edge";
        sendCdn(textAnswer(403, `this distribution is not configured to allow the HTTP request method ${method}; allowed: ${methods.join(", ")}`));
        return;
      }
      const { result, choice } = cloudfront.track(() => edge({ version: "1.0", request: { method, uri: rawPath, querystring: cloudFrontQuery(rawQuery), headers: cloudFrontHeaders(req.headers) } }));
      if ("statusCode" in result) {
        cacheResult = "edge";
        sendCdn(functionAnswer(result));
        return;
      }
      // Keyed as the cache policy keys: the path and the two headers the function set (none for an original).
      const key = JSON.stringify([rawPath, result.headers[RESIZE_PARAMS_HEADER]?.value ?? null, result.headers[RESIZE_ACCEPT_HEADER]?.value ?? null]);
      const source = await sourceVersion(dir, rawPath);
      const cached = method === "GET" || method === "HEAD" ? cache.get(key, source) : undefined;
      if (cached !== undefined) {
        cacheResult = "Hit";
        sendCdn(cached, { "x-cache": "Hit from preview" });
        return;
      }
      cacheResult = "Miss";
      let answer: Answer;
      if (choice.origin === ORIGINALS_ORIGIN_ID) {
        // Straight from the folder, as S3 answers the originals' origin; only its refusal is kept in the cache.
        const file = await originalFile(dir, rawPath);
        if (file !== undefined) {
          const served = await serveOriginal(file, req, res, { ...policy, "x-cache": "Miss from preview" });
          status = served.status;
          bytes = method === "HEAD" ? 0 : served.bytes;
          return;
        }
        answer = ORIGINAL_REFUSAL;
      } else {
        ({ answer, reason } = await resize(rawPath, method, result.headers));
      }
      if (method === "GET") cache.keep(key, answer, source);
      sendCdn(answer, { "x-cache": "Miss from preview" });
    } catch (error) {
      send(textAnswer(500, `the preview failed: ${withoutDir((error as Error).message)}`));
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!quiet) settings.log(withoutDir(`${method} ${req.url ?? "/"} ${status} ${cacheResult} ${bytes} B ${ms.toFixed(1)} ms${reason}`));
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(settings.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  localHosts.push(`127.0.0.1:${port}`, `localhost:${port}`);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

/** The response headers policy's CORS answer to a request with an Origin header. */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (origin === undefined || allowed.length === 0) return {};
  if (allowed.includes("*")) return { "access-control-allow-origin": "*", "access-control-expose-headers": CORS_EXPOSE };
  if (!allowed.includes(origin)) return {};
  return { "access-control-allow-origin": origin, "access-control-expose-headers": CORS_EXPOSE };
}
