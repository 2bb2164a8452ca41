import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/**
 * The S3 client options for this environment. The SDK reads AWS_ENDPOINT_URL_S3 and
 * AWS_ENDPOINT_URL by itself, but only an explicit endpoint lets us also turn off the
 * `{RequestRoute}.` host prefix of WriteGetObjectResponse: without that, a local endpoint
 * would be called as `io-xyz.127.0.0.1` and never resolve.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const config: S3ClientConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    // Streaming bodies cannot be hashed up front; S3 does not require a checksum here.
    requestChecksumCalculation: "WHEN_REQUIRED",
  };
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
    config.disableHostPrefix = true;
  }
  return config;
}

let shared: S3Client | undefined;

/** One client per container: it keeps its connections alive across invocations. */
export function s3Client(): S3Client {
  shared ??= new S3Client(s3ClientConfig());
  return shared;
}
