import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One WriteGetObjectResponse call as it arrived on the wire. */
export interface RecordedResponse {
  readonly method: string;
  readonly path: string;
  readonly route?: string;
  readonly token?: string;
  /** x-amz-fwd-status as a number (S3 defaults a missing one to 200). */
  readonly status: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** x-amz-fwd-header-* without the prefix, lower-cased names. */
  readonly forwardedHeaders: Readonly<Record<string, string>>;
  /** x-amz-meta-* without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly contentLengthHeader?: number;
  readonly body: Buffer;
  readonly receivedAt: number;
  /** Why the stand-in refused the call as S3 documents it, if it did. */
  readonly refused?: string;
}

/** WriteGetObjectResponse API reference: the values StatusCode (x-amz-fwd-status) may take. */
export const DOCUMENTED_STATUSES = [200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503];
/** ... and ErrorCode's: "The regular expression (regex) value is "^[A-Z][a-zA-Z]+$"". */
const ERROR_CODE = /^[A-Z][a-zA-Z]+$/;

/**
 * What the API reference rules out: a status outside the documented list, a malformed ErrorCode, or an
 * ErrorCode/ErrorMessage with a successful status ("Cannot be used with a successful StatusCode header").
 */
function refusal(recorded: Omit<RecordedResponse, "refused">): string | undefined {
  if (!DOCUMENTED_STATUSES.includes(recorded.status)) return `StatusCode ${recorded.status} is not one WriteGetObjectResponse documents`;
  if (recorded.errorCode !== undefined && !ERROR_CODE.test(recorded.errorCode)) return `ErrorCode ${recorded.errorCode} does not match ^[A-Z][a-zA-Z]+$`;
  if (recorded.status < 400 && (recorded.errorCode !== undefined || recorded.errorMessage !== undefined)) return "ErrorCode with a successful StatusCode";
  return undefined;
}

export interface WriteGetObjectResponseStandIn {
  readonly endpoint: string;
  readonly received: RecordedResponse[];
  /** Answers the calls for `token` with a 500 InternalError, as a failing S3 would. */
  failFor(token: string): void;
  /** The response written for `token`, waiting up to `timeoutMs` for it. */
  responseFor(token: string, timeoutMs?: number): Promise<RecordedResponse>;
  close(): Promise<void>;
}

/**
 * An HTTP stand-in for the S3 Object Lambda endpoint that receives WriteGetObjectResponse.
 * It answers 200 with an empty body, as S3 does, and records what the real SDK sent.
 */
export async function startWriteGetObjectResponseStandIn(): Promise<WriteGetObjectResponseStandIn> {
  const received: RecordedResponse[] = [];
  const waiters = new Set<() => void>();
  const failing = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const arrived = record(req, Buffer.concat(chunks));
      const recorded = { ...arrived, refused: refusal(arrived) };
      received.push(recorded);
      for (const wake of waiters) wake();
      if (recorded.refused !== undefined) {
        res.writeHead(400, { "content-type": "application/xml", "x-amz-request-id": "stand-in" });
        res.end(`<Error><Code>InvalidRequest</Code><Message>${recorded.refused}</Message></Error>`);
        return;
      }
      if (recorded.token !== undefined && failing.has(recorded.token)) {
        res.writeHead(500, { "content-type": "application/xml", "x-amz-request-id": "stand-in" });
        res.end("<Error><Code>InternalError</Code><Message>stand-in failure</Message></Error>");
        return;
      }
      res.writeHead(200, { "x-amz-request-id": "stand-in" }).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const responseFor = async (token: string, timeoutMs = 5000): Promise<RecordedResponse> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = received.find((response) => response.token === token);
      if (match) return match;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no WriteGetObjectResponse for token ${token} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        waiters.add(wake);
      });
    }
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    failFor: (token) => failing.add(token),
    responseFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function record(req: http.IncomingMessage, raw: Buffer): Omit<RecordedResponse, "refused"> {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const withPrefix = (prefix: string): Record<string, string> => {
    const found: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(prefix) && value !== undefined) found[name.slice(prefix.length)] = Array.isArray(value) ? value.join(", ") : value;
    }
    return found;
  };
  const encoding = header("content-encoding") ?? "";
  const length = header("content-length");
  return {
    method: req.method ?? "",
    path: req.url ?? "",
    route: header("x-amz-request-route"),
    token: header("x-amz-request-token"),
    status: Number(header("x-amz-fwd-status") ?? 200),
    errorCode: header("x-amz-fwd-error-code"),
    errorMessage: header("x-amz-fwd-error-message"),
    forwardedHeaders: withPrefix("x-amz-fwd-header-"),
    metadata: withPrefix("x-amz-meta-"),
    contentLengthHeader: length === undefined ? undefined : Number(length),
    body: encoding.split(",").map((part) => part.trim()).includes("aws-chunked") ? decodeAwsChunked(raw) : raw,
    receivedAt: Date.now(),
  };
}

/**
 * Undoes the aws-chunked content encoding the SDK uses for streamed, checksummed bodies:
 * `<hex size>[;chunk-signature=..]\r\n<bytes>\r\n` repeated, ending with a zero-size chunk
 * and optional trailers. (HTTP's own chunked transfer encoding is undone by Node already.)
 */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf("\r\n", offset);
    if (lineEnd === -1) throw new Error("aws-chunked body: missing chunk header");
    const size = parseInt(raw.subarray(offset, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size)) throw new Error("aws-chunked body: bad chunk size");
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, start + size));
    offset = start + size + 2;
  }
}
