/**
 * Big originals fetched in parallel byte ranges (shared/origin.ts fetchInRanges) with the Object Lambda
 * adapter's own fetcher (a presigned URL with a Range header) against a local store that honours Range as
 * S3 does (206 and Content-Range), ignores it, or fails one range.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpError } from "../lambda-src/core/errors";
import { fetchRange } from "../lambda-src/object-lambda/get";
import { fetchInRanges, RANGE_PART_BYTES } from "../lambda-src/shared/origin";

type Mode = "ranges" | "ignore-range" | "fail-late-range" | "reset-late-range";

/** Deterministic bytes that no two offsets share (so a misplaced range shows). */
function bytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += 32) createHash("sha256").update(String(offset)).digest().copy(out, offset);
  return out;
}

async function startStore(body: Buffer, mode: Mode) {
  let inFlight = 0;
  const rangesAsked: string[] = [];
  const server = http.createServer((req, res) => {
    inFlight += 1;
    res.on("close", () => (inFlight -= 1));
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    if (range) rangesAsked.push(req.headers.range!);
    if (!range || mode === "ignore-range") {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(body.length) }).end(body);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), body.length - 1);
    if (start > 0 && mode === "fail-late-range") return void res.writeHead(500).end("<Error/>");
    res.writeHead(206, { "content-type": "image/jpeg", "content-length": String(end - start + 1), "content-range": `bytes ${start}-${end}/${body.length}` });
    if (start > 0 && mode === "reset-late-range") return void res.write(body.subarray(start, start + 10), () => req.socket.destroy());
    res.end(body.subarray(start, end + 1));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/originals/photo.jpg?X-Amz-Signature=x`;
  return {
    url,
    rangesAsked,
    inFlight: () => inFlight,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("fetchInRanges", () => {
  it.each([
    [1, 1],
    [RANGE_PART_BYTES - 1, 1],
    [RANGE_PART_BYTES, 1],
    [RANGE_PART_BYTES + 1, 2],
    [3 * RANGE_PART_BYTES + 123, 4],
    [16 * 1024 * 1024 + 5, 5],
    [40 * 1024 * 1024, 8],
  ])("assembles %i bytes byte-identical, in %i range(s)", async (size, ranges) => {
    const source = bytes(size);
    const store = await startStore(source, "ranges");
    try {
      const original = await fetchInRanges((range, signal) => fetchRange(store.url, range, signal), new AbortController().signal);
      expect(original.contentLength).toBe(size);
      expect(original.ranges).toBe(ranges);
      expect((await readAll(original.body)).equals(source)).toBe(true);
      expect(store.rangesAsked).toHaveLength(ranges);
    } finally {
      await store.close();
    }
  });

  it("takes a store that ignores Range (200, the whole body) as it answered", async () => {
    const source = bytes(10 * 1024 * 1024);
    const store = await startStore(source, "ignore-range");
    try {
      const original = await fetchInRanges((range, signal) => fetchRange(store.url, range, signal), new AbortController().signal);
      expect(original.ranges).toBe(1);
      expect((await readAll(original.body)).equals(source)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.each(["fail-late-range", "reset-late-range"] as const)("%s: the whole original fails as the origin's (502), and no request is left open", async (mode) => {
    const store = await startStore(bytes(12 * 1024 * 1024), mode);
    try {
      const original = await fetchInRanges((range, signal) => fetchRange(store.url, range, signal), new AbortController().signal);
      const failure = await readAll(original.body).then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(HttpError);
      expect((failure as HttpError).status).toBe(502);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(store.inFlight()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("destroying the body (a refused original) aborts every range still downloading", async () => {
    const store = await startStore(bytes(24 * 1024 * 1024), "ranges");
    try {
      const original = await fetchInRanges((range, signal) => fetchRange(store.url, range, signal), new AbortController().signal);
      original.body.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(store.inFlight()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
