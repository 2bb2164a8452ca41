/**
 * Child process: a local HTTP origin that serves files from one folder at a paced byte rate, per
 * connection, like an S3 GET with limited throughput. Supports single `Range: bytes=a-b` requests.
 * Usage: node throttled-origin.js <folder> <bytesPerSecond>; prints {"port":N} on stdout once listening.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

const [folder, rateArg] = process.argv.slice(2);
if (folder === undefined || rateArg === undefined) throw new Error("usage: throttled-origin <folder> <bytesPerSecond>");
const bytesPerSecond = Number(rateArg);
/** Smallest write: below this, wait for the next tick instead of sending dribbles. */
const MIN_WRITE = 16 * 1024;
const files = new Map<string, Buffer>();

function fileFor(url: string): Buffer | undefined {
  const name = path.basename(decodeURIComponent(new URL(url, "http://origin").pathname));
  if (!files.has(name)) {
    const file = path.join(folder as string, name);
    if (!fs.existsSync(file)) return undefined;
    files.set(name, fs.readFileSync(file));
  }
  return files.get(name);
}

async function sendPaced(res: http.ServerResponse, data: Buffer): Promise<void> {
  const start = performance.now();
  let sent = 0;
  while (sent < data.length) {
    const due = Math.min(data.length, Math.floor(((performance.now() - start) / 1000) * bytesPerSecond));
    if (due - sent < MIN_WRITE && due < data.length) {
      await sleep(1);
      continue;
    }
    const writable = res.write(data.subarray(sent, due));
    sent = due;
    if (!writable) await once(res, "drain");
  }
  res.end();
}

const server = http.createServer((req, res) => {
  const data = fileFor(req.url ?? "/");
  if (data === undefined) {
    res.writeHead(404).end();
    return;
  }
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
  const first = range ? Number(range[1]) : 0;
  const last = range ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
  const body = data.subarray(first, last + 1);
  res.writeHead(range ? 206 : 200, {
    "Content-Type": "image/jpeg",
    "Content-Length": body.length,
    ...(range ? { "Content-Range": `bytes ${first}-${last}/${data.length}` } : {}),
  });
  sendPaced(res, body).catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
