import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import * as yauzl from "yauzl";
import { buildResizerBundle, contentKey, KIT_ROOT, type ResizerBundle } from "../modules/bundle/build";
import { installRuntimeDependencies, isShippedRuntimeFile, npmCiArguments, runtimeCacheKey } from "../modules/bundle/runtime";
import { compareZipPaths, createDeterministicZip } from "../modules/bundle/zip";
import { parseBundleArgs } from "../scripts/build-bundle";

interface UnzippedEntry {
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
  readonly crc32: number;
  readonly central: { readonly date: number; readonly time: number; readonly extraFields: number };
  readonly local: { readonly date: number; readonly time: number; readonly extraFieldLength: number };
}

/** Reads every entry with yauzl (an independent reader): headers, mode bits and contents. */
function unzip(bytes: Buffer): Promise<UnzippedEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (openError, zip) => {
      if (openError) return reject(openError);
      const entries: UnzippedEntry[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.readLocalFileHeader(entry, (headerError, local) => {
          if (headerError) return reject(headerError);
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError) return reject(streamError);
            const chunks: Buffer[] = [];
            stream.on("data", (chunk: Buffer) => chunks.push(chunk));
            stream.on("error", reject);
            stream.on("end", () => {
              entries.push({
                path: entry.fileName,
                data: Buffer.concat(chunks),
                mode: (entry.externalFileAttributes >>> 16) & 0o7777,
                crc32: entry.crc32,
                central: { date: entry.lastModFileDate, time: entry.lastModFileTime, extraFields: entry.extraFields.length },
                local: { date: local.lastModFileDate, time: local.lastModFileTime, extraFieldLength: local.extraField.length },
              });
              zip.readEntry();
            });
          });
        });
      });
      zip.readEntry();
    });
  });
}

function extractTo(entries: readonly UnzippedEntry[], dir: string): void {
  for (const entry of entries) {
    const target = join(dir, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data, { mode: entry.mode });
  }
}

const sha256Base64 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("base64");
/** 1980-01-01 00:00:00 in MS-DOS date/time fields. */
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
/** ELF e_machine values. */
const ELF_MACHINE = { x86_64: 62, arm64: 183 } as const;
const elfMachine = (bytes: Buffer): number => bytes.readUInt16LE(18);

