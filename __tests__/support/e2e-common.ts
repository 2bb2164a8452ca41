import { readFile } from "node:fs/promises";
import path from "node:path";
import { FIXTURES_DIR } from "../../fixtures";
import type { LocalS3 } from "./s3rver-harness";

export { FIXTURES_DIR };

/** Both adapters report the three steps with one decimal. */
export const SERVER_TIMING_PATTERN = /^fetch;dur=\d+\.\d, transform;dur=\d+\.\d, total;dur=\d+\.\d$/;

export type FixtureOriginals<K extends string> = Readonly<Record<K, { readonly file: string; readonly contentType: string }>>;

/** Uploads each fixture under its key and returns the bytes stored, to compare responses against. */
export async function storeFixtures<K extends string>(s3: LocalS3, originals: FixtureOriginals<K>): Promise<Map<K, Buffer>> {
  const stored = new Map<K, Buffer>();
  for (const key of Object.keys(originals) as K[]) {
    const { file, contentType } = originals[key];
    const bytes = await readFile(path.join(FIXTURES_DIR, file));
    stored.set(key, bytes);
    await s3.put(key, bytes, contentType);
  }
  return stored;
}

import { emfMetrics, metricValue } from "./emf";

/**
 * Captures the handlers' log lines (one JSON object each, written to stdout directly: lambda-src/shared/settings.ts)
 * per test: the returned array is emptied before each test and filled while it runs; stdout is restored after it.
 */
export function captureLogLines(): string[] {
  const lines: string[] = [];
  let spy: jest.SpyInstance | undefined;
  beforeEach(() => {
    lines.length = 0;
    spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split("\n").filter((line) => line !== ""));
      return true;
    });
  });
  afterEach(() => spy?.mockRestore());
  return lines;
}

/**
 * The Lambda-like environment both e2e suites run their handlers in: a region, s3rver's key pair (it checks
 * no signatures, but knows only that pair), nothing of the developer's own AWS session or profile, and the
 * suite's own variables. Returns the function to call from beforeAll; the environment is restored after.
 */
export function lambdaEnvironment(): (suite: Record<string, string>) => void {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });
  return (suite) => {
    Object.assign(process.env, { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", ...suite });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  };
}

/** A line the resizer wrote itself: a JSON object with source "resizer" at its root (not nested in a runtime's wrapper). */
export function isResizerLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { source?: unknown }).source === "resizer";
  } catch {
    return false;
  }
}

/**
 * Every captured request line is checked as CloudWatch Embedded Metric Format after each test, whatever the answer
 * (support/emf.ts reads it by the specification). Returns the metric CloudWatch would extract from the last request
 * line, under the function's base dimensions (FunctionName, OriginMode) and `extra`.
 */
export function checkedMetrics(lines: string[], originMode: "function-url" | "object-lambda"): (name: string, extra?: Record<string, string>) => number | undefined {
  const requestLines = (): string[] => lines.filter((line) => isResizerLine(line) && !line.includes('"event":'));
  afterEach(() => {
    for (const line of requestLines()) emfMetrics(line);
  });
  return (name, extra = {}) => {
    const line = requestLines().at(-1);
    expect(line).toBeDefined();
    const record = JSON.parse(line!) as { FunctionName: string };
    return metricValue(emfMetrics(line!), name, { FunctionName: record.FunctionName, OriginMode: originMode, ...extra });
  };
}
