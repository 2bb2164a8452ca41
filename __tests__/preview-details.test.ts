/**
 * `npm run preview` details a user met, over HTTP as users start it: broken images in a burst, the gallery's label
 * of an original the resizer refuses, the favicon and file-system paths, error caching as the distribution caches
 * errors, and the response headers policy on the answers the edge function makes itself.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES_DIR } from "../fixtures";
import { CACHEABLE_ERROR_CODES } from "../modules/construct/response-headers";
import { synthImageCdn } from "./support/synth";
import { http, startPreviewProcess, type HttpAnswer, type PreviewProcess } from "./support/preview-process";

const ALLOWED = "http://app.example.test";
const fixture = (name: string): string => join(FIXTURES_DIR, name);
const settle = (ms = 150): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let preview: PreviewProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "preview-details-"));
  copyFileSync(fixture("flowers.jpeg"), join(dir, "photo.jpg"));
  copyFileSync(fixture("truncated.jpg"), join(dir, "truncated.jpg"));
  copyFileSync(fixture("corrupt-header.jpg"), join(dir, "corrupt.jpg"));
  copyFileSync(fixture("giant-image.jpg"), join(dir, "giant.jpg"));
  writeFileSync(join(dir, "notes.jpg"), "these are notes, not a picture\n".repeat(20));
  symlinkSync("loop-b.jpg", join(dir, "loop-a.jpg"));
  symlinkSync("loop-a.jpg", join(dir, "loop-b.jpg"));
  preview = await startPreviewProcess(["--dir", dir, "--port", "0", "--cors-origin", ALLOWED]);
}, 60_000);

afterAll(async () => {
  if (preview) await preview.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The request lines logged so far (the first line, naming the folder served, is the command's own). */
const requestLines = (): string[] => preview.lines.filter((line) => /^[A-Z]+ \//.test(line));

describe("preview: broken images under a burst", () => {
  // libvips keeps one error buffer per process; the preview, unlike Lambda, runs many requests in one.
  it("every 422 of 6 bursts of 21 concurrent requests names a specific reason, never 'Unknown error'", async () => {
    const answers: HttpAnswer[] = [];
    for (let burst = 0; burst < 6; burst += 1) {
      const paths = Array.from({ length: 21 }, (_, i) => `/${i % 2 === 0 ? "truncated" : "corrupt"}.jpg?w=${100 + i}`);
      answers.push(...(await Promise.all(paths.map((path) => http(`${preview.url}${path}`)))));
    }
    const bodies = answers.map((answer) => `${answer.status} ${answer.body.toString()}`);
    const vague = bodies.filter((body) => !/^422 image cannot be decoded: \S[^\n]*[^:\s]\n$/.test(body) || /unknown error/i.test(body));
    expect(vague).toEqual([]);
  }, 60_000);
});

describe("preview: the gallery labels an original by the resizer's answer", () => {
  /** The caption of an original on the gallery page. */
  const originalLabel = (page: string, key: string): string | undefined =>
    new RegExp(`<h2>${key.replace(".", "\\.")}</h2><div class="row"><figure class="original">.*?<span>([^<]*)</span>`).exec(page)?.[1];

  it("a valid JPEG over the pixel limit is 'too large (413)' with the resizer's reason; text is a 415, a corrupt JPEG a 422", async () => {
    const page = (await http(`${preview.url}/`)).body.toString();
    const variant = await http(`${preview.url}/giant.jpg?w=150&h=150&fit=cover&format=jpeg`);
    expect(variant.status).toBe(413);
    expect(originalLabel(page, "giant.jpg")).toBe(`too large (413): ${variant.body.toString().trim()} · 1.04 MB`);
    const text = await http(`${preview.url}/notes.jpg?w=150`);
    expect(text.status).toBe(415);
    expect(originalLabel(page, "notes.jpg")).toBe(`not an image (415): ${text.body.toString().trim()} · 620 B`);
    expect(originalLabel(page, "corrupt.jpg")).toMatch(/^unreadable \(422\): image cannot be decoded: \S/);
    // Readable headers still show their dimensions (a truncated body is found only by decoding it).
    expect(originalLabel(page, "photo.jpg")).toBe("1920×1080 · 83.3 KB");
    expect(originalLabel(page, "truncated.jpg")).toMatch(/^2725×2225 · /);
  }, 30_000);

  it("with --max-input-bytes below an original's size, its label is the resizer's 413 for the byte limit", async () => {
    const small = await startPreviewProcess(["--dir", dir, "--port", "0", "--max-input-bytes", "50000"]);
    try {
      const page = (await http(`${small.url}/`)).body.toString();
      const variant = await http(`${small.url}/photo.jpg?w=150&h=150&fit=cover&format=jpeg`);
      expect(variant.status).toBe(413);
      expect(originalLabel(page, "photo.jpg")).toBe(`too large (413): ${variant.body.toString().trim()} · 83.3 KB`);
    } finally {
      await small.stop("SIGKILL");
    }
  }, 60_000);
});

describe("preview: the favicon and file-system paths", () => {
  it("answers /favicon.ico with an empty 204 and logs no line for it", async () => {
    const answer = await http(`${preview.url}/favicon.ico`);
    expect(answer.status).toBe(204);
    expect(answer.body.length).toBe(0);
    await settle();
    expect(requestLines().filter((line) => line.includes("favicon"))).toEqual([]);
  });

  it("no log line or body names a file-system path for a missing key, an original, or a link loop", async () => {
    const answers = await Promise.all(["/nowhere/missing.jpg?w=100", "/nowhere/missing.jpg", "/loop-a.jpg?w=100"].map((path) => http(`${preview.url}${path}`)));
    expect(answers.map((answer) => answer.status)).toEqual([404, 403, 502]);
    await settle();
    const lines = requestLines().filter((line) => /missing|loop-a/.test(line));
    expect(lines).toHaveLength(3);
    for (const text of [...lines, ...answers.map((answer) => answer.body.toString())]) {
      expect(text).not.toContain(dir);
      expect(text).not.toContain(tmpdir());
    }
    // The reason stays: what failed, without where.
    expect(lines).toContainEqual(expect.stringMatching(/404 Miss .* NoSuchKey: the original does not exist: ENOENT \(realpath\) \[StatusClass=4xx ErrorCode=NoSuchKey · [^\]]*\]$/));
  });
});

