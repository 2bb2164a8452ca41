/**
 * The function URL's production handler, the streamed one (lambda-src/function-url/stream.ts), answering into
 * memory as Lambda's runtime answers CloudFront: the prelude (status, headers) from HttpResponseStream.from, then
 * the body's chunks. The preview keeps the whole answer, as CloudFront's cache does.
 */
import { Writable } from "node:stream";
import { createStreamingHandler, type LambdaStreamingGlobal } from "../../lambda-src/function-url/stream";
import type { FunctionUrlEvent, HandlerContext, OriginalsSource } from "../../lambda-src/function-url/handler";
import type { ResizerSettings } from "../../lambda-src/shared/settings";
import type { Answer } from "./cache";

export type StreamedOrigin = (event: FunctionUrlEvent, context: HandlerContext) => Promise<Answer>;

/** What the preview's Node has no `awslambda` global for: the prelude travels on the stream it is written to. */
const PRELUDES = new WeakMap<Writable, { statusCode: number; headers?: Record<string, string> }>();
const RUNTIME: LambdaStreamingGlobal = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from: (stream, prelude) => {
      PRELUDES.set(stream, prelude);
      return stream;
    },
  },
};

export function streamedOrigin(origin: OriginalsSource, settings: ResizerSettings): StreamedOrigin {
  const handler = createStreamingHandler(RUNTIME, origin, settings);
  return async (event, context) => {
    const chunks: Buffer[] = [];
    const body = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    // A failure after the prelude (an original cut off mid-stream) rejects, as the runtime ends the response with its error trailer.
    await handler(event, body, context);
    const prelude = PRELUDES.get(body);
    if (prelude === undefined) throw new Error("the streamed handler ended without a status");
    const headers = Object.fromEntries(Object.entries(prelude.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    return { status: prelude.statusCode, headers, body: Buffer.concat(chunks) };
  };
}
