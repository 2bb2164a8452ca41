/**
 * Purge on change: the bucket's "Object Created" and "Object Deleted" events (S3 -> EventBridge rule -> SQS)
 * reach this function in batches gathered over the event source mapping's window, and each batch becomes
 * one CloudFront invalidation of the changed keys' paths.
 *
 * One exact path per key, not `/<key>*`: the kit's cache key holds no query string, only the
 * x-resize-params and x-resize-accept headers, and "when you invalidate a file, CloudFront invalidates every
 * cached version of the file regardless of the header values" (CloudFront developer guide, "What you need to
 * know when invalidating paths"). Exact paths may have 3,000 in progress at once, wildcard paths only 15
 * (same guide, "Concurrent invalidation request maximum"), and a wildcard would also purge `<key>.bak`.
 */
import { createHash } from "node:crypto";
import { CloudFrontClient, CreateInvalidationCommand, type CreateInvalidationCommandInput } from "@aws-sdk/client-cloudfront";
import { LAMBDA_FUNCTION_NAME_ENV, urlPathOfKey } from "../core/contract";
import { METRICS_ENV, purgeEmbeddedMetrics, type PurgeMetric } from "../core/metrics";
import { DISTRIBUTION_ID_ENV, PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES, PURGE_MAX_CALLS_PER_BATCH } from "./contract";

export { DISTRIBUTION_ID_ENV, PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES, PURGE_MAX_CALLS_PER_BATCH };

/** The parts of Lambda's SQS event the function reads. */
export interface SqsEvent {
  readonly Records: readonly { readonly messageId: string; readonly body: string }[];
}
/** Partial batch response (function_response_types = ReportBatchItemFailures): only these messages return to the queue. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The invalidation path of an object key. CloudFront: "If the path includes non-ASCII characters or unsafe
 * characters as defined in RFC 1738, URL-encode those characters. Do not URL-encode any other characters in
 * the path, or CloudFront will not invalidate the old version". RFC 1738 2.2's unsafe set is space < > " # %
 * { } | \ ^ ~ [ ] `; '?' is encoded too (it would start a query string) and '*' (a wildcard only at the end,
 * not allowed inside a path: encoded, a key holding it is invalidated exactly instead of failing the batch).
 */
