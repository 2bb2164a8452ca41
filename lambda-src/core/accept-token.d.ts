import type { AcceptToken } from "./contract";

/** The Accept header as the one token the cache key holds (accept-token.js: shared by the edge and the resizer). */
export declare function acceptToken(header: string | undefined): AcceptToken;
