/**
 * Child process: one original passed through the function URL adapter's streamed handler (the production
 * path) from an S3-compatible origin, into a response stream that counts bytes. The runtime's
 * HttpResponseStream is reduced to what timing needs (the prelude is not measured). Prints
 * {"ttfbMs","totalMs","bytes","maxRssBytes"}: time to the first body byte, to the end, and the peak RSS.
 * Usage: node stream-child.js <s3 endpoint> <bucket> <key>
 */
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
import { createStreamingHandler } from "../lambda-src/function-url/stream";
import { s3Originals } from "../lambda-src/function-url/handler";
import { s3ClientConfig } from "../lambda-src/shared/origin";
import { peakResidentBytes } from "./peak-rss";

const [endpoint, bucket, key] = process.argv.slice(2);
if (endpoint === undefined || bucket === undefined || key === undefined) throw new Error("usage: stream-child <endpoint> <bucket> <key>");

async function main(): Promise<void> {
  const client = new S3Client({ ...s3ClientConfig({ AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_S3: endpoint }), credentials: { accessKeyId: "BENCH", secretAccessKey: "BENCH" } });
  const handler = createStreamingHandler(
    { streamifyResponse: (h) => h, HttpResponseStream: { from: (stream) => stream } },
    s3Originals({ s3: () => client, bucket: () => bucket as string }),
  );
  const started = performance.now();
  let firstByteAt: number | undefined;
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (chunk.length > 0 && firstByteAt === undefined) firstByteAt = performance.now();
      bytes += chunk.length;
      callback();
    },
  });
  // Logs go to stderr: stdout carries the one JSON result line.
  console.log = (...args: unknown[]) => process.stderr.write(`${args.join(" ")}\n`);
  await handler({ rawPath: `/${key}`, rawQueryString: "", headers: {}, requestContext: { http: { method: "GET" } } }, sink, { awsRequestId: "bench", getRemainingTimeInMillis: () => 60_000 });
  const totalMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ttfbMs: (firstByteAt ?? NaN) - started, totalMs, bytes, maxRssBytes: peakResidentBytes() })}\n`);
  client.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
