/**
 * The preview's folder as its bucket: a key's file (never outside the folder), the original as S3 would answer
 * it, a file's version for the cache, and the image keys the gallery lists.
 */
import { createReadStream, promises as fs, type Stats } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import send from "send";
import { httpError } from "../../lambda-src/core/errors";
import type { OriginalsSource } from "../../lambda-src/function-url/handler";
import { originBody } from "../../lambda-src/shared/origin";
import { IMAGE_FORMAT_NAMES, IMAGE_FORMATS } from "../../lambda-src/core/contract";
import { objectKeyFromEncodedPath } from "../../lambda-src/shared/request";

/**
 * What S3 would have stored as Content-Type for an upload of this name (the preview has no metadata): the formats
 * the resizer reads, and images it refuses, which the gallery shows with the refusal a viewer would get.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(IMAGE_FORMAT_NAMES.flatMap((format) => IMAGE_FORMATS[format].extensions.map((extension) => [extension, IMAGE_FORMATS[format].mime]))),
  ".svg": "image/svg+xml", ".tif": "image/tiff", ".tiff": "image/tiff", ".heic": "image/heic",
};
/** What the gallery shows: every image type but SVG, which the resizer never rasterizes. */
const RESIZABLE = Object.keys(CONTENT_TYPES).filter((extension) => extension !== ".svg");
/** Enough for a folder of samples; a page of thousands of images helps nobody. */
const MAX_IMAGES = 60;

/** Keys of the image files below `dir`, sorted, as S3 would list them (forward slashes). */
export async function imageKeys(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && RESIZABLE.includes(extname(entry.name).toLowerCase()))
    // parentPath from Node 20.12; `path` before it (the engines field allows 20.9).
    .map((entry) => relative(dir, join((entry as { parentPath?: string }).parentPath ?? entry.path, entry.name)).split(sep).join("/"))
    .sort()
    .slice(0, MAX_IMAGES);
}

/**
 * The file behind a request path and a version of it (mtime and size), so that a changed file is made
 * afresh; "" when there is none (the origin then answers for itself).
 */
export async function sourceVersion(dir: string, rawPath: string): Promise<string> {
  try {
    const stats = await fs.stat(await realFile(dir, objectKeyFromEncodedPath(rawPath)));
    return `${stats.mtimeMs}:${stats.size}`;
  } catch {
    return "";
  }
}

/**
 * The file of a key, never outside the folder (a key like "../x" is refused as S3 would refuse a foreign object).
 * A key the file system would read as another name ("a//b.jpg", "x/../a.jpg", "a/") is, for S3, a key of its own
 * that this folder cannot hold: no such key.
 */
function filePath(dir: string, key: string): string {
  const path = resolve(dir, key);
  const inside = relative(dir, path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) throw httpError("AccessDenied", "access to the original was denied");
  if (inside.split(sep).join("/") !== key) throw httpError("NoSuchKey", "the original does not exist");
  return path;
}

/**
 * The file a key reads, links followed, and only when it lies inside the folder: a link to a file elsewhere
 * (/etc/passwd) is refused as S3 refuses a foreign object (403); links within the folder keep working.
 */
async function realFile(dir: string, key: string): Promise<string> {
  const path = filePath(dir, key);
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG") throw httpError("NoSuchKey", "the original does not exist", withoutPath(error));
    if (code === "EACCES" || code === "EPERM") throw httpError("AccessDenied", "access to the original was denied", withoutPath(error));
    throw httpError("OriginError", "the original's store failed", withoutPath(error));
  }
  const inside = relative(await fs.realpath(dir), real);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) throw httpError("AccessDenied", "access to the original was denied");
  return real;
}

/**
 * A file-system error as the log may show it: its code and call ("ENOENT (realpath)"), never the path, which
 * names this machine's folders (the resizer logs a refusal's cause beside its reason).
 */
function withoutPath(error: unknown): unknown {
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  return path === undefined ? error : new Error(`${code ?? "the file system failed"} (${syscall ?? "fs"})`);
}

/** The file's bytes; a read error (EACCES, EISDIR on open) without the file's path. */
async function* pathFreeChunks(stream: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    throw withoutPath(error);
  }
}

/** Originals from a folder, with S3's answers: missing is 404, outside the folder 403, anything else the store's failure. */
export function folderOriginals(dir: string): OriginalsSource {
  return {
    describe: () => `file://${dir}`,
    fetch: async (key, signal) => {
      const path = await realFile(dir, key);
      let stats: Stats;
      try {
        stats = await fs.stat(path);
      } catch (error) {
        throw httpError("OriginError", "the original's store failed", withoutPath(error));
      }
      if (stats.isDirectory()) throw httpError("NoSuchKey", "the original does not exist");
      const stream = createReadStream(path, { signal });
      return {
        body: originBody(pathFreeChunks(stream), signal, () => stream.destroy()),
        contentType: CONTENT_TYPES[extname(path).toLowerCase()],
        contentLength: stats.isFile() ? stats.size : undefined,
        eTag: `"${Math.round(stats.mtimeMs).toString(16)}-${stats.size.toString(16)}"`,
        lastModified: stats.mtime,
      };
    },
  };
}

/**
 * S3's answer to a request it refuses: the distribution's originals origin (OAC with s3:GetObject only) gets a 403
 * AccessDenied for a missing key, or one the folder cannot hold, as S3 answers a caller without s3:ListBucket
 * (GetObject API reference, "Permissions").
 */
const ACCESS_DENIED = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
export const ORIGINAL_REFUSAL = {
  status: 403,
  headers: { "content-type": "application/xml", "content-length": String(ACCESS_DENIED.length) },
  body: ACCESS_DENIED,
} as const;

/** The regular file an original's request reads, or undefined when S3 would refuse it (ORIGINAL_REFUSAL). */
export async function originalFile(dir: string, rawPath: string): Promise<string | undefined> {
  try {
    const path = await realFile(dir, objectKeyFromEncodedPath(rawPath));
    return (await fs.stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An original as S3 answers the distribution's originals origin: the file with its Content-Type, Content-Length,
 * ETag and Last-Modified, Range (206, 416), If-None-Match/If-Modified-Since (304) and HEAD, by `send`.
 */
export function serveOriginal(file: string, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolveServed) => {
    const stream = send(req, file, { dotfiles: "allow", index: false, cacheControl: false, etag: true, lastModified: true, acceptRanges: true });
    stream.on("headers", (response: ServerResponse) => {
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      const type = CONTENT_TYPES[extname(file).toLowerCase()];
      response.setHeader("content-type", type ?? "binary/octet-stream");
    });
    stream.on("error", (error: { status?: number }) => {
      res.statusCode = error.status ?? 500;
      res.end();
    });
    const done = () => resolveServed({ status: res.statusCode, bytes: Number(res.getHeader("content-length") ?? 0) });
    res.on("finish", done);
    res.on("close", done);
    stream.pipe(res);
  });
}
