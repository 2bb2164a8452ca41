/**
 * What the purge function and its construct share. No imports: the construct reads this at synth without
 * loading the function's AWS SDK.
 */
/** The distribution to invalidate, set by the construct. */
export const DISTRIBUTION_ID_ENV = "IMAGE_CDN_DISTRIBUTION_ID";
/**
 * Messages per batch (the event source mapping's batch size) and paths per invalidation: one batch is one
 * CreateInvalidation, a third of CloudFront's 3,000 paths in progress. Invalidations stay in progress for minutes,
 * so a longer burst meets TooManyInvalidationsInProgress and waits in the queue for its retry.
 */
export const PURGE_BATCH_SIZE = 1000;
/** The S3 event types that change what a key serves (S3 user guide, "Using EventBridge"). */
export const PURGE_DETAIL_TYPES = ["Object Created", "Object Deleted"] as const;
/**
 * CreateInvalidation calls one batch may make. Isolating one path CloudFront refuses among 1,000 by halving takes
 * at most 1 + 2 x ceil(log2 1000) = 21 (the whole, then two halves a level); a batch that needs more is refused wholesale (every path at once, say), and
 * halving it would make up to 1,999 calls. Past the bound, what is left returns to the queue, and so, after its
 * retries, to the dead-letter queue.
 */
export const PURGE_MAX_CALLS_PER_BATCH = 24;
