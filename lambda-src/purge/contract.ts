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
