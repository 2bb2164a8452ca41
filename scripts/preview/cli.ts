/**
 * `npm run preview -- [--dir <folder>] [--port <port>] [--cors-origin <origin>]...` and the construct's limits
 * as flags: the image CDN on 127.0.0.1 (see server.ts). Flags are checked by the construct's own prop
 * validation, so what the preview refuses is what a synth would refuse.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT_CODES, parseCommandLine, runCommand, UsageError } from "../../modules/cli/command-line";
import { ORIGINALS_ORIGIN_ID } from "../../modules/edge/viewer-request-function";
import type { ImageCdnProps } from "../../modules/construct/props";
import { ImageCdnPropError, resolveImageCdnProps } from "../../modules/construct/validate-props";
import { startPreview, type PreviewSettings } from "./server";

/** The folder served when none is given: a few sample images with their licences (fixtures/preview/README.md). */
export const SAMPLE_DIR = join(__dirname, "..", "..", "fixtures", "preview");
export const DEFAULT_PORT = 8787;
const DEFAULT_CACHE_MB = 64;

/** Flag -> the prop it sets, for errors in the flag's own name. */
const PROP_OF_FLAG = {
  "cors-origin": "cors.allowedOrigins",
  "allowed-widths": "resizer.allowedWidths",
  "allowed-heights": "resizer.allowedHeights",
  "max-width": "resizer.maxWidth",
  "max-height": "resizer.maxHeight",
  "default-quality": "resizer.defaultQuality",
  "max-input-pixels": "resizer.maxInputPixels",
  "max-input-bytes": "resizer.maxInputBytes",
  timeout: "resizer.timeout",
  "error-ttl": "cache.errorTtl",
  preset: "presets",
  "only-presets": "onlyPresets",
  originals: "originals",
  "client-hints": "clientHints",
} as const;

export const USAGE = `usage: npm run preview -- [--dir FOLDER] [--port PORT] [--cors-origin ORIGIN]... [--cache-mb MB]
       [--allowed-widths 150,500] [--allowed-heights 150,700] [--max-width N] [--max-height N] [--default-quality Q]
       [--max-input-pixels N] [--max-input-bytes N] [--timeout SECONDS] [--error-ttl SECONDS]
       [--preset NAME=w=150&h=150&fit=cover]... [--only-presets] [--originals serve|deny]
       [--client-hints]
  The image CDN on 127.0.0.1 (default port ${DEFAULT_PORT}): the stack's edge function, cache key and resizer over a
  folder (default: the samples in fixtures/preview), with a gallery at /. The limits are the construct's props,
  checked as a synth checks them. Ctrl-C stops it.`;

/** A wrong flag or value: one line naming it (exit 2). */
export class PreviewArgsError extends UsageError {}

