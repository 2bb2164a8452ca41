import { once } from "node:events";
import http from "node:http";
import net from "node:net";

export interface FakeOrigin {
  readonly url: string;
  close(): Promise<void>;
}

/** An origin that answers every request with `status` and a short XML error body. */
export function startStatusOrigin(status: number): Promise<FakeOrigin> {
  return serveHttp((_req, res) => {
    res.writeHead(status, { "content-type": "application/xml" }).end("<Error><Code>Stand-in</Code></Error>");
  });
}

/** An origin that serves `body` in chunked transfer encoding: no Content-Length declared. */
export function startChunkedOrigin(body: Buffer, contentType: string): Promise<FakeOrigin> {
  return serveHttp((_req, res) => {
    res.writeHead(200, { "content-type": contentType });
    const chunkSize = 16 * 1024;
    for (let offset = 0; offset < body.length; offset += chunkSize) res.write(body.subarray(offset, offset + chunkSize));
    res.end();
  });
}

async function serveHttp(listener: http.RequestListener): Promise<FakeOrigin> {
  const server = http.createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: originUrl(server),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Shaped like a presigned GET, so that tests can check the query never reaches a log. */
function originUrl(server: net.Server): string {
  const { port } = server.address() as net.AddressInfo;
  return `http://127.0.0.1:${port}/originals/photo.jpg?X-Amz-Signature=secret`;
}

/**
 * An origin that accepts connections and then says nothing: with `afterHeaders`, it sends
 * 200 headers declaring `contentLength` bytes and the first bytes of a JPEG, then stalls.
 */
export async function startStallingOrigin(
  options: { afterHeaders?: boolean; contentLength?: number } = {},
): Promise<FakeOrigin & { requests(): number }> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    // Counted by what arrives, not by connections: after an abort, undici may open a
    // spare connection that never carries a request.
    socket.once("data", () => (requests += 1));
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (options.afterHeaders) {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: ${options.contentLength ?? 100_000}\r\n\r\n`);
      socket.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: originUrl(server),
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL where nothing listens: connection refused. */
export async function unusedPortUrl(): Promise<string> {
  // On 127.0.0.2: every test server listens on 127.0.0.1 only, so a port freed here cannot be taken by one of
  // them (in another jest worker) before the caller connects, which turned ECONNREFUSED into a stranger's answer.
  const server = net.createServer();
  server.listen(0, "127.0.0.2");
  await once(server, "listening");
  const url = originUrl(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

/** An origin that sends 200 headers declaring `contentLength` bytes, then `sent` bytes, then resets the connection. */
export async function startResettingOrigin(contentLength: number, sent = 64 * 1024): Promise<FakeOrigin> {
  return serveHttp((req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(contentLength) });
    res.write(Buffer.alloc(sent, 0xab), () => req.socket.destroy());
  });
}

/** Writes `bytes` 100 at a time every 50 ms (2 KB/s) until done or the response closes: a store too slow to wait for. */
export function trickle(res: http.ServerResponse, bytes: Buffer): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed || offset >= bytes.length) return clearInterval(timer);
    res.write(bytes.subarray(offset, (offset += 100)));
  }, 50);
  res.on("close", () => clearInterval(timer));
}

/**
 * Listens on 127.0.0.1 and returns the endpoint and a close() that also destroys open sockets (a stalled answer
 * would otherwise keep the server open).
 */
export async function listenClosable(server: http.Server): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