describe("preview: errors cached as the distribution caches them", () => {
  const xCache = (answer: HttpAnswer): unknown => answer.headers["x-cache"];

  it("holds the same statuses as the distribution's custom_error_response", () => {
    const distribution = Object.values(synthImageCdn().resource.aws_cloudfront_distribution ?? {})[0] as { custom_error_response: Array<{ error_code: number }> };
    expect(distribution.custom_error_response.map((r) => r.error_code).sort()).toEqual([...CACHEABLE_ERROR_CODES].sort());
  });

  it("a repeated 404 (resizer) or 403 (S3, an original) within the error TTL is a hit; a 422 never is", async () => {
    const first = await http(`${preview.url}/gone.jpg?w=100`);
    const second = await http(`${preview.url}/gone.jpg?w=100`);
    expect([first.status, xCache(first), second.status, xCache(second)]).toEqual([404, "Miss from preview", 404, "Hit from preview"]);
    expect(second.body.equals(first.body)).toBe(true);
    expect(second.headers["cache-control"]).toBe("public, max-age=10");
    const originals = [await http(`${preview.url}/gone.jpg`), await http(`${preview.url}/gone.jpg`)];
    expect(originals.map((answer) => [answer.status, xCache(answer)])).toEqual([[403, "Miss from preview"], [403, "Hit from preview"]]);
    const broken = [await http(`${preview.url}/corrupt.jpg?w=100`), await http(`${preview.url}/corrupt.jpg?w=100`)];
    expect(broken.map((answer) => [answer.status, xCache(answer)])).toEqual([[422, "Miss from preview"], [422, "Miss from preview"]]);
  });

  it("after --error-ttl it is a miss again; a file added meanwhile is made at once (the preview's own: its version changed)", async () => {
    const short = await startPreviewProcess(["--dir", dir, "--port", "0", "--error-ttl", "1"]);
    try {
      const cacheOf = async (path: string): Promise<unknown[]> => {
        const answer = await http(`${short.url}${path}`);
        return [answer.status, xCache(answer)];
      };
      expect(await cacheOf("/later.jpg?w=100")).toEqual([404, "Miss from preview"]);
      expect(await cacheOf("/later.jpg?w=100")).toEqual([404, "Hit from preview"]);
      await settle(1100);
      expect(await cacheOf("/later.jpg?w=100")).toEqual([404, "Miss from preview"]);
      expect(await cacheOf("/later.jpg?w=100")).toEqual([404, "Hit from preview"]);
      copyFileSync(join(dir, "photo.jpg"), join(dir, "later.jpg"));
      expect(await cacheOf("/later.jpg?w=100")).toEqual([200, "Miss from preview"]);
    } finally {
      await short.stop("SIGKILL");
    }
  }, 60_000);
});

describe("preview: the response headers policy on the edge function's own answers", () => {
  const POLICY = ["x-content-type-options", "content-security-policy", "strict-transport-security"] as const;
  const policyOf = (answer: HttpAnswer): unknown[] => POLICY.map((name) => answer.headers[name]);

  it("a 400, a 301, a preflight and CloudFront's method refusal carry the same policy headers as a 404 from the resizer", async () => {
    const fromOrigin = await http(`${preview.url}/absent.jpg?w=100`);
    expect(fromOrigin.status).toBe(404);
    expect(policyOf(fromOrigin).every((value) => typeof value === "string")).toBe(true);
    const edge = {
      400: await http(`${preview.url}/photo.jpg?w=abc`, { headers: { origin: ALLOWED } }),
      301: await http(`${preview.url}/%70hoto.jpg?w=100`),
      204: await http(`${preview.url}/photo.jpg?w=64`, { method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "GET" } }),
      403: await http(`${preview.url}/photo.jpg`, { method: "DELETE" }),
    };
    for (const [status, answer] of Object.entries(edge)) {
      expect({ status: answer.status, policy: policyOf(answer) }).toEqual({ status: Number(status), policy: policyOf(fromOrigin) });
    }
    expect(edge[400].headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(edge[204].headers["access-control-allow-origin"]).toBe(ALLOWED);
  });

  it("the gallery page is the preview's own, not CloudFront's: no sandboxing CSP that would stop its script", async () => {
    const page = await http(`${preview.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toBeUndefined();
  });
});
