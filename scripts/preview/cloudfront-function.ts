/**
 * A CloudFront Function's code run in Node as CloudFront runs it (a script that defines handler(event)), and its
 * event as CloudFront builds it from a viewer's request. The preview serves through it; the edge tests use it too.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { runInNewContext } from "node:vm";

export type CfValue = { value: string; multiValue?: { value: string }[] };
export type CfHeaders = Record<string, { value: string }>;
export type CfRequest = { method: string; uri: string; querystring: Record<string, CfValue>; headers: CfHeaders };
export type CfResponse = { statusCode: number; statusDescription?: string; headers?: CfHeaders; body?: string | { encoding: string; data: string } };

/**
 * The function's handler. A script cannot hold import statements: each `import X from 'module';` line is taken
 * out and X is given `modules[module]` (an error names a module the caller did not provide). `globals` replace
 * others, e.g. `Date` for a fixed clock.
 */
export function runFunctionCode<E, R>(code: string, options: { modules?: Record<string, unknown>; globals?: Record<string, unknown> } = {}): (event: E) => R {
  const sandbox: Record<string, unknown> & { handler?: (event: E) => R } = { ...options.globals };
  const script = code.replace(/^import (\w+) from '([\w-]+)';\n/gm, (_line, name: string, module: string) => {
    if (!options.modules || !Object.hasOwn(options.modules, module)) throw new Error(`the function imports '${module}', which the runner was not given`);
    sandbox[name] = options.modules[module];
    return "";
  });
  runInNewContext(`${script}\nthis.handler = handler;`, sandbox);
  const handler = sandbox.handler;
  if (typeof handler !== "function") throw new Error("the function's code defines no handler");
  return (event) => handler(event);
}

/** Which origin a viewer-request invocation chose (undefined: the cache behavior's own target origin). */
export interface OriginChoice {
  origin?: string;
}

/**
 * Runtime 2.0's `cloudfront` module as "Helper methods for origin modification" and "Helper methods for key
 * value stores" document the parts the kit uses: `selectRequestOriginById(id)` accepts only an origin defined in
 * the same distribution (`origins`) and sends this request there; `kvs()` returns the associated store.
 * `track` runs one invocation and reports its choice (kept per invocation, concurrent ones included).
 */
export function cloudfrontModule(options: { origins: readonly string[]; kvs?: unknown }) {
  const current = new AsyncLocalStorage<OriginChoice>();
  const module = {
    selectRequestOriginById(id: unknown): void {
      if (typeof id !== "string" || !options.origins.includes(id)) throw new Error(`selectRequestOriginById: no origin with id ${JSON.stringify(id)} in this distribution`);
      const choice = current.getStore();
      if (choice) choice.origin = id;
    },
    kvs(): unknown {
      if (options.kvs === undefined) throw new Error("kvs(): no key value store is associated with this function");
      return options.kvs;
    },
  };
  return {
    module,
    track<T>(invoke: () => T): { result: T; choice: OriginChoice } {
      const choice: OriginChoice = {};
      return { result: current.run(choice, invoke), choice };
    },
  };
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
