import type { Readable } from "node:stream";

/**
 * Collects a body into one buffer, or stops (and destroys the stream) as soon as it passes
 * `maxBytes`, resolving undefined: an origin that declared no length cannot make the
 * function buffer more than it may answer with.
 */
export async function readAtMost(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}
