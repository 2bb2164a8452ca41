/**
 * The preview's cache, keeping what the distribution keeps: variants until evicted, and the origins' error answers
 * for the error TTL (the kit's cache.errorTtl, the distribution's custom_error_response error_caching_min_ttl;
 * the resizer's own `Cache-Control: max-age` on errors says the same). An LRU bounded in bytes of bodies.
 */
import { LRUCache } from "lru-cache";
import { CACHEABLE_ERROR_CODES } from "../../modules/construct/response-headers";

/** An answer of an origin, as the viewer gets it. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface Entry extends Answer {
  /** The original's mtime and size when the answer was made: a changed file is not served from the cache. */
  readonly source: string;
  /** Epoch ms after which an error answer is no longer served; undefined for a variant. */
  readonly expiresAt?: number;
}

export class PreviewCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxBytes: number, private readonly errorTtlSeconds: number, private readonly now: () => number = Date.now) {
    this.entries = new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.body.length) });
  }

  /** The answer kept for `key`, when it was made from this version of the original and has not expired. */
  get(key: string, source: string): Answer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.source === source && (entry.expiresAt === undefined || this.now() < entry.expiresAt)) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps a GET's answer when the distribution would: a 200, or a cacheable error for the error TTL. */
  keep(key: string, answer: Answer, source: string): void {
    if (answer.status === 200) this.entries.set(key, { ...answer, source });
    else if (CACHEABLE_ERROR_CODES.includes(answer.status) && this.errorTtlSeconds > 0) {
      this.entries.set(key, { ...answer, source, expiresAt: this.now() + this.errorTtlSeconds * 1000 });
    }
  }
}
