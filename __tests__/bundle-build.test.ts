/** The resizer zip built for real from lambda-src: reproducible, cached by content, runnable unpacked. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { buildResizerBundle, contentKey, KIT_ROOT, type ResizerBundle } from "../modules/bundle/build";
import { compiledHandler } from "../modules/bundle/compile";
import { compareZipPaths } from "../modules/bundle/zip";
import { DOS_DATE_1980_01_01, extractTo, readZip, type UnzippedEntry } from "./support/unzip";

const sha256Base64 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("base64");
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
    x86Entries = await readZip(readFileSync(x86.zipPath));
    armEntries = await readZip(readFileSync(arm.zipPath));
  }, 240_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("returns the zip's absolute path (named by the content key of its inputs), size and Terraform's filebase64sha256", () => {
    for (const bundle of [x86, arm]) {
      const bytes = readFileSync(bundle.zipPath);
      const key = contentKey(bundle.architecture, compiledHandler(join(KIT_ROOT, "lambda-src", "index.ts"), KIT_ROOT));
      expect(bundle.zipPath).toBe(join(workDir, "first", key, `resizer-${bundle.architecture}.zip`));
      expect(bundle.sizeBytes).toBe(bytes.length);
      expect(bundle.sourceCodeHash).toBe(sha256Base64(bytes));
    }
    expect(x86.architecture).toBe("x86_64");
    expect(arm.architecture).toBe("arm64");
  });

  it("building twice gives byte-identical zips and the same sourceCodeHash", () => {
    expect(x86Again.zipPath).not.toBe(x86.zipPath);
    expect(readFileSync(x86Again.zipPath).equals(readFileSync(x86.zipPath))).toBe(true);
    expect(x86Again.sourceCodeHash).toBe(x86.sourceCodeHash);
  });

  it("a cached rebuild returns the same result and leaves the zip untouched", () => {
    const before = readFileSync(x86.zipPath);
    const cached = buildResizerBundle({ architecture: "x86_64", outDir: join(workDir, "first") });
    expect(cached).toEqual(x86);
    expect(readFileSync(x86.zipPath).equals(before)).toBe(true);
  });

  it("an intact zip built from the same inputs is reused from disk, not rewritten", () => {
    const outDir = join(workDir, "copied");
    cpSync(join(workDir, "first"), outDir, { recursive: true, preserveTimestamps: true });
    const zipPath = join(outDir, basename(dirname(x86.zipPath)), "resizer-x86_64.zip");
    const mtimeBefore = statSync(zipPath).mtimeMs;
    expect(buildResizerBundle({ architecture: "x86_64", outDir })).toEqual({ ...x86, zipPath });
    expect(statSync(zipPath).mtimeMs).toBe(mtimeBefore);
  });

  it("a changed handler source is rebuilt within the same process", () => {
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

  // One cache, as aws-cdk's asset staging: the zip's file is named by a content key, and its existence is the hit.
  // What a stale cache could hide is a missed input: the purge function once imported lambda-src/core/contract.ts,
  // outside the folder its key hashed, and a change there reused a stale zip. The key now holds esbuild's output.
  it("the content key follows every file the bundler read, wherever it lies, and the architecture; nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "resizer-key-"));
    try {
      mkdirSync(join(dir, "entry"));
      mkdirSync(join(dir, "shared"));
      const entry = join(dir, "entry", "index.ts");
      writeFileSync(entry, 'import { a } from "../shared/helper";\nexport const handler = () => a;\n');
      writeFileSync(join(dir, "shared", "helper.ts"), "export const a = 1;\n");
      writeFileSync(join(dir, "shared", "unused.ts"), "export const b = 1;\n");
      const keyOf = (architecture: "x86_64" | "arm64") => contentKey(architecture, compiledHandler(entry, KIT_ROOT));
      const key = keyOf("x86_64");
      expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(keyOf("x86_64")).toBe(key);
      expect(keyOf("arm64")).not.toBe(key);
      // A file no import reaches, and a zip written beside the sources, are not inputs.
      writeFileSync(join(dir, "shared", "unused.ts"), "export const b = 2;\n");
      writeFileSync(join(dir, "entry", "resizer-x86_64.zip"), "zip");
      expect(keyOf("x86_64")).toBe(key);
      // The imported file in another folder is.
      writeFileSync(join(dir, "shared", "helper.ts"), "export const a = 2;\n");
      const changed = keyOf("x86_64");
      expect(changed).not.toBe(key);
      // A new import reaches the bundle through the file that imports it.
      writeFileSync(join(dir, "shared", "helper.ts"), 'export { b as a } from "./unused";\n');
      writeFileSync(join(dir, "shared", "unused.ts"), "export const b = 3;\n");
      const throughNew = keyOf("x86_64");
      writeFileSync(join(dir, "shared", "unused.ts"), "export const b = 4;\n");
      expect(keyOf("x86_64")).not.toBe(throughNew);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a half-written zip is never a hit: the zip appears whole, by rename, under its key", () => {
    const outDir = join(workDir, "interrupted");
    const key = contentKey("x86_64", compiledHandler(join(KIT_ROOT, "lambda-src", "index.ts"), KIT_ROOT));
    mkdirSync(join(outDir, key), { recursive: true });
    writeFileSync(join(outDir, key, "resizer-x86_64.zip.tmp-12345"), "half a zip");
    const rebuilt = buildResizerBundle({ architecture: "x86_64", outDir });
    expect(rebuilt.sourceCodeHash).toBe(x86.sourceCodeHash);
    expect(readdirSync(join(outDir, key)).sort()).toEqual(["resizer-x86_64.zip", "resizer-x86_64.zip.tmp-12345"]);
  });

  it("entries are sorted, index.js is at the root, every header has the fixed timestamp and no extra fields", () => {
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

  it("index.js holds no absolute path of this checkout or machine", () => {
    const indexJs = x86Entries.find((e) => e.path === "index.js")!.data.toString("utf8");
    for (const local of [KIT_ROOT, workDir, tmpdir(), process.env.HOME ?? "/nonexistent-home"]) {
      expect(indexJs.includes(local)).toBe(false);
    }
    expect(indexJs).not.toMatch(/sourceMappingURL/);
  });

  it("the arm64 bundle holds the arm64 sharp binding and libvips, and nothing for x64", () => {
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

  it("the x86_64 bundle holds the x64 sharp binding and libvips, and nothing for arm64", () => {
    const paths = x86Entries.map((e) => e.path);
    const binding = x86Entries.find((e) => /^node_modules\/@img\/sharp-linux-x64\/lib\/[^/]+\.node$/.test(e.path));
    const libvips = x86Entries.find((e) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(e.path));
    expect(binding).toBeDefined();
    expect(libvips).toBeDefined();
    expect(elfMachine(binding!.data)).toBe(ELF_MACHINE.x86_64);
    expect(elfMachine(libvips!.data)).toBe(ELF_MACHINE.x86_64);
    expect(paths.filter((p) => /arm/.test(p))).toEqual([]);
  });

  it("only sharp's runtime packages ship, without docs, type declarations or C++ sources", () => {
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

  it("unpacked alone, index.js exports handler and sharp loads from the bundle and resizes", () => {
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

describe("buildResizerBundle input checks", () => {
  it("an unknown architecture names the allowed values", () => {
    expect(() => buildResizerBundle({ architecture: "x64" as never })).toThrow('Invalid resizer architecture "x64": expected one of "arm64", "x86_64"');
  });

  it("a missing entry is reported by path", () => {
    const missing = join(tmpdir(), "no-such-resizer-entry.ts");
    expect(() => buildResizerBundle({ architecture: "arm64", entry: missing })).toThrow(`Resizer handler entry not found: ${missing}`);
  });

  it("an entry that does not compile fails with esbuild's message", () => {
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
