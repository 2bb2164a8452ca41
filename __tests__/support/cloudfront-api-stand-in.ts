/**
 * A stand-in for CloudFront's CreateInvalidation API (REST-XML, `POST /2020-05-31/distribution/{Id}/invalidation`),
 * for the real @aws-sdk/client-cloudfront to call on 127.0.0.1. It holds what the API reference and the developer
 * guide ("What you need to know when invalidating paths", "Concurrent invalidation request maximum") rule:
 * - the request is SigV4-signed for the global service (credential scope us-east-1/cloudfront);
 * - Quantity equals the number of Path items (else InconsistentQuantities), at most 3,000 paths per request;
 * - each path starts with '/', is at most 4,000 characters, has '*' only at its end, and carries no non-ASCII
 *   or RFC 1738 unsafe character unencoded (else InvalidArgument);
 * - at most 3,000 individual paths and 15 wildcard paths in progress (else TooManyInvalidationsInProgress);
 * - a CallerReference sent again with the same paths returns the first invalidation (no new one); with other
 *   paths it is InvalidationBatchAlreadyExists.
 * Invalidations stay InProgress until `completeAll()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInInvalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly callerReference: string;
  readonly paths: readonly string[];
  status: "InProgress" | "Completed";
}

export const MAX_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;
const NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
const UNSAFE = /[\s<>"#{}|\\^~[\]`?\u0000-\u001f\u007f]|[^\u0000-\u007f]|%(?![0-9A-Fa-f]{2})/;

export class CloudFrontApiStandIn {
  readonly invalidations: StandInInvalidation[] = [];
  /** Every request's status, in order, errors included. */
  readonly calls: { status: number; code?: string }[] = [];
  private server?: Server;

  /** Paths refused as InvalidArgument although well-formed: CloudFront's reasons a client cannot foresee. */
  readonly refusedPaths = new Set<string>();

  constructor(private readonly distributionIds: readonly string[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  completeAll(): void {
    for (const invalidation of this.invalidations) invalidation.status = "Completed";
  }

  /** Every path ever submitted, in order. */
  submittedPaths(): string[] {
    return this.invalidations.flatMap((invalidation) => invalidation.paths);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const route = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation$/.exec(req.url ?? "");
    const fail = (status: number, code: string, message: string): void => {
      this.calls.push({ status, code });
      res.writeHead(status, { "content-type": "text/xml" });
      res.end(`<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`);
    };
    if (req.method !== "POST" || !route) return fail(404, "NotFound", "only CreateInvalidation is stood in for");
    const authorization = req.headers.authorization ?? "";
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/us-east-1\/cloudfront\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(authorization)) {
      return fail(403, "InvalidSignature", "expected a SigV4 signature for us-east-1/cloudfront");
    }
    const distributionId = decodeURIComponent(route[1] as string);
    if (!this.distributionIds.includes(distributionId)) return fail(404, "NoSuchDistribution", "The specified distribution does not exist.");
    if (body === "") return fail(400, "MissingBody", "This operation requires a body.");

    const callerReference = xmlText(/<CallerReference>([^<]*)<\/CallerReference>/.exec(body)?.[1]);
    const quantity = Number(/<Quantity>(\d+)<\/Quantity>/.exec(body)?.[1]);
    const paths = [...body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => xmlText(m[1]));
    if (!callerReference) return fail(400, "InvalidArgument", "CallerReference is required.");
    if (quantity !== paths.length) return fail(400, "InconsistentQuantities", "The value of Quantity and the size of Items don't match.");
    if (paths.length > MAX_PATHS_IN_PROGRESS) return fail(413, "BatchTooLarge", "Invalidation batch specified is too large.");
    if (paths.length === 0 || paths.some((path) => !validPath(path) || this.refusedPaths.has(path))) {
      return fail(400, "InvalidArgument", "Your request contains one or more invalid invalidation paths.");
    }
    const earlier = this.invalidations.find((i) => i.distributionId === distributionId && i.callerReference === callerReference);
    if (earlier) {
      if (JSON.stringify(earlier.paths) !== JSON.stringify(paths)) return fail(409, "InvalidationBatchAlreadyExists", "CallerReference was used with other paths.");
      return this.created(res, earlier);
    }
    const inProgress = this.invalidations.filter((i) => i.status === "InProgress").flatMap((i) => i.paths);
    const wildcards = (list: readonly string[]): number => list.filter((path) => path.endsWith("*")).length;
    if (
      inProgress.length - wildcards(inProgress) + paths.length - wildcards(paths) > MAX_PATHS_IN_PROGRESS ||
      wildcards(inProgress) + wildcards(paths) > MAX_WILDCARD_PATHS_IN_PROGRESS
    ) {
      return fail(400, "TooManyInvalidationsInProgress", "You have exceeded the maximum number of allowable InProgress invalidation batch requests, or invalidation objects.");
    }
    const invalidation: StandInInvalidation = { id: `I${String(this.invalidations.length + 1).padStart(13, "0")}`, distributionId, callerReference, paths, status: "InProgress" };
    this.invalidations.push(invalidation);
    this.created(res, invalidation);
  }

  private created(res: ServerResponse, invalidation: StandInInvalidation): void {
    this.calls.push({ status: 201 });
    const items = invalidation.paths.map((path) => `<Path>${xmlEscape(path)}</Path>`).join("");
    res.writeHead(201, { "content-type": "text/xml", location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${invalidation.distributionId}/invalidation/${invalidation.id}` });
    res.end(
      `<?xml version="1.0"?><Invalidation xmlns="${NAMESPACE}"><Id>${invalidation.id}</Id><Status>${invalidation.status}</Status>` +
        `<CreateTime>2026-11-23T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths>` +
        `<CallerReference>${xmlEscape(invalidation.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`,
    );
  }
}

function validPath(path: string): boolean {
  if (!path.startsWith("/") || path.length > 4000) return false;
  const star = path.indexOf("*");
  if (star !== -1 && star !== path.length - 1) return false;
  return !UNSAFE.test(path);
}

function xmlText(text: string | undefined): string {
  return (text ?? "").replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (entity.startsWith("#x") || entity.startsWith("#X")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? "";
  });
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
