/**
 * The preview in a real browser: Debian's Chromium (installed by .ci/run), driven by puppeteer-core through its
 * executable path, headless, no downloaded browser. The gallery's every image must decode at the size the
 * resizer planned, and a page on another localhost origin may read an image cross-origin only when that origin
 * is allowed. A screenshot of the gallery is saved to test-artifacts/.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import sharp from "sharp";
import { median } from "../bench/report";
import { startPreviewProcess, type PreviewProcess } from "./support/preview-process";

const ARTIFACTS = join(__dirname, "..", "test-artifacts");
/** A sample of the preview's folder (fixtures/preview), wider than the widest candidate below. */
const SAMPLE_KEY = "photo.jpg";
/** The flags DEVELOPERS.md gives for Chromium on these machines. */
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "chromium", "chromium-browser"].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    try {
      return execFileSync("sh", ["-c", `command -v "${candidate}"`]).toString().trim();
    } catch {
      // try the next name
    }
  }
  throw new Error("Chromium not found: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH");
}

/** A page on its own localhost origin (another port is another origin), from which the test fetches cross-origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>another origin</title><p>another origin</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let browser: Browser;
let preview: PreviewProcess;
let allowedSite: { server: Server; origin: string };
let otherSite: { server: Server; origin: string };

beforeAll(async () => {
  allowedSite = await pageServer();
  otherSite = await pageServer();
  preview = await startPreviewProcess(["--port", "0", "--cors-origin", allowedSite.origin]);
  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await preview?.stop("SIGKILL");
  allowedSite?.server.close();
  otherSite?.server.close();
});

describe("the preview's gallery in Chromium", () => {
  it("every image decodes, each variant at the width the resizer planned; a screenshot is saved", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(`${preview.url}/`, { waitUntil: "load" });
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>("section img[data-src]")).every((img) => img.dataset.done === "1"), { timeout: 60_000 });
    const images = await page.$$eval("section img[data-src]", (all) => all.map((img) => ({
      src: img.dataset.src,
      failed: img.dataset.failed === "1" || !img.isConnected,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      expectedWidth: img.dataset.expectedWidth === undefined ? undefined : Number(img.dataset.expectedWidth),
      expectedHeight: img.dataset.expectedHeight === undefined ? undefined : Number(img.dataset.expectedHeight),
      facts: img.parentElement?.querySelector(".facts")?.textContent ?? "",
    })));
    // Four samples; each: the original, 2 variants x (AVIF, WebP, JPEG), the formats Chromium accepts, and the crop
    // pair (centre and pos=attention) in AVIF.
    expect(images).toHaveLength(4 * 9);
    expect(images.filter((image) => image.src?.includes("pos=attention"))).toHaveLength(4);
    for (const image of images) {
      expect({ src: image.src, failed: image.failed, complete: image.complete }).toEqual({ src: image.src, failed: false, complete: true });
      expect(image.naturalWidth).toBeGreaterThan(0);
      if (image.expectedWidth !== undefined) {
        expect({ src: image.src, size: [image.naturalWidth, image.naturalHeight] }).toEqual({ src: image.src, size: [image.expectedWidth, image.expectedHeight] });
        expect(image.facts).toMatch(/^\d+×\d+ · [\d.]+ (B|KB|MB) · -?[\d.]+% saved · (Miss|Hit) from preview$/);
      }
    }
    const thumbs = images.filter((image) => image.src?.includes("h=150&w=150"));
    expect(thumbs).toHaveLength(4 * 3);
    expect(thumbs.every((image) => image.naturalWidth === 150)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "preview-gallery.png"), fullPage: true });
    await page.close();
  }, 90_000);

  it.each([1, 2])("a page's srcset and sizes at device scale factor %i: Chromium fetches the width that DPR needs", async (deviceScaleFactor) => {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 600, deviceScaleFactor });
    // imageSrcSet's candidates for the sample, as a page would write them (the page helpers' spelling).
    const { imageSrcSet } = await import("../modules/page");
    const srcset = imageSrcSet(SAMPLE_KEY, { widths: [200, 400, 800], params: { format: "jpeg" }, base: preview.url });
    await page.setContent(`<!doctype html><img id="i" srcset="${srcset}" sizes="200px" style="width:200px">`, { waitUntil: "load" });
    await page.waitForFunction(() => (document.getElementById("i") as HTMLImageElement).complete, { timeout: 30_000 });
    const shown = await page.$eval("#i", (img) => ({ src: (img as HTMLImageElement).currentSrc, width: (img as HTMLImageElement).naturalWidth }));
    expect(shown.src).toContain(`w=${200 * deviceScaleFactor}`);
    // naturalWidth is density-corrected (HTML: the candidate's width over its density): the layout's 200 either way;
    // the image fetched is 200 * DPR pixels wide.
    expect(shown.width).toBe(200);
    const fetched = await sharp(Buffer.from(await (await fetch(shown.src)).arrayBuffer())).metadata();
    expect(fetched.width).toBe(200 * deviceScaleFactor);
    await page.close();
  }, 60_000);

  it("the try-it form shows the variant asked for", async () => {
    const page = await browser.newPage();
    await page.goto(`${preview.url}/`, { waitUntil: "load" });
    await page.type("input[name=w]", "222");
    await page.select("select[name=format]", "webp");
    await page.click("form#try button");
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>("#try-result img")?.dataset.done === "1", { timeout: 30_000 });
    const result = await page.$eval("#try-result img", (img) => ({ width: img.naturalWidth, facts: img.parentElement?.querySelector(".facts")?.textContent ?? "" }));
    expect(result.width).toBe(222);
    expect(result.facts).toMatch(/^222×\d+ · /);
    await page.close();
  }, 60_000);

  it("a page on an allowed origin reads an image with fetch; a page on another origin is blocked by the browser", async () => {
    const target = `${preview.url}/photo.jpg?w=150&h=150`;
    const read = async (origin: string): Promise<string> => {
      const page = await browser.newPage();
      await page.goto(`${origin}/`, { waitUntil: "load" });
      const outcome = await page.evaluate(async (url) => {
        try {
          // no-store: Chromium's HTTP cache is keyed by site, and both localhost ports are one site.
          const response = await fetch(url, { cache: "no-store" });
          const body = await response.arrayBuffer();
          return `read ${response.status} ${body.byteLength} bytes ${response.headers.get("content-type")}`;
        } catch (error) {
          return `blocked: ${String(error)}`;
        }
      }, target);
      await page.close();
      return outcome;
    };
    expect(await read(allowedSite.origin)).toMatch(/^read 200 \d+ bytes image\/jpeg$/);
    expect(await read(otherSite.origin)).toMatch(/^blocked: TypeError/);
    // Both requests reached the preview: the browser, not the server, refused the second page the bytes.
    const served = preview.lines.filter((line) => line.startsWith("GET /photo.jpg?w=150&h=150 200"));
    expect(served.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("records the request latencies seen for Miss and Hit (test-artifacts/preview-latency.json)", () => {
    const timings = (result: string): number[] => preview.lines
      .map((line) => new RegExp(`^GET \\S+ 200 ${result} \\d+ B ([\\d.]+) ms( \\[[^\\]]*\\])?$`).exec(line)?.[1])
      .filter((ms): ms is string => ms !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const miss = timings("Miss");
    const hit = timings("Hit");
    expect(miss.length).toBeGreaterThan(0);
    expect(hit.length).toBeGreaterThan(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "preview-latency.json"), `${JSON.stringify({ miss: { count: miss.length, medianMs: median(miss), maxMs: miss.at(-1) }, hit: { count: hit.length, medianMs: median(hit), maxMs: hit.at(-1) } }, null, 2)}\n`);
    expect(median(hit)).toBeLessThan(median(miss));
  });
});

/**
 * Client hints (README, "Client hints"): a page on another origin sends Accept-CH and delegates the hints to the
 * image host with Permissions-Policy, as the README tells pages to; its <img src="...?w=auto" sizes> then gets the
 * width its layout and DPR need, snapped up to the ladder. Without the delegation Chromium sends no hint to the
 * other origin, and the preview answers the fallback width.
 */
