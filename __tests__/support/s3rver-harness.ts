import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** The slice of s3rver 3.7's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver ships no types: typed by hand above
const S3rver = require("s3rver") as S3rverConstructor;

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly client: S3Client;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** A presigned GET URL, like the `inputS3Url` of an Object Lambda event. */
  presignGet(key: string): Promise<string>;
  /** A presigned HEAD URL, like the `inputS3Url` of an Object Lambda HeadObject event. */
  presignHead(key: string): Promise<string>;
  close(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on 127.0.0.1, a random port and a temp directory. */
export async function startLocalS3(bucket = "originals"): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    // s3rver's default key pair; it checks no signatures, but the names must be valid.
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  return {
    endpoint,
    bucket,
    client,
    put: async (key, body, contentType) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    presignGet: (key) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 }),
    presignHead: (key) => getSignedUrl(client, new HeadObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 }),
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
