/**
 * Late, typed access to the resizer core and the bundle builder. Loaded on demand so that one
 * missing piece skips its sections with a reason instead of stopping the whole report.
 */
import type * as CoreModule from "../lambda-src/core";
import type * as BundleModule from "../modules/bundle/build";

export type Core = typeof CoreModule;
export type Bundle = typeof BundleModule;

export function loadCore(): Core | Error {
  return load<Core>("../lambda-src/core");
}

export function loadBundleBuilder(): Bundle | Error {
  return load<Bundle>("../modules/bundle/build");
}

function load<T>(request: string): T | Error {
  try {
    return require(request) as T;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