export function invalidationPath(key: string): string {
  let path = "/";
  for (const char of key) {
    if (/^[A-Za-z0-9$\-_.+!'(),;/:@&=]$/.test(char)) path += char;
    else for (const byte of Buffer.from(char, "utf8")) path += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return path;
}

/** The changed object's key in an S3 event delivered by EventBridge (its `detail.object.key`, not form-encoded). */
export function changedKey(body: string): string | undefined {
  let event: { "detail-type"?: unknown; detail?: { object?: { key?: unknown } } };
  try {
    event = JSON.parse(body) as typeof event;
  } catch {
    return undefined;
  }
  const key = event.detail?.object?.key;
  const type = event["detail-type"];
  if (typeof key !== "string" || key === "" || !PURGE_DETAIL_TYPES.some((t) => t === type)) return undefined;
  return key;
}

export interface InvalidationPlan {
  readonly paths: string[];
  /** The messages each invalidation covers: they go back to the queue if it fails. */
  readonly messageIds: string[];
  readonly callerReference: string;
}

/** A key's invalidation paths: the form CloudFront's guide asks for and, where it differs, the form URLs carry. */
export function invalidationPaths(key: string): string[] {
  const documented = invalidationPath(key);
  // As signImageUrl and the preview write a key (and most applications, with encodeURIComponent): '+', '&', '='...
  // encoded. Which of the two a cached URL matches is not documented, so a key whose forms differ gets both.
  // '*' and '~', which encodeURIComponent leaves, encoded as in the documented form: a '*' inside a path is
  // refused, '~' is unsafe in RFC 1738.
  const asInUrls = urlPathOfKey(key).replace(/\*/g, "%2A").replace(/~/g, "%7E");
  return asInUrls === documented ? [documented] : [documented, asInUrls];
}

/** One invalidation of these paths, for the messages that asked for them. */
function plan(paths: readonly string[], messagesByPath: ReadonlyMap<string, readonly string[]>): InvalidationPlan {
  const messageIds = [...new Set(paths.flatMap((path) => messagesByPath.get(path) ?? []))].sort();
  const callerReference = createHash("sha256").update(JSON.stringify([messageIds, paths])).digest("hex");
  return { paths: [...paths], messageIds, callerReference };
}

/**
 * The invalidations for a batch: each distinct path once, sorted, at most PURGE_BATCH_SIZE per invalidation.
 * The caller reference is a hash of the messages and paths: the same messages retried together (the function
 * timed out after CloudFront answered) are the same request, which CloudFront answers with the invalidation it
 * already made, at no charge; a later change of the same key comes in another message, hence a new invalidation.
 * Messages that name no key are ignored.
 */
export function planInvalidations(records: SqsEvent["Records"]): { plans: InvalidationPlan[]; ignored: string[]; messagesByPath: Map<string, string[]> } {
  const messagesByPath = new Map<string, string[]>();
  const ignored: string[] = [];
  for (const record of records) {
    const key = changedKey(record.body);
    if (key === undefined) {
      ignored.push(record.messageId);
      continue;
    }
    for (const path of invalidationPaths(key)) messagesByPath.set(path, [...(messagesByPath.get(path) ?? []), record.messageId]);
  }
  const paths = [...messagesByPath.keys()].sort();
  const plans: InvalidationPlan[] = [];
  for (let start = 0; start < paths.length; start += PURGE_BATCH_SIZE) plans.push(plan(paths.slice(start, start + PURGE_BATCH_SIZE), messagesByPath));
  return { plans, ignored, messagesByPath };
}

export type CreateInvalidation = (input: CreateInvalidationCommandInput) => Promise<{ Invalidation?: { Id?: string } }>;

/**
 * Invalidates what a batch changed. A failed invalidation (most often TooManyInvalidationsInProgress) returns
 * its messages to the queue, to be retried after the visibility timeout and, after the queue's
 * maxReceiveCount, kept in the dead-letter queue; the other invalidations of the batch stand. A path CloudFront
 * refuses (InvalidArgument) must not hold back the others: the invalidation is split in halves until the refused
 * path is alone, and only its messages return to the queue.
 */
export async function purge(event: SqsEvent, distributionId: string, createInvalidation: CreateInvalidation): Promise<SqsBatchResponse> {
  const { plans, ignored, messagesByPath } = planInvalidations(event.Records);
  if (ignored.length > 0) log("warn", "messages without an S3 Object Created/Deleted event ignored", { messages: ignored.length });
  const failed = new Set<string>();
  let calls = 0;
  let deferred = 0;
  const submit = async (invalidation: InvalidationPlan): Promise<void> => {
    if (calls >= PURGE_MAX_CALLS_PER_BATCH) {
      deferred += invalidation.paths.length;
      for (const id of invalidation.messageIds) failed.add(id);
      return;
    }
    calls += 1;
    try {
      const result = await createInvalidation({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: invalidation.callerReference, Paths: { Quantity: invalidation.paths.length, Items: invalidation.paths } },
      });
      log("info", "invalidation created", { invalidationId: result.Invalidation?.Id, paths: invalidation.paths.length, messages: invalidation.messageIds.length }, { Invalidations: 1, InvalidatedPaths: invalidation.paths.length });
    } catch (error) {
      const { name, message } = error as Error;
      if (name === "InvalidArgument" && invalidation.paths.length > 1) {
        const half = Math.ceil(invalidation.paths.length / 2);
        await submit(plan(invalidation.paths.slice(0, half), messagesByPath));
        await submit(plan(invalidation.paths.slice(half), messagesByPath));
        return;
      }
      const refused = name === "InvalidArgument" ? { path: invalidation.paths[0] } : {};
      log("error", "invalidation failed; its messages return to the queue", { error: name, reason: message, paths: invalidation.paths.length, ...refused }, { InvalidationFailures: 1 });
      for (const id of invalidation.messageIds) failed.add(id);
    }
  };
  for (const invalidation of plans) await submit(invalidation);
  if (deferred > 0) {
    log("error", "invalidation calls of this batch used up; the rest return to the queue", { calls, maxCalls: PURGE_MAX_CALLS_PER_BATCH, paths: deferred });
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * One JSON line on stdout, with the line's metrics in Embedded Metric Format: written directly, as the resizer's
 * (console.log under the function's JSON log format would nest it where CloudWatch finds no metrics).
 */
function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>, metrics: Partial<Record<PurgeMetric, number>> = {}): void {
  const emf = process.env[METRICS_ENV] === "off" ? {} : purgeEmbeddedMetrics(metrics, { functionName: process.env[LAMBDA_FUNCTION_NAME_ENV] ?? "purge", now: Date.now() });
  process.stdout.write(`${JSON.stringify({ ...emf, level, message, ...fields })}\n`);
}

let client: CloudFrontClient | undefined;

/** Lambda's entry (`index.handler`). CloudFront's API is global, signed for us-east-1. */
export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  const distributionId = process.env[DISTRIBUTION_ID_ENV];
  if (!distributionId) throw new Error(`${DISTRIBUTION_ID_ENV} is not set`);
  client ??= new CloudFrontClient({ region: "us-east-1" });
  const cloudFront = client;
  return purge(event, distributionId, (input) => cloudFront.send(new CreateInvalidationCommand(input)));
}
