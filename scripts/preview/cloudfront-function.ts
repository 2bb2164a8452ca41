/**
 * A CloudFront Function's code run in Node as CloudFront runs it (a script that defines handler(event)), and its
 * event as CloudFront builds it from a viewer's request. The preview serves through it; the edge tests use it too.
 */
import { runInNewContext } from "node:vm";

export type CfValue = { value: string; multiValue?: { value: string }[] };
export type CfHeaders = Record<string, { value: string }>;
export type CfRequest = { method: string; uri: string; querystring: Record<string, CfValue>; headers: CfHeaders };
export type CfResponse = { statusCode: number; statusDescription?: string; headers?: CfHeaders; body?: string | { encoding: string; data: string } };

/**
 * The function's handler. `globals` stand in for what the code imports (a script cannot hold import statements):
 * e.g. `crypto` and `cf` for a function using runtime 2.0's modules.
 */
export function runFunctionCode<E, R>(code: string, globals: Record<string, unknown> = {}): (event: E) => R {
  const sandbox: Record<string, unknown> & { handler?: (event: E) => R } = { ...globals };
  runInNewContext(`${code}\nthis.handler = handler;`, sandbox);
  const handler = sandbox.handler;
  if (typeof handler !== "function") throw new Error("the function's code defines no handler");
  return (event) => handler(event);
}

/** CloudFront's querystring object: values as the viewer sent them (still percent-encoded), repeats in multiValue. */
export function cloudFrontQuery(rawQuery: string): Record<string, CfValue> {
  // No prototype: a parameter named "__proto__" or "constructor" is a parameter like any other.
  const query = Object.create(null) as Record<string, CfValue>;
  for (const pair of rawQuery.split("&").filter(Boolean)) {
    const at = pair.indexOf("=");
    const name = at === -1 ? pair : pair.slice(0, at);
    const value = at === -1 ? "" : pair.slice(at + 1);
    const existing = Object.hasOwn(query, name) ? query[name] : undefined;
    if (existing) existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
    else query[name] = { value };
  }
  return query;
}

/** CloudFront's headers object: lower-case names, repeated headers joined. */
export function cloudFrontHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): CfHeaders {
  const out = Object.create(null) as CfHeaders;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = { value: Array.isArray(value) ? value.join(",") : value };
  }
  return out;
}

/** A CloudFront headers object as plain name -> value, as an HTTP server or a function URL event takes them. */
export function plainHeaders(headers: CfHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, { value }]) => [name, value]));
}