describe("client hints in Chromium", () => {
  const HINTS = ["Sec-CH-Width", "Sec-CH-Viewport-Width", "Sec-CH-DPR"];
  let hinted: PreviewProcess;
  let site: Server;
  let siteOrigin: string;

  beforeAll(async () => {
    hinted = await startPreviewProcess(["--port", "0", "--client-hints"]);
    site = createServer((req, res) => {
      const delegated = !req.url?.includes("undelegated");
      const delegation = HINTS.map((hint) => `${hint.slice(4).toLowerCase()}=(self "${hinted.url}")`).join(", ");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "accept-ch": HINTS.join(", "), ...(delegated ? { "permissions-policy": delegation } : {}) });
      const sizes = req.url?.includes("nosizes") ? "" : ' sizes="300px"';
      res.end(`<!doctype html><img id="i" src="${hinted.url}/${SAMPLE_KEY}?w=auto&format=jpeg"${sizes} style="width:300px">`);
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await hinted?.stop("SIGKILL");
    site?.close();
  });

  async function shownWidth(path: string, deviceScaleFactor: number): Promise<{ width: number; hints: Record<string, string> }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 600, deviceScaleFactor });
    const sent: Record<string, string>[] = [];
    page.on("request", (request) => void (request.url().includes("w=auto") && sent.push(request.headers())));
    await page.goto(`${siteOrigin}${path}`, { waitUntil: "load" });
    await page.waitForFunction(() => (document.getElementById("i") as HTMLImageElement).complete, { timeout: 30_000 });
    const width = await page.$eval("#i", (img) => (img as HTMLImageElement).naturalWidth);
    await page.close();
    const headers = sent[0] ?? {};
    return { width, hints: Object.fromEntries(HINTS.map((hint) => [hint, headers[hint.toLowerCase()] ?? "-"])) };
  }

  it.each([
    [1, 320],
    [2, 640],
  ])("at device scale factor %i, a 300px-wide image is answered %i pixels wide (Sec-CH-Width, snapped up to the ladder)", async (deviceScaleFactor, expected) => {
    const { width, hints } = await shownWidth("/", deviceScaleFactor);
    expect(hints["Sec-CH-Width"]).toBe(String(300 * deviceScaleFactor));
    expect(width).toBe(expected);
  }, 60_000);

  it("without the Permissions-Policy delegation Chromium sends no hints to the image host: the fallback width", async () => {
    const { width, hints } = await shownWidth("/undelegated", 2);
    expect(hints).toEqual({ "Sec-CH-Width": "-", "Sec-CH-Viewport-Width": "-", "Sec-CH-DPR": "-" });
    expect(width).toBe(1080);
  }, 60_000);

  it("without sizes Chromium sends no Sec-CH-Width: the viewport's width times the DPR is the width asked for", async () => {
    const { width, hints } = await shownWidth("/nosizes", 1);
    expect(hints).toEqual({ "Sec-CH-Width": "-", "Sec-CH-Viewport-Width": "800", "Sec-CH-DPR": "1" });
    expect(width).toBe(828);
  }, 60_000);

  it("the variant says it varies on the hints, for the browser's cache", async () => {
    const response = await fetch(`${hinted.url}/${SAMPLE_KEY}?w=auto&format=jpeg`, { headers: { "sec-ch-width": "500" } });
    expect(response.headers.get("vary")).toBe(HINTS.join(", "));
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width).toBe(640);
  });
});
