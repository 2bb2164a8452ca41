/**
 * The preview's index page: each image beside its variants (the seed's 150x150 cover and 500x700 inside, in each
 * format this browser accepts), with dimensions, bytes, the share saved and the cache's answer, filled in by the
 * page as each variant loads; and a form to try any parameters. Self-contained: no script or style from elsewhere.
 */
import { createReadStream, promises as fs } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { PARAMETER_NAMES, PARAMETERS, parameterDefault, PRESET_PARAM, urlPathOfKey, type Fit, type OutputFormat, type ParameterDeclaration, type ResizerConfig, type ResizeValues } from "../../lambda-src/core/contract";
import { HttpError } from "../../lambda-src/core/errors";
import type { ResourceBudget } from "../../lambda-src/core/limits";
import { formatsOfAccept } from "../../lambda-src/core/output";
import { planResize } from "../../lambda-src/core/plan";
import { transformImage, type TransformContext } from "../../lambda-src/core/transform";
import { oversized } from "../../lambda-src/shared/pipeline";
import { imageUrl } from "../../modules/page";
import { imageKeys } from "./folder";

type GalleryVariant = ResizeValues & { label: string; w: number; h: number; fit: Fit };

/** The seed's two variants, in each format this browser accepts. */
export const GALLERY_VARIANTS: readonly GalleryVariant[] = [
  { label: "150x150 cover", w: 150, h: 150, fit: "cover" },
  { label: "500x700 inside", w: 500, h: 700, fit: "inside" },
];

/** A crop before and after content-aware cropping, in the browser's best format: what `pos=attention` keeps. */
export const GALLERY_CROP_PAIR: readonly GalleryVariant[] = [
  { label: "200x200 centre crop", w: 200, h: 200, fit: "cover" },
  { label: "200x200 pos=attention", w: 200, h: 200, fit: "cover", pos: "attention" },
];


interface GalleryImage {
  readonly key: string;
  readonly url: string;
  readonly bytes: number;
  readonly width?: number;
  readonly height?: number;
  /** What the resizer refuses this original with, when its header does not read under the resizer's limits. */
  readonly refusal?: HttpError;
}

/** How the gallery names a refusal beside its status and reason. */
const REFUSALS: Readonly<Record<number, string>> = { 413: "too large", 415: "not an image", 422: "unreadable" };

/** The cheapest variant there is: the resizer's checks of the original all run, with almost no pixel work after them. */
const PROBE = { width: 1, fit: "inside", format: "jpeg", quality: 50, original: false } as const;

/**
 * An original's dimensions from its header, read under the resizer's own limits (sharp's default pixel limit is
 * another). When that fails, the label is the resizer's own answer (413 over a limit, 415, 422 with its reason):
 * the same refusals, by the same code, in the order a variant request meets them.
 */
async function describe(dir: string, key: string, budget: ResourceBudget, config: ResizerConfig): Promise<GalleryImage> {
  const file = join(dir, ...key.split("/"));
  const { size } = await fs.stat(file);
  const image = { key, url: urlPathOfKey(key), bytes: size };
  const tooLarge = oversized(size, config.maxInputBytes);
  if (tooLarge !== undefined) return { ...image, refusal: tooLarge };
  try {
    const meta = await sharp(file, { limitInputPixels: config.maxInputPixels }).metadata();
    return { ...image, width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height };
  } catch {
    return { ...image, refusal: await resizerRefusal(file, { config, budget }) };
  }
}

async function resizerRefusal(file: string, context: Pick<TransformContext, "config" | "budget">): Promise<HttpError | undefined> {
  try {
    await transformImage(createReadStream(file), PROBE, { ...context, accepted: { avif: false, webp: false } });
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? error : undefined;
  }
}

function sizeLabel(image: GalleryImage): string {
  if (image.width) return `${image.width}×${image.height}`;
  if (image.refusal === undefined) return "not an image sharp reads";
  return `${REFUSALS[image.refusal.status] ?? "refused"} (${image.refusal.status}): ${image.refusal.message}`;
}