describe("buildResizerBundle (real builds of lambda-src)", () => {
  let workDir: string;
  let x86: ResizerBundle;
  let x86Again: ResizerBundle;
  let arm: ResizerBundle;
  let x86Entries: UnzippedEntry[];
  let armEntries: UnzippedEntry[];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "resizer-bundle-test-"));
    x86 = buildResizerBundle({ architecture: "x86_64", outDir: join(workDir, "first") });
    // A fresh outDir has no build cache: this really builds again.
    x86Again = buildResizerBundle({ architecture: "x86_64", outDir: join(workDir, "second") });
    arm = buildResizerBundle({ architecture: "arm64", outDir: join(workDir, "first") });
    x86Entries = await unzip(readFileSync(x86.zipPath));
    armEntries = await unzip(readFileSync(arm.zipPath));
  }, 240_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test("returns the zip's absolute path (named by the content key of its inputs), size and Terraform's filebase64sha256", () => {
    for (const bundle of [x86, arm]) {
      const bytes = readFileSync(bundle.zipPath);
      const key = contentKey(bundle.architecture, join(KIT_ROOT, "lambda-src", "index.ts"));
      expect(bundle.zipPath).toBe(join(workDir, "first", key, `resizer-${bundle.architecture}.zip`));
      expect(bundle.sizeBytes).toBe(bytes.length);
      expect(bundle.sourceCodeHash).toBe(sha256Base64(bytes));
    }
    expect(x86.architecture).toBe("x86_64");
    expect(arm.architecture).toBe("arm64");
  });

  test("building twice gives byte-identical zips and the same sourceCodeHash", () => {
    expect(x86Again.zipPath).not.toBe(x86.zipPath);
    expect(readFileSync(x86Again.zipPath).equals(readFileSync(x86.zipPath))).toBe(true);
    expect(x86Again.sourceCodeHash).toBe(x86.sourceCodeHash);
  });

  test("a cached rebuild returns the same result and leaves the zip untouched", () => {
    const before = readFileSync(x86.zipPath);
    const cached = buildResizerBundle({ architecture: "x86_64", outDir: join(workDir, "first") });
    expect(cached).toEqual(x86);
    expect(readFileSync(x86.zipPath).equals(before)).toBe(true);
  });

  test("an intact zip built from the same inputs is reused from disk, not rewritten", () => {
    const outDir = join(workDir, "copied");
    cpSync(join(workDir, "first"), outDir, { recursive: true, preserveTimestamps: true });
    const zipPath = join(outDir, basename(dirname(x86.zipPath)), "resizer-x86_64.zip");
    const mtimeBefore = statSync(zipPath).mtimeMs;
    expect(buildResizerBundle({ architecture: "x86_64", outDir })).toEqual({ ...x86, zipPath });
    expect(statSync(zipPath).mtimeMs).toBe(mtimeBefore);
  });

  test("a changed handler source is rebuilt within the same process", () => {
    const dir = mkdtempSync(join(tmpdir(), "resizer-entry-"));
    try {
      const entry = join(dir, "index.ts");
      writeFileSync(entry, 'export const handler = async (): Promise<string> => "first version";\n');
      const first = buildResizerBundle({ architecture: "x86_64", entry, outDir: dir });
      writeFileSync(entry, 'export const handler = async (): Promise<string> => "second version, longer";\n');
      const second = buildResizerBundle({ architecture: "x86_64", entry, outDir: dir });
      expect(second.sourceCodeHash).not.toBe(first.sourceCodeHash);
      expect(second.sourceCodeHash).toBe(sha256Base64(readFileSync(second.zipPath)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // One cache, as aws-cdk's asset staging: the zip's file is named by a content key of its inputs, and its
  // existence is the hit. What a stale cache could hide is a missed input, so the key is tested input by input.
  test("the content key follows every input: the handler's sources, the architecture, the kit's lockfile and tsconfig", () => {
    const dir = mkdtempSync(join(tmpdir(), "resizer-key-"));
    try {
      const entry = join(dir, "index.ts");
      writeFileSync(entry, "export const handler = 1;\n");
      writeFileSync(join(dir, "helper.ts"), "export const a = 1;\n");
      const key = contentKey("x86_64", entry);
      expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(contentKey("x86_64", entry)).toBe(key);
      expect(contentKey("arm64", entry)).not.toBe(key);
      writeFileSync(join(dir, "helper.ts"), "export const a = 2;\n");
      const changedHelper = contentKey("x86_64", entry);
      expect(changedHelper).not.toBe(key);
      // A zip written beside the sources (an output) is not an input.
      writeFileSync(join(dir, "resizer-x86_64.zip"), "zip");
      expect(contentKey("x86_64", entry)).toBe(changedHelper);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const source = readFileSync(join(__dirname, "..", "modules", "bundle", "build.ts"), "utf8");
    expect(source).toMatch(/\["package-lock\.json", "tsconfig\.json"\]/);
  });

  test("a half-written zip is never a hit: the zip appears whole, by rename, under its key", () => {
    const outDir = join(workDir, "interrupted");
    const key = contentKey("x86_64", join(KIT_ROOT, "lambda-src", "index.ts"));
    mkdirSync(join(outDir, key), { recursive: true });
    writeFileSync(join(outDir, key, "resizer-x86_64.zip.tmp-12345"), "half a zip");
    const rebuilt = buildResizerBundle({ architecture: "x86_64", outDir });
    expect(rebuilt.sourceCodeHash).toBe(x86.sourceCodeHash);
    expect(readdirSync(join(outDir, key)).sort()).toEqual(["resizer-x86_64.zip", "resizer-x86_64.zip.tmp-12345"]);
  });

  test("entries are sorted, index.js is at the root, every header has the fixed timestamp and no extra fields", () => {
    for (const entries of [x86Entries, armEntries]) {
      const paths = entries.map((e) => e.path);
      expect(paths).toEqual([...paths].sort(compareZipPaths));
      expect(paths[0]).toBe("index.js");
      for (const entry of entries) {
        expect({ path: entry.path, ...entry.central }).toEqual({ path: entry.path, date: DOS_DATE_1980_01_01, time: 0, extraFields: 0 });
        expect({ path: entry.path, ...entry.local }).toEqual({ path: entry.path, date: DOS_DATE_1980_01_01, time: 0, extraFieldLength: 0 });
        expect([0o644, 0o755]).toContain(entry.mode);
        expect(entry.crc32).toBe(crc32(entry.data) >>> 0);
      }
    }
  });

  test("index.js holds no absolute path of this checkout or machine", () => {
    const indexJs = x86Entries.find((e) => e.path === "index.js")!.data.toString("utf8");
    for (const local of [KIT_ROOT, workDir, tmpdir(), process.env.HOME ?? "/nonexistent-home"]) {
      expect(indexJs.includes(local)).toBe(false);
    }
    expect(indexJs).not.toMatch(/sourceMappingURL/);
  });

  test("the arm64 bundle holds the arm64 sharp binding and libvips, and nothing for x64", () => {
    const paths = armEntries.map((e) => e.path);
    const binding = armEntries.find((e) => /^node_modules\/@img\/sharp-linux-arm64\/lib\/[^/]+\.node$/.test(e.path));
    const libvips = armEntries.find((e) => /^node_modules\/@img\/sharp-libvips-linux-arm64\/lib\/libvips-cpp\.so/.test(e.path));
    expect(binding).toBeDefined();
    expect(libvips).toBeDefined();
    expect(elfMachine(binding!.data)).toBe(ELF_MACHINE.arm64);
    expect(elfMachine(libvips!.data)).toBe(ELF_MACHINE.arm64);
    expect(paths.filter((p) => /x64/.test(p))).toEqual([]);
    expect(paths).toContain("node_modules/sharp/package.json");
  });

  test("the x86_64 bundle holds the x64 sharp binding and libvips, and nothing for arm64", () => {
    const paths = x86Entries.map((e) => e.path);
    const binding = x86Entries.find((e) => /^node_modules\/@img\/sharp-linux-x64\/lib\/[^/]+\.node$/.test(e.path));
    const libvips = x86Entries.find((e) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(e.path));
    expect(binding).toBeDefined();
    expect(libvips).toBeDefined();
    expect(elfMachine(binding!.data)).toBe(ELF_MACHINE.x86_64);
    expect(elfMachine(libvips!.data)).toBe(ELF_MACHINE.x86_64);
    expect(paths.filter((p) => /arm/.test(p))).toEqual([]);
  });

  test("only sharp's runtime packages ship, without docs, type declarations or C++ sources", () => {
    const packages = new Set(x86Entries.filter((e) => e.path.startsWith("node_modules/")).map((e) => {
      const [, scopeOrName, name] = e.path.split("/");
      return scopeOrName!.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName;
    }));
    expect([...packages].sort()).toEqual(["@img/colour", "@img/sharp-libvips-linux-x64", "@img/sharp-linux-x64", "detect-libc", "semver", "sharp"]);
    const junk = x86Entries.filter((e) => /\.d\.[cm]?ts$|\.(cc|h|gyp)$|^node_modules\/sharp\/(src|install)\/|^node_modules\/\.bin\//.test(e.path));
    expect(junk.map((e) => e.path)).toEqual([]);
    const markdown = x86Entries.filter((e) => e.path.endsWith(".md")).map((e) => e.path);
    expect(markdown).toEqual(["node_modules/@img/colour/LICENSE.md", "node_modules/@img/sharp-libvips-linux-x64/README.md"]);
  });

  test("unpacked alone, index.js exports handler and sharp loads from the bundle and resizes", () => {
    const unpacked = join(workDir, "unpacked-x86_64");
    extractTo(x86Entries, unpacked);
    const script = `
      const { handler } = require("./index.js");
      const sharp = require("sharp");
      let sdkResolvable = true;
      try { require.resolve("@aws-sdk/client-s3"); } catch { sdkResolvable = false; }
      sharp({ create: { width: 32, height: 16, channels: 3, background: "#ff0000" } }).png().toBuffer()
        .then((png) => sharp(png).resize(8).jpeg().toBuffer({ resolveWithObject: true }))
        .then(({ data, info }) => console.log(JSON.stringify({
          handlerType: typeof handler,
          sharpPath: require.resolve("sharp"),
          sdkResolvable,
          jpegMagic: data.subarray(0, 2).toString("hex"),
          width: info.width, height: info.height, format: info.format,
        })));
    `;
    const env = { ...process.env };
    delete env.NODE_PATH;
    const child = spawnSync(process.execPath, ["-e", script], { cwd: unpacked, env, encoding: "utf8", timeout: 60_000 });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(result).toEqual({
      handlerType: "function",
      sharpPath: join(unpacked, "node_modules", "sharp", "dist", "index.cjs"),
      sdkResolvable: false, // the AWS SDK is inside index.js, not beside it
      jpegMagic: "ffd8",
      width: 8,
      height: 4,
      format: "jpeg",
    });
  });
});

describe("runtime manifest", () => {
  test("lambda-src pins the same sharp version as the kit", () => {
    const rootSharp = (JSON.parse(readFileSync(join(KIT_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.sharp;
    const runtime = JSON.parse(readFileSync(join(KIT_ROOT, "lambda-src", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(KIT_ROOT, "lambda-src", "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    expect(runtime.dependencies).toEqual({ sharp: rootSharp });
    expect(lock.packages[""]?.dependencies).toEqual({ sharp: rootSharp });
    expect(lock.packages["node_modules/sharp"]?.version).toBe(rootSharp);
  });
});

describe("createDeterministicZip", () => {
  const entries = [
    { path: "b/z.txt", data: Buffer.from("zzz".repeat(100)), executable: false },
    { path: "a.js", data: Buffer.from("module.exports = 1;\n"), executable: false },
    { path: "bin/run", data: Buffer.from("#!/bin/sh\n"), executable: true },
    { path: "b/Z.bin", data: Buffer.from([0, 1, 2, 3]), executable: false },
  ];

  test("writes entries in byte order with their contents, modes and fixed times, whatever the input order", async () => {
    const zip = createDeterministicZip(entries);
    expect(createDeterministicZip([...entries].reverse()).equals(zip)).toBe(true);
    const read = await unzip(zip);
    expect(read.map((e) => [e.path, e.data.toString("hex"), e.mode.toString(8)])).toEqual([
      ["a.js", Buffer.from("module.exports = 1;\n").toString("hex"), "644"],
      ["b/Z.bin", "00010203", "644"],
      ["b/z.txt", Buffer.from("zzz".repeat(100)).toString("hex"), "644"],
      ["bin/run", Buffer.from("#!/bin/sh\n").toString("hex"), "755"],
    ]);
    expect(read.every((e) => e.central.date === DOS_DATE_1980_01_01 && e.central.time === 0)).toBe(true);
  });

  test("writes an empty archive that readers accept", async () => {
    expect(await unzip(createDeterministicZip([]))).toEqual([]);
  });

  test.each(["/etc/passwd", "../escape", "a/../b", "a//b", "a\\b", "dir/", ""])("refuses the unsafe path %j", (path) => {
    expect(() => createDeterministicZip([{ path, data: Buffer.alloc(1), executable: false }])).toThrow(/Unsafe zip entry path/);
  });

  test("refuses duplicate paths", () => {
    const entry = { path: "x", data: Buffer.alloc(1), executable: false };
    expect(() => createDeterministicZip([entry, entry])).toThrow("Duplicate zip entry: x");
  });

  test("stores what deflate cannot shrink and deflates the rest", async () => {
    // Hash output: as incompressible as random bytes, but the same on every run.
    const random = Buffer.concat(Array.from({ length: 128 }, (_, i) => createHash("sha256").update(String(i)).digest()));
    const zip = createDeterministicZip([
      { path: "random.bin", data: random, executable: false },
      { path: "text.txt", data: Buffer.from("abc".repeat(1000)), executable: false },
    ]);
    // Compression method of each local header: 0 stored, 8 deflate.
    const methods: number[] = [];
    for (let at = zip.indexOf("PK\x03\x04"); at !== -1; at = zip.indexOf("PK\x03\x04", at + 4)) methods.push(zip.readUInt16LE(at + 8));
    expect(methods).toEqual([0, 8]);
    expect((await unzip(zip)).map((e) => e.data.length)).toEqual([4096, 3000]);
  });

  test("refuses a path that a JavaScript object would reorder", () => {
    expect(() => createDeterministicZip([{ path: "12", data: Buffer.alloc(1), executable: false }])).toThrow(/would not keep its place/);
  });
});

describe("isShippedRuntimeFile", () => {
  test.each([
    ["sharp/dist/index.cjs", "x86_64", true],
    ["sharp/package.json", "arm64", true],
    ["sharp/LICENSE", "arm64", true],
    ["sharp/README.md", "arm64", false],
    ["sharp/lib/index.d.ts", "arm64", false],
    ["sharp/dist/index.d.cts", "arm64", false],
    ["sharp/src/pipeline.cc", "arm64", false],
    ["sharp/src/binding.gyp", "arm64", false],
    ["sharp/install/build.js", "arm64", false],
    ["@img/sharp-linux-arm64/lib/sharp-linux-arm64-0.35.5.node", "arm64", true],
    ["@img/sharp-linux-arm64/lib/sharp-linux-arm64-0.35.5.node", "x86_64", false],
    ["@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7", "x86_64", true],
    ["@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7", "arm64", false],
    ["@img/sharp-libvips-linux-x64/lib/glib-2.0/include/glibconfig.h", "x86_64", false],
    ["@img/sharp-libvips-linux-x64/README.md", "x86_64", true],
    ["@img/sharp-linuxmusl-x64/lib/sharp.node", "x86_64", false],
    ["@img/sharp-wasm32/lib/sharp.node", "x86_64", false],
    ["@img/colour/color.cjs", "arm64", true],
    ["@img/colour/LICENSE.md", "arm64", true],
    ["semver/functions/satisfies.js", "arm64", true],
    ["semver/test/fixtures.js", "arm64", false],
    [".bin/semver", "arm64", false],
    [".package-lock.json", "arm64", false],
  ] as const)("%s for %s: %s", (path, architecture, shipped) => {
    expect(isShippedRuntimeFile(path, architecture)).toBe(shipped);
  });
});

describe("npm run bundle arguments", () => {
  test.each([
    [["--arch", "arm64"], ["arm64"], undefined],
    [["--arch=x86_64"], ["x86_64"], undefined],
    [["--arch", "all", "--out-dir", "/tmp/z"], ["arm64", "x86_64"], "/tmp/z"],
  ])("%j", (argv, architectures, outDir) => {
    expect(parseBundleArgs(argv)).toEqual({ architectures, outDir });
  });

  test.each([
    [[], /--arch is required/],
    [["--arch", "x64"], /--arch must be arm64, x86_64 or all, got "x64"/],
    [["--arch"], /--arch needs a value/],
    [["--arch", "arm64", "--verbose"], /Unknown argument "--verbose"/],
  ])("%j is refused", (argv, message) => {
    expect(() => parseBundleArgs(argv)).toThrow(message);
  });
});

describe("buildResizerBundle input checks", () => {
  test("an unknown architecture names the allowed values", () => {
    expect(() => buildResizerBundle({ architecture: "x64" as never })).toThrow('Invalid resizer architecture "x64": expected one of "arm64", "x86_64"');
  });

  test("a missing entry is reported by path", () => {
    const missing = join(tmpdir(), "no-such-resizer-entry.ts");
    expect(() => buildResizerBundle({ architecture: "arm64", entry: missing })).toThrow(`Resizer handler entry not found: ${missing}`);
  });

  test("an entry that does not compile fails with esbuild's message", () => {
    const dir = mkdtempSync(join(tmpdir(), "resizer-bad-entry-"));
    try {
      const entry = join(dir, "index.ts");
      writeFileSync(entry, "export const handler = (;\n");
      expect(() => buildResizerBundle({ architecture: "arm64", entry, outDir: dir })).toThrow(/Bundling the resizer handler .*index\.ts failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("installRuntimeDependencies failures", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "resizer-runtime-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("a missing manifest names the file and the command that makes it", () => {
    expect(() => installRuntimeDependencies({ architecture: "arm64", manifestDir: dir, cacheRoot: join(dir, "cache") })).toThrow(
      `Resizer runtime manifest not found: ${join(dir, "package.json")} (run \`npm install --package-lock-only\` in ${dir})`,
    );
  });

  test("a failing npm ci is reported with npm's reason and leaves no cache folder behind", () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "r", version: "1.0.0", dependencies: { sharp: "0.35.5" } }));
    // Out of sync with package.json: npm ci refuses before touching the network.
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "r", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "r", version: "1.0.0" } } }));
    const cacheRoot = join(dir, "cache");
    expect(() => installRuntimeDependencies({ architecture: "arm64", manifestDir: dir, cacheRoot })).toThrow(
      /Installing the resizer's runtime dependencies for arm64 from .*package-lock\.json failed \(npm ci; [^)]*\):\nnpm error code EUSAGE\n.*in sync/,
    );
    expect(readdirSync(cacheRoot)).toEqual([]);
  });

  test("the cache key follows the lockfile, the manifest and the architecture", () => {
    const pkg = Buffer.from("{}");
    const lock = Buffer.from('{"lockfileVersion":3}');
    const key = runtimeCacheKey("arm64", pkg, lock);
    expect(runtimeCacheKey("arm64", pkg, lock)).toBe(key);
    expect(runtimeCacheKey("x86_64", pkg, lock)).not.toBe(key);
    expect(runtimeCacheKey("arm64", pkg, Buffer.from('{"lockfileVersion":3} '))).not.toBe(key);
    expect(runtimeCacheKey("arm64", Buffer.from("{ }"), lock)).not.toBe(key);
  });

  test("npm is told the target platform and a fixed tree layout", () => {
    expect(npmCiArguments("/x", "x86_64")).toEqual(expect.arrayContaining(["ci", "--prefix=/x", "--os=linux", "--cpu=x64", "--libc=glibc", "--omit=dev", "--ignore-scripts", "--install-strategy=hoisted"]));
    expect(npmCiArguments("/x", "arm64")).toContain("--cpu=arm64");
  });
});
