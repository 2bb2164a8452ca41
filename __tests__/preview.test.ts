/**
 * `npm run preview` over HTTP, started as users start it: the URL contract, its statuses and headers as the
 * deployed function-URL origin sends them, the cache, CORS, and the command line's refusals.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { VARIANT_CACHE_CONTROL } from "../lambda-src/core/contract";
import { FIXTURES_DIR } from "../fixtures";
import { http, runPreviewToExit, startPreviewProcess, type PreviewProcess } from "./support/preview-process";

const ALLOWED = "http://app.example.test";
const AVIF_FIRST = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8";

let dir: string;
let preview: PreviewProcess;

const fixture = (name: string): string => join(FIXTURES_DIR, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "preview-"));
  copyFileSync(fixture("2569067123_aca715a2ee_o.jpg"), join(dir, "photo.jpg"));
  mkdirSync(join(dir, "summer holiday"));
  copyFileSync(fixture("flowers.jpeg"), join(dir, "summer holiday", "beach 1.jpeg"));
  mkdirSync(join(dir, "한글"));
  copyFileSync(fixture("4.webp"), join(dir, "한글", "사진.webp"));
  copyFileSync(fixture("check.svg"), join(dir, "check.svg"));
  copyFileSync(fixture("corrupt-header.jpg"), join(dir, "corrupt.jpg"));
  copyFileSync(fixture("giant-image.jpg"), join(dir, "giant.jpg"));
  writeFileSync(join(dir, "notes.jpg"), "these are notes, not a picture\n".repeat(20));
  copyFileSync(fixture("Landscape_1.jpg"), join(dir, "edit.jpg"));
  // A link out of the folder (what a hostile upload tool or a careless folder could hold), and one within it.
  symlinkSync("/etc/passwd", join(dir, "passwd.jpg"));
  symlinkSync("photo.jpg", join(dir, "alias.jpg"));
  symlinkSync("loop-b.jpg", join(dir, "loop-a.jpg"));
  symlinkSync("loop-a.jpg", join(dir, "loop-b.jpg"));
  execFileSync("mkfifo", [join(dir, "stalled.jpg")]);
  preview = await startPreviewProcess(["--dir", dir, "--port", "0", "--cors-origin", ALLOWED, "--timeout", "1"]);
}, 60_000);

afterAll(async () => {
  if (preview) await preview.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run preview: the URL contract", () => {
  it("prints its URL, then one line per request: method, path, status, cache result, bytes, milliseconds", async () => {
    await http(`${preview.url}/photo.jpg?w=120`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(preview.lines[0]).toMatch(/^preview: http:\/\/127\.0\.0\.1:\d+\/ serves .*preview-/);
    // A miss carries the metrics the deployed resizer's line would (Embedded Metric Format), as the dashboard shows them.
    expect(preview.lines).toContainEqual(expect.stringMatching(/^GET \/photo\.jpg\?w=120 200 Miss \d+ B \d+\.\d ms \[StatusClass=2xx · Requests 1, ColdStarts [01], FetchTime [\d.]+ ms, TransformTime [\d.]+ ms, TotalTime [\d.]+ ms, OriginalBytes \d+ B, ResponseBytes \d+ B\]$/));
    // An error: its class and code, as the alarms and the "which errors" widget count them.
    await http(`${preview.url}/corrupt.jpg?w=121`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(preview.lines).toContainEqual(expect.stringMatching(/^GET \/corrupt\.jpg\?w=121 422 Miss \d+ B \d+\.\d ms UnprocessableImage: .* \[StatusClass=4xx ErrorCode=UnprocessableImage · Requests 1, ColdStarts 0, FetchTime [\d.]+ ms, TransformTime [\d.]+ ms, TotalTime [\d.]+ ms, OriginalBytes \d+ B, ResponseBytes \d+ B, Errors 1\]$/));
  });

  it("resizes: w=150&h=150 is a 150x150 image with the function URL's headers", async () => {
    const answer = await http(`${preview.url}/photo.jpg?w=150&h=150&format=webp`);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("image/webp");
    expect(Number(answer.headers["content-length"])).toBe(answer.body.length);
    expect(answer.headers["cache-control"]).toBe(VARIANT_CACHE_CONTROL);
    expect(answer.headers["server-timing"]).toMatch(/fetch;dur=[\d.]+, transform;dur=[\d.]+, total;dur=[\d.]+/);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    const meta = await sharp(answer.body).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([150, 150, "webp"]);
  });

  it.each([
    [AVIF_FIRST, "image/avif"],
    ["image/webp,*/*", "image/webp"],
    ["*/*", "image/jpeg"],
  ])("format=auto with Accept %j answers %s, with Vary: Accept", async (accept, type) => {
    const answer = await http(`${preview.url}/photo.jpg?w=200`, { headers: { accept } });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe(type);
    expect(answer.headers.vary).toBe("Accept");
  });

  it("no parameters: the original's bytes and type, from the folder as S3 answers the originals' origin", async () => {
    const answer = await http(`${preview.url}/photo.jpg`);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("image/jpeg");
    expect(answer.body.equals(readFileSync(join(dir, "photo.jpg")))).toBe(true);
    expect(answer.headers["server-timing"]).toBeUndefined(); // not the resizer
    // S3's own Range, ETag and 304: what the resizer could not give a big original.
    const range = await http(`${preview.url}/photo.jpg`, { headers: { range: "bytes=100-199" } });
    expect(range.status).toBe(206);
    expect(range.headers["content-range"]).toBe(`bytes 100-199/${answer.body.length}`);
    expect(range.body.equals(answer.body.subarray(100, 200))).toBe(true);
    const again = await http(`${preview.url}/photo.jpg`, { headers: { "if-none-match": String(answer.headers.etag) } });
    expect(again.status).toBe(304);
    const head = await http(`${preview.url}/photo.jpg`, { method: "HEAD" });
    expect(head.headers["content-length"]).toBe(String(answer.body.length));
  });

  it("a missing original is S3's 403 AccessDenied (no s3:ListBucket for CloudFront); a missing variant the resizer's 404", async () => {
    const original = await http(`${preview.url}/missing.jpg`);
    expect(original.status).toBe(403);
    expect(original.body.toString()).toContain("<Code>AccessDenied</Code>");
    expect((await http(`${preview.url}/missing.jpg?w=100`)).status).toBe(404);
    expect((await http(`${preview.url}/../secret.jpg`)).status).toBe(403);
  });

  it("with --originals deny, an original is the edge's 403 and variants are served", async () => {
    const strict = await startPreviewProcess(["--dir", dir, "--port", "0", "--originals", "deny"]);
    try {
      const refused = await http(`${strict.url}/photo.jpg`);
      expect(refused.status).toBe(403);
      expect(refused.body.toString()).toMatch(/^originals are not served/);
      expect((await http(`${strict.url}/photo.jpg?w=100`)).status).toBe(200);
    } finally {
      await strict.stop("SIGKILL");
    }
  }, 60_000);

  it("keys with spaces and Korean characters", async () => {
    for (const path of ["/summer%20holiday/beach%201.jpeg?w=100", `/${encodeURIComponent("한글")}/${encodeURIComponent("사진.webp")}?w=100`]) {
      const answer = await http(`${preview.url}${path}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expect((await sharp(answer.body).metadata()).width).toBe(100);
    }
  });

  it.each([
    ["a malformed parameter, answered by the edge function", "/photo.jpg?w=abc", "GET", 400, /w must be an integer/],
    ["a key outside the folder", "/../secret.jpg?w=100", "GET", 403, /access to the original was denied/],
    ["a missing key", "/missing.jpg?w=100", "GET", 404, /the original does not exist/],
    ["a method the distribution does not allow (refused by CloudFront before the function)", "/photo.jpg", "DELETE", 403, /not configured to allow the HTTP request method DELETE; allowed: GET, HEAD, OPTIONS\n$/],
    ["a pixel bomb", "/giant.jpg?w=100", "GET", 413, /./],
    ["an SVG with parameters", "/check.svg?w=100", "GET", 415, /SVG is not resized/],
    ["text named .jpg", "/notes.jpg?w=100", "GET", 415, /./],
    ["a corrupt image", "/corrupt.jpg?w=100", "GET", 422, /cannot be decoded/],
    ["a store that fails (a symlink loop)", "/loop-a.jpg?w=100", "GET", 502, /the original's store failed/],
  ])("%s: %s (%s) is a %i with a short reason", async (_what, path, method, status, reason) => {
    const answer = await http(`${preview.url}${path}`, { method });
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(answer.body.toString()).toMatch(reason);
    expect(answer.body.toString().split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("keys the file system would read as other names are S3's own keys, not in the folder: 404", async () => {
    mkdirSync(join(dir, "x"), { recursive: true });
    for (const path of ["/x/../photo.jpg?w=100", "/x//..//photo.jpg?w=100", "/summer%20holiday//beach%201.jpeg?w=100", "/summer%20holiday/?w=100"]) {
      expect({ path, status: (await http(`${preview.url}${path}`)).status }).toEqual({ path, status: 404 });
    }
  });

  // One spelling per key: the edge redirects any other to it (CloudFront would cache each spelling apart).
  it("redirects another spelling of a key to its one spelling, keeping the query", async () => {
    for (const [path, canonical] of [["/%70hoto.jpg?w=100", "/photo.jpg?w=100"], ["/x/%2e%2e/photo.jpg?w=100", "/x/../photo.jpg?w=100"], ["/summer%20holiday%2Fbeach%201.jpeg", "/summer%20holiday/beach%201.jpeg"]]) {
      const answer = await http(`${preview.url}${path}`);
      expect({ path, status: answer.status, location: answer.headers.location }).toEqual({ path, status: 301, location: canonical });
    }
  });

  // Before: 20 spellings x 3 Accept values were 59 misses, each a paid transformation and a cache entry purge missed.
  it("20 spellings of a key and 3 Accept values make 3 variants: every other spelling is redirected", async () => {
    const spellings = ["/photo.jpg", "/%70hoto.jpg", "/%70%68oto.jpg", "/ph%6Fto.jpg", "/ph%6fto.jpg", "/photo%2Ejpg", "/photo%2ejpg", "/pho%74o%2Ejpg",
      "/p%68oto.jpg", "/pho%74o.jpg", "/phot%6F.jpg", "/photo.%6Apg", "/photo.j%70g", "/photo.jp%67", "/%70%68%6F%74%6F%2E%6A%70%67", "/%70%68%6f%74%6f%2e%6a%70%67",
      "/p%68%6Fto.jpg", "/ph%6Ft%6F.jpg", "/%70hoto.j%70g", "/photo%2Ej%70g"];
    const statuses = new Map<string, number>();
    for (const accept of ["image/avif,image/webp", "image/webp", "image/jpeg"]) {
      for (const path of spellings) {
        const answer = await http(`${preview.url}${path}?w=157`, { headers: { accept } });
        const outcome = answer.status === 200 ? String(answer.headers["x-cache"]) : String(answer.status);
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ "Miss from preview": 3, "301": 57 });
  });

  it("follows no link out of the folder (403, as S3 refuses a foreign object), and links within it work", async () => {
    for (const path of ["/passwd.jpg", "/passwd.jpg?w=100", "/passwd.jpg?format=png"]) {
      const answer = await http(`${preview.url}${path}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.body.toString()).not.toContain("root:");
    }
    const alias = await http(`${preview.url}/alias.jpg`);
    expect(alias.status).toBe(200);
    expect(alias.body.equals(readFileSync(join(dir, "photo.jpg")))).toBe(true);
    expect((await http(`${preview.url}/alias.jpg?w=64`)).status).toBe(200);
  });

  it("a parameter named __proto__ is ignored like any unknown one and leaves the next requests unharmed", async () => {
    expect((await http(`${preview.url}/photo.jpg?__proto__=1&constructor=2&w=90`)).status).toBe(200);
    const next = await http(`${preview.url}/photo.jpg?w=91&h=91`);
    expect(next.status).toBe(200);
    expect((await sharp(next.body).metadata()).width).toBe(91);
  });

  it("answers only to 127.0.0.1 and localhost: a rebound host name gets a 403", async () => {
    const port = new URL(preview.url).port;
    expect((await http(`${preview.url}/photo.jpg?w=80`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const rebound = await http(`${preview.url}/`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body.toString()).toBe("the preview answers only to 127.0.0.1 and localhost\n");
  });

  it("an original that never arrives is a 504 before the resizer's timeout (--timeout 1)", async () => {
    const started = Date.now();
    const answer = await http(`${preview.url}/stalled.jpg?w=100`);
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(3000);
    // Release the blocked open() of the named pipe, so the preview's thread pool gets its thread back.
    writeFileSync(join(dir, "stalled.jpg"), "");
  });
});

describe("npm run preview: the cache", () => {
  it("the second request is a hit with the same bytes; parameter order and defaults share the entry", async () => {
    const first = await http(`${preview.url}/photo.jpg?w=300&h=200&format=webp`);
    const second = await http(`${preview.url}/photo.jpg?w=300&h=200&format=webp`);
    const reordered = await http(`${preview.url}/photo.jpg?format=webp&fit=cover&h=200&w=300&utm_source=mail`);
    expect([first.headers["x-cache"], second.headers["x-cache"], reordered.headers["x-cache"]]).toEqual(["Miss from preview", "Hit from preview", "Hit from preview"]);
    expect(second.body.equals(first.body)).toBe(true);
  });

  it("an edited file is served fresh: its cache entry is dropped", async () => {
    const before = await http(`${preview.url}/edit.jpg?w=100&format=jpeg`);
    expect((await http(`${preview.url}/edit.jpg?w=100&format=jpeg`)).headers["x-cache"]).toBe("Hit from preview");
    const oldSize = statSync(join(dir, "edit.jpg")).size;
    copyFileSync(fixture("flowers.jpeg"), join(dir, "edit.jpg"));
    expect(statSync(join(dir, "edit.jpg")).size).not.toBe(oldSize);
    const after = await http(`${preview.url}/edit.jpg?w=100&format=jpeg`);
    expect(after.headers["x-cache"]).toBe("Miss from preview");
    // Landscape_1 is 600x450, flowers 1920x1080: the new variant has the new file's shape.
    expect((await sharp(before.body).metadata()).height).toBe(75);
    expect((await sharp(after.body).metadata()).height).toBe(56);
  });
});

describe("npm run preview: presets, as the edge expands them", () => {
  it("?preset=thumb is expanded at the edge and cached; a preset with another parameter, or --only-presets with explicit ones, is a 400", async () => {
    const own = await startPreviewProcess(["--dir", dir, "--port", "0", "--preset", "thumb=w=120&h=90&fit=cover", "--only-presets"]);
    try {
      const preset = await http(`${own.url}/photo.jpg?preset=thumb&format=webp`);
      expect(preset.status).toBe(400); // a preset takes no other parameter
      const thumb = await http(`${own.url}/photo.jpg?preset=thumb`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers["x-cache"]).toBe("Miss from preview");
      const meta = await sharp(thumb.body).metadata();
      expect([meta.width, meta.height]).toEqual([120, 90]);
      const explicit = await http(`${own.url}/photo.jpg?w=120&h=90&fit=cover`);
      expect(explicit.status).toBe(400); // only presets
      const again = await http(`${own.url}/photo.jpg?preset=thumb`);
      expect(again.headers["x-cache"]).toBe("Hit from preview");
      expect((await http(`${own.url}/photo.jpg`)).status).toBe(200); // originals are still served
    } finally {
      await own.stop("SIGKILL");
    }
  }, 60_000);
});

describe("npm run preview: the cache's bound", () => {
  it("holds at most --cache-mb of bodies: the least recently used entry goes first", async () => {
    copyFileSync(join(dir, "photo.jpg"), join(dir, "photo-copy.jpg"));
    const small = await startPreviewProcess(["--dir", dir, "--port", "0", "--cache-mb", "1"]);
    try {
      // Two 600-wide PNG variants (about 700 KB each) do not fit in 1 MiB together.
      const cacheOf = async (path: string): Promise<unknown> => (await http(`${small.url}${path}?w=600&format=png`)).headers["x-cache"];
      expect(await cacheOf("/photo.jpg")).toBe("Miss from preview");
      expect(await cacheOf("/photo.jpg")).toBe("Hit from preview");
      expect(await cacheOf("/photo-copy.jpg")).toBe("Miss from preview");
      expect(await cacheOf("/photo-copy.jpg")).toBe("Hit from preview");
      expect(await cacheOf("/photo.jpg")).toBe("Miss from preview");
    } finally {
      await small.stop("SIGKILL");
    }
  }, 60_000);
});

describe("npm run preview: CORS", () => {
  it("an allowed origin gets Access-Control-Allow-Origin; another gets none", async () => {
    const allowed = await http(`${preview.url}/photo.jpg?w=64`, { headers: { origin: ALLOWED } });
    expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED);
    const other = await http(`${preview.url}/photo.jpg?w=64`, { headers: { origin: "http://evil.example.test" } });
    expect(other.status).toBe(200);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("a preflight from an allowed origin is answered (by the edge function, as deployed); another origin's is not allowed", async () => {
    const preflight = { "access-control-request-method": "GET" };
    const allowed = await http(`${preview.url}/photo.jpg?w=64`, { method: "OPTIONS", headers: { origin: ALLOWED, ...preflight } });
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(String(allowed.headers["access-control-allow-methods"])).toMatch(/GET/);
    const other = await http(`${preview.url}/photo.jpg?w=64`, { method: "OPTIONS", headers: { origin: "http://evil.example.test", ...preflight } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("npm run preview: the command line", () => {
  it("Ctrl-C stops it gracefully", async () => {
    const own = await startPreviewProcess(["--dir", dir, "--port", "0"]);
    expect((await http(`${own.url}/photo.jpg?w=50`)).status).toBe(200);
    const { code, lines } = await own.stop("SIGINT");
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe("preview: stopped");
  }, 60_000);

  it("a missing folder, a taken port and a bad flag are one line each, exit 2", async () => {
    const missing = await runPreviewToExit(["--dir", join(dir, "nope")]);
    expect([missing.code, missing.stderr]).toEqual([2, `preview: --dir: ${join(dir, "nope")} is not a folder; see npm run preview -- --help\n`]);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = await runPreviewToExit(["--dir", dir, "--port", String(port)]);
      expect([busy.code, busy.stderr]).toEqual([2, `preview: --port: ${port} is taken on 127.0.0.1; choose another, or --port 0 for any free one; see npm run preview -- --help\n`]);
    } finally {
      taken.close();
    }

    const bad = await runPreviewToExit(["--max-width", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^preview: --max-width: got 0; allowed: [^\n]+; see npm run preview -- --help\n$/);
    const unknown = await runPreviewToExit(["--colour", "red"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^preview: unknown option --colour; allowed: --dir, [^\n]*; see npm run preview -- --help\n$/);
  }, 60_000);

  it("with no folder it serves the sample folder in the repository", async () => {
    const own = await startPreviewProcess(["--port", "0"]);
    try {
      expect(own.lines[0]).toMatch(/serves .*fixtures\/preview /);
      const page = await http(`${own.url}/`);
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain("photo.jpg");
      expect((await http(`${own.url}/garden/flowers%20in%20bloom.jpeg?w=150&h=150`)).status).toBe(200);
    } finally {
      await own.stop("SIGKILL");
    }
  }, 60_000);
});
