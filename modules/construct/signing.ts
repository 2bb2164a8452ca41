import { createHmac } from "node:crypto";
import { BROADEST_CONFIG, PRESET_NAME, PRESET_PARAM, RESIZE_PARAMS, urlPathOfKey, type ResizeParam } from "../../lambda-src/core/contract";
import { parseResizeQuery } from "../../lambda-src/core/params";

/**
 * Signed URLs, checked by the viewer-request function before the cache (modules/edge/viewer-request-signing.js
 * holds the edge's side of this contract; a test runs it against signImageUrl on a table of cases).
 */
export const SIGNATURE_PARAM = "sig";
export const EXPIRES_PARAM = "exp";
/** The KeyValueStore keys the edge reads the secrets from: two slots, so a new key goes live before the old one leaves. */
export const SIGNING_KEY_SLOTS = ["signing-key-1", "signing-key-2"] as const;
/** What a caller asks for in a signed URL: the resize parameters or a preset. */
export const SIGNABLE_PARAMS: readonly string[] = [...RESIZE_PARAMS, PRESET_PARAM];
/** The parameters a signature covers, sorted: changing any of them changes the variant or the expiry. */
export const SIGNED_PARAMS: readonly string[] = [...SIGNABLE_PARAMS, EXPIRES_PARAM].sort();
/**
 * The shortest key the edge takes (16 random bytes as hex): a shorter one, an empty slot's value among them, is
 * ignored, as an HMAC with an empty or short secret verifies too easily. `openssl rand -hex 32` makes 64.
 */
export const MIN_SIGNING_KEY_LENGTH = 32;
export type SignableParams = Partial<Record<ResizeParam | typeof PRESET_PARAM, string | number>>;

export interface SignOptions {
  /** When the URL stops working: a Date, or Unix seconds. The edge accepts it up to and including that second. */
  readonly expires?: Date | number;
}

/**
 * What is signed: "<the key's one URL path>\n<name>=<value, encodeURIComponent>&..." over the signed parameters
 * given, sorted. Values are encoded, so one value can never read as several parameters.
 */
export function stringToSign(key: string, params: Readonly<Record<string, string>>): string {
  const pairs = SIGNED_PARAMS.filter((name) => params[name] !== undefined).map((name) => `${name}=${encodeURIComponent(params[name] as string)}`);
  return `${urlPathOfKey(key)}\n${pairs.join("&")}`;
}

/** A parameter's value as the contract takes it, or the reason it does not (the resizer's own parser). */
function checkedValue(name: string, value: string): string {
  if (name === PRESET_PARAM) {
    if (!PRESET_NAME.test(value)) throw new Error(`signImageUrl: preset must be a preset name (a-z, 0-9, '-', '_'), got ${JSON.stringify(value)}`);
    return value;
  }
  try {
    parseResizeQuery(new URLSearchParams([[name, value]]), BROADEST_CONFIG, "viewer");
  } catch (error) {
    throw new Error(`signImageUrl: ${(error as Error).message}`);
  }
  return value;
}

/**
 * The URL of `key` under `baseUrl` with `params` (resize parameters or `preset`), signed with `secret` (the value
 * in one of the KeyValueStore's key slots). Each path segment and value is percent-encoded, so keys with spaces,
 * '+', '%', '?', '#' or any script sign and verify as they are.
 */
export function signImageUrl(baseUrl: string, key: string, params: SignableParams, secret: string, options: SignOptions = {}): string {
  if (key === "" || key.startsWith("/")) throw new Error(`signImageUrl: key must be an object key without a leading '/', got ${JSON.stringify(key)}`);
  if (secret.length < MIN_SIGNING_KEY_LENGTH) throw new Error(`signImageUrl: secret must be at least ${MIN_SIGNING_KEY_LENGTH} characters (the edge ignores shorter keys), got ${secret.length}`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (!SIGNABLE_PARAMS.includes(name)) {
      throw new Error(`signImageUrl: unknown parameter ${JSON.stringify(name)}; allowed: ${SIGNABLE_PARAMS.join(", ")}`);
    }
    values[name] = checkedValue(name, String(value));
  }
  if (options.expires !== undefined) values[EXPIRES_PARAM] = String(unixSeconds(options.expires));
  const signature = createHmac("sha256", secret).update(stringToSign(key, values)).digest("hex");
  const query = [...Object.keys(values).sort().map((name) => `${name}=${encodeURIComponent(values[name] as string)}`), `${SIGNATURE_PARAM}=${signature}`];
  return `${baseUrl.replace(/\/+$/, "")}${urlPathOfKey(key)}?${query.join("&")}`;
}

function unixSeconds(expires: Date | number): number {
  const seconds = expires instanceof Date ? Math.floor(expires.getTime() / 1000) : expires;
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`signImageUrl: expires must be a Date or whole Unix seconds, got ${String(expires)}`);
  return seconds;
}
