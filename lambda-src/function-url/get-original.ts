import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { originBody, originFailure, originRefusal, type Original } from "../shared/original";

/**
 * GETs the original from the bucket with the function's own role and resolves once the
 * headers are in; the body streams on. S3's refusals (403, 404) pass through, any other
 * failure is the origin's (502). Aborting `signal` cancels the request, body included.
 */
export async function getOriginal(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<Original> {
  let output;
  try {
    output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (error) {
    throw signal.aborted ? error : s3Failure(error);
  }
  if (output.Body === undefined) throw originFailure("OriginError", "the original's store answered without a body", undefined);
  // In Node the SDK's body is an http.IncomingMessage: a Readable.
  const source = output.Body as Readable;
  return {
    // Destroying the socket's stream frees the function from a body it will not read.
    body: originBody(source, signal, () => source.destroy()),
    contentType: output.ContentType,
    contentLength: output.ContentLength,
    cacheControl: output.CacheControl,
    eTag: output.ETag,
    lastModified: output.LastModified,
  };
}

/**
 * An answer from S3 (it carries an HTTP status) is a refusal or a failure of the store; no
 * answer at all (refused connection, DNS, reset) means the store could not be reached.
 */
function s3Failure(error: unknown): Error {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === "number") return Object.assign(originRefusal(status), { cause: error });
  return originFailure("OriginUnreachable", "could not reach the original's store", error);
}
