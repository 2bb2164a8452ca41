import type { Context } from "aws-lambda";

/**
 * A Lambda context whose remaining time runs down from `budgetMs` like the real one.
 * `startedAt` lets a test measure when the answer came relative to the simulated timeout.
 */
export function fakeContext(budgetMs: number, requestId = "test-request"): Context & { readonly startedAt: number } {
  const startedAt = Date.now();
  return {
    startedAt,
    callbackWaitsForEmptyEventLoop: false,
    functionName: "resizer",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:resizer",
    memoryLimitInMB: "1024",
    awsRequestId: requestId,
    logGroupName: "/aws/lambda/resizer",
    logStreamName: "stream",
    getRemainingTimeInMillis: () => Math.max(0, budgetMs - (Date.now() - startedAt)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
