/** S3's events as EventBridge delivers them, shaped as the S3 user guide's "EventBridge event message structure" examples. */
export function s3EventBridgeEvent(detailType: string, bucket: string, key: string): Record<string, unknown> {
  const deleted = detailType === "Object Deleted";
  const object = deleted ? { key, sequencer: "617f0837b476e463" } : { key, size: 5, etag: "b1946ac92492d2347c6235b4d2611184", sequencer: "617f08299329d189" };
  const reason = deleted ? { reason: "DeleteObject", "deletion-type": "Permanently Deleted" } : { reason: "PutObject" };
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": detailType,
    source: "aws.s3",
    account: "111122223333",
    time: "2021-11-12T00:00:00Z",
    region: "ca-central-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: "0", bucket: { name: bucket }, object, "request-id": "N4N7GDK58NMKJ12R", requester: "123456789012", "source-ip-address": "1.2.3.4", ...reason },
  };
}