/** The try-it form's field for each of the contract's parameters: a choice as a list, an integer as a box showing its default. */
function parameterFields(config: ResizerConfig): string {
  return PARAMETER_NAMES.map((name) => {
    const declaration: ParameterDeclaration = PARAMETERS[name];
    if (declaration.type === "choice") return `<label>${name}<select name="${name}"><option></option>${declaration.values.map((value) => `<option>${value}</option>`).join("")}</select></label>`;
    return `<label>${name}<input name="${name}" size="5" placeholder="${parameterDefault(declaration, config) ?? "any"}"></label>`;
  }).join("\n");
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page; `budget` and `config` are the resizer's, for its refusals of the originals the gallery cannot read. */
export async function galleryPage(dir: string, accept: string | undefined, presets: Readonly<Record<string, unknown>>, budget: ResourceBudget, config: ResizerConfig): Promise<string> {
  const accepted = formatsOfAccept(accept);
  const formats = [...(accepted.avif ? ["avif"] : []), ...(accepted.webp ? ["webp"] : []), "jpeg"];
  const images = await Promise.all((await imageKeys(dir)).map((key) => describe(dir, key, budget, config)));
  const rows = images.map((image) => {
    const cells = [...GALLERY_VARIANTS.flatMap((variant) => formats.map((format) => ({ variant, format }))), ...GALLERY_CROP_PAIR.map((variant) => ({ variant, format: formats[0]! }))].map(({ variant, format }) => {
      const { label, ...params } = variant;
      // The page helpers' URL: the spelling the edge caches (defaults dropped, sorted).
      const url = imageUrl(image.key, { ...params, format: format as OutputFormat }, { base: "" });
      const planned = image.width && image.height ? planResize({ width: image.width, height: image.height }, { width: variant.w, height: variant.h, fit: variant.fit }) : undefined;
      const expected = planned ? ` data-expected-width="${planned.width}" data-expected-height="${planned.height}"` : "";
      return `<figure class="variant"><img data-src="${escape(url)}" data-original-bytes="${image.bytes}"${expected} alt="${escape(`${image.key}, ${label}, ${format}`)}"><figcaption><b>${label} · ${format}</b><span class="facts">loading…</span></figcaption></figure>`;
    });
    const size = escape(sizeLabel(image));
    return `<section class="image"><h2>${escape(image.key)}</h2><div class="row">` +
      `<figure class="original"><img data-src="${escape(image.url)}" data-original-bytes="${image.bytes}" alt="${escape(image.key)}, original"><figcaption><b>original</b><span>${size} · ${formatBytes(image.bytes)}</span></figcaption></figure>` +
      `${cells.join("")}</div></section>`;
  });
  const keys = images.map((image) => `<option value="${escape(image.url)}">${escape(image.key)}</option>`).join("");
  const presetOptions = Object.keys(presets).map((name) => `<option>${escape(name)}</option>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>image-cdn-kit preview</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;background:#f6f7f9;color:#1d2330}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:0 0 8px;font-weight:600}
.lead{color:#5a6372;margin:0 0 20px}
.image{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:14px;margin-bottom:16px}
.row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end}
figure{margin:0;display:flex;flex-direction:column;align-items:flex-start;gap:4px;min-width:150px;max-width:260px;flex:0 0 auto}
figure img{display:block;max-height:220px;max-width:100%;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px;border-radius:4px}
.original img{width:220px;height:auto}
figcaption{font-size:12px;color:#5a6372;display:flex;flex-direction:column}
.saved{color:#127a3a;font-weight:600} .error{color:#b3261e}
form{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:14px;margin-bottom:20px;display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end}
label{display:flex;flex-direction:column;font-size:12px;color:#5a6372;gap:2px}
input,select,button{font:inherit;padding:4px 6px}
#try-result{display:flex;gap:12px;align-items:flex-end;width:100%}
</style></head><body>
<h1>image-cdn-kit preview</h1>
<p class="lead">${images.length} image${images.length === 1 ? "" : "s"} from <code>${escape(dir)}</code>, served through the edge function, cache and resizer the kit deploys. Formats this browser accepts: ${formats.join(", ")}.</p>
<form id="try"><label>image<select name="key">${keys}</select></label>
${parameterFields(config)}
${presetOptions ? `<label>preset<select name="preset"><option></option>${presetOptions}</select></label>` : ""}
<button>try</button><div id="try-result"></div></form>
${rows.join("\n")}
<script>
function formatBytes(n){return n<1024?n+" B":n<1048576?(n/1024).toFixed(1)+" KB":(n/1048576).toFixed(2)+" MB"}
async function load(img){
  var facts=img.parentNode.querySelector(".facts");
  try{
    var response=await fetch(img.dataset.src);
    var blob=await response.blob();
    if(!response.ok){img.remove();if(facts){facts.className="facts error";facts.textContent=response.status+": "+(await blob.text()).trim();}return;}
    img.src=URL.createObjectURL(blob);
    await img.decode();
    img.dataset.bytes=String(blob.size);
    if(facts){
      var saved=1-blob.size/Number(img.dataset.originalBytes);
      facts.innerHTML=img.naturalWidth+"×"+img.naturalHeight+" · "+formatBytes(blob.size)+" · <span class=saved>"+(saved*100).toFixed(1)+"% saved</span> · "+(response.headers.get("x-cache")||"");
    }
  }catch(e){if(facts){facts.className="facts error";facts.textContent=String(e);}img.dataset.failed="1";}
  finally{img.dataset.done="1";}
}
document.querySelectorAll("img[data-src]").forEach(load);
document.getElementById("try").addEventListener("submit",function(event){
  event.preventDefault();
  var form=new FormData(event.target),params=new URLSearchParams();
  ${JSON.stringify([...PARAMETER_NAMES, PRESET_PARAM])}.forEach(function(name){var v=form.get(name);if(v)params.set(name,v);});
  var url=form.get("key")+(params.toString()?"?"+params:"");
  var box=document.getElementById("try-result");
  box.innerHTML='<figure><img alt="your variant"><figcaption><b></b><span class="facts">loading…</span></figcaption></figure>';
  box.querySelector("b").textContent=url;
  var img=box.querySelector("img");img.dataset.src=url;
  var original=document.querySelector('.original img[data-src="'+CSS.escape(String(form.get("key")))+'"]');
  if(original)img.dataset.originalBytes=original.dataset.originalBytes;
  load(img);
});
</script>
</body></html>
`;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(2)} MB`;
}

