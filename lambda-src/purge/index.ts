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
import { DISTRIBUTION_ID_ENV, PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES } from "./contract";

export { DISTRIBUTION_ID_ENV, PURGE_BATCH_SIZE, PURGE_DETAIL_TYPES };

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

/**
 * The invalidations for a batch: each distinct path once, sorted, at most PURGE_BATCH_SIZE per invalidation.
 * The caller reference is a hash of the messages and paths: a retry of the same messages is the same request
 * (CloudFront answers it with the invalidation it already made, at no charge), a later change of the same key
 * comes in another message, hence a new invalidation. Messages that name no key are ignored.
 */
export function planInvalidations(records: SqsEvent["Records"]): { plans: InvalidationPlan[]; ignored: string[] } {
  const messagesByPath = new Map<string, string[]>();
  const ignored: string[] = [];
  for (const record of records) {
    const key = changedKey(record.body);
    if (key === undefined) {
      ignored.push(record.messageId);
      continue;
    }
    const path = invalidationPath(key);
    messagesByPath.set(path, [...(messagesByPath.get(path) ?? []), record.messageId]);
  }
  const paths = [...messagesByPath.keys()].sort();
  const plans: InvalidationPlan[] = [];
  for (let start = 0; start < paths.length; start += PURGE_BATCH_SIZE) {
    const chunk = paths.slice(start, start + PURGE_BATCH_SIZE);
    const messageIds = chunk.flatMap((path) => messagesByPath.get(path) ?? []).sort();
    const callerReference = createHash("sha256").update(JSON.stringify([messageIds, chunk])).digest("hex");
    plans.push({ paths: chunk, messageIds, callerReference });
  }
  return { plans, ignored };
}

export type CreateInvalidation = (input: CreateInvalidationCommandInput) => Promise<{ Invalidation?: { Id?: string } }>;

/**
 * Invalidates what a batch changed. A failed invalidation (most often TooManyInvalidationsInProgress) returns
 * its messages to the queue, to be retried after the visibility timeout and, after the queue's
 * maxReceiveCount, kept in the dead-letter queue; the other invalidations of the batch stand.
 */
export async function purge(event: SqsEvent, distributionId: string, createInvalidation: CreateInvalidation): Promise<SqsBatchResponse> {
  const { plans, ignored } = planInvalidations(event.Records);
  if (ignored.length > 0) log("warn", "messages without an S3 Object Created/Deleted event ignored", { messages: ignored.length });
  const failed: string[] = [];
  for (const plan of plans) {
    try {
      const result = await createInvalidation({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: plan.callerReference, Paths: { Quantity: plan.paths.length, Items: plan.paths } },
      });
      log("info", "invalidation created", { invalidationId: result.Invalidation?.Id, paths: plan.paths.length, messages: plan.messageIds.length });
    } catch (error) {
      const { name, message } = error as Error;
      log("error", "invalidation failed; its messages return to the queue", { error: name, reason: message, paths: plan.paths.length });
      failed.push(...plan.messageIds);
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, message, ...fields }));
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
