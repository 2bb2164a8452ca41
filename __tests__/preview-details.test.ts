/**
 * `npm run preview` details a user met, over HTTP as users start it: broken images in a burst.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES_DIR } from "../fixtures";
import { http, startPreviewProcess, type HttpAnswer, type PreviewProcess } from "./support/preview-process";

const ALLOWED = "http://app.example.test";
const fixture = (name: string): string => join(FIXTURES_DIR, name);

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