/** The preview's settings from its command line; a wrong flag is one line naming it and what is allowed. */
export function parsePreviewArgs(argv: readonly string[]): Omit<PreviewSettings, "log"> {
  const numberFlags = ["port", "cache-mb", "max-width", "max-height", "default-quality", "max-input-pixels", "max-input-bytes", "timeout", "error-ttl"] as const;
  const { values } = parseCommandLine(argv, {
    dir: { type: "string" },
    "cors-origin": { type: "string", multiple: true },
    "allowed-widths": { type: "string" },
    "allowed-heights": { type: "string" },
    preset: { type: "string", multiple: true },
    "only-presets": { type: "boolean" },
    "client-hints": { type: "boolean" },
    originals: { type: "string" },
    ...Object.fromEntries(numberFlags.map((name) => [name, { type: "string" as const }])),
  }) as { values: Record<string, string | string[] | boolean | undefined> };
  const number = (name: (typeof numberFlags)[number]): number | undefined => {
    const text = values[name] as string | undefined;
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new PreviewArgsError(`--${name}: got ${JSON.stringify(text)}; allowed: a whole number`);
    return Number(text);
  };
  const list = (name: "allowed-widths" | "allowed-heights"): number[] | undefined => {
    const text = values[name] as string | undefined;
    if (text === undefined) return undefined;
    if (!/^\d+(,\d+)*$/.test(text)) throw new PreviewArgsError(`--${name}: got ${JSON.stringify(text)}; allowed: comma-separated whole numbers, e.g. 150,500`);
    return text.split(",").map(Number);
  };
  const presets: Record<string, Record<string, string>> = {};
  for (const preset of (values.preset as string[] | undefined) ?? []) {
    const at = preset.indexOf("=");
    if (at < 1) throw new PreviewArgsError(`--preset: got ${JSON.stringify(preset)}; allowed: NAME=w=150&h=150&fit=cover`);
    presets[preset.slice(0, at)] = Object.fromEntries(new URLSearchParams(preset.slice(at + 1)));
  }

  const props: ImageCdnProps = {
    resizer: {
      allowedWidths: list("allowed-widths"),
      allowedHeights: list("allowed-heights"),
      maxWidth: number("max-width"),
      maxHeight: number("max-height"),
      defaultQuality: number("default-quality"),
      maxInputPixels: number("max-input-pixels"),
      maxInputBytes: number("max-input-bytes"),
      timeout: number("timeout"),
    },
    cache: values["error-ttl"] === undefined ? undefined : { errorTtl: number("error-ttl") },
    cors: values["cors-origin"] === undefined ? undefined : { allowedOrigins: values["cors-origin"] as string[] },
    presets: Object.keys(presets).length > 0 ? (presets as ImageCdnProps["presets"]) : undefined,
    onlyPresets: values["only-presets"] === true ? true : undefined,
    originals: values.originals as ImageCdnProps["originals"],
    clientHints: values["client-hints"] === true ? true : undefined,
  };
  let resolved;
  try {
    resolved = resolveImageCdnProps(props);
  } catch (error) {
    if (!(error instanceof ImageCdnPropError)) throw error;
    const flag = Object.entries(PROP_OF_FLAG).find(([, prop]) => error.prop === prop || error.prop.startsWith(`${prop}.`))?.[0];
    throw new PreviewArgsError(flag ? `--${flag}: ${error.message.replace(/^ImageCdn: invalid [^:]+: /, "")}` : error.message);
  }

  const dir = resolve((values.dir as string | undefined) ?? SAMPLE_DIR);
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new PreviewArgsError(`--dir: ${dir} is not a folder`);
  const port = number("port") ?? DEFAULT_PORT;
  if (port > 65535) throw new PreviewArgsError(`--port: got ${port}; allowed: 0 (any free port) to 65535`);
  const cacheMb = number("cache-mb") ?? DEFAULT_CACHE_MB;
  if (cacheMb < 1) throw new PreviewArgsError(`--cache-mb: got ${cacheMb}; allowed: 1 or more`);
  return {
    dir,
    port,
    config: resolved.resizer.config,
    edge: {
      cors: resolved.cors,
      presets: resolved.presets,
      onlyPresets: resolved.onlyPresets,
      originalsOriginId: resolved.originals === "serve" ? ORIGINALS_ORIGIN_ID : undefined,
    },
    timeoutSeconds: resolved.resizer.timeout,
    memoryMb: resolved.resizer.memorySize,
    cacheBytes: cacheMb * 1024 * 1024,
  };
}

/** Starts the preview; it runs until Ctrl-C (SIGINT) or SIGTERM. */
async function main(argv: readonly string[]): Promise<number> {
  const settings = parsePreviewArgs(argv);
  let preview;
  try {
    preview = await startPreview({ ...settings, log: (line) => console.log(line) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new PreviewArgsError(`--port: ${settings.port} is ${code === "EADDRINUSE" ? "taken" : "not allowed"} on 127.0.0.1; choose another, or --port 0 for any free one`);
    }
    throw error;
  }
  console.log(`preview: ${preview.url}/ serves ${settings.dir} (Ctrl-C stops it)`);
  const stop = (): void => {
    void preview.close().then(() => {
      console.log("preview: stopped");
      process.exit(0);
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return EXIT_CODES.ok;
}

if (require.main === module) {
  void runCommand("preview", USAGE, process.argv.slice(2), main, "npm run preview -- --help").then((code) => {
    if (code !== EXIT_CODES.ok) process.exit(code);
  });
}
