import { parseResizeQuery, transformImage } from "../core";
import type { Deadline } from "./deadline";
import { refuseOversized } from "./input-limit";
import type { RequestLog } from "./log";
import type { Original } from "./original";
import { errorOutcome, type Outcome } from "./outcome";
import { resizerConfig } from "./resizer-config";
import type { ServerTiming } from "./server-timing";
import type { ViewerRequest } from "./viewer-request";

/** The adapter-specific ends of the request path. */
export interface DecideSteps {
  /** The viewer's request from the event; throws an HttpError for a malformed one. */
  parse(): ViewerRequest;
  /** The original's headers, its body streaming on; aborting `signal` ends the download. */
  fetch(viewer: ViewerRequest, signal: AbortSignal): Promise<Original>;
}

/** Parse, fetch, transform: every failure becomes an error outcome, so there is always an answer. */
export async function decide(steps: DecideSteps, deadline: Deadline, timing: ServerTiming, log: RequestLog): Promise<Outcome> {
  try {
    const viewer = steps.parse();
    Object.assign(log, { key: viewer.key, params: viewer.query.toString() });
    const config = resizerConfig();
    const request = parseResizeQuery(viewer.query, config);

    const original = await deadline.race(
      timing.measure("fetch", () => steps.fetch(viewer, deadline.signal)),
      "fetching the original",
    );
    if (request.original) return { kind: "original", original };

    refuseOversized(original, config.maxInputBytes);
    // The body goes in as it arrives: sharp decodes while the rest is still downloading.
    // (On failure the core destroys it; on the deadline the abort ends the download.)
    const variant = await deadline.race(
      timing.measure("transform", () =>
        transformImage(original.body, request, { accept: viewer.accept, sourceContentType: original.contentType, config }),
      ),
      "resizing the image",
    );
    return { kind: "variant", ...variant };
  } catch (error) {
    return errorOutcome(error, log);
  }
}
