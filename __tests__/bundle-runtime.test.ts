/** The resizer's runtime dependencies: the manifest, which files ship, the npm install and its failures, the CLI. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KIT_ROOT } from "../modules/bundle/build";
import { installRuntimeDependencies, isShippedRuntimeFile, npmCiArguments, runtimeCacheKey } from "../modules/bundle/runtime";
import { parseBundleArgs } from "../scripts/build-bundle";

describe("runtime manifest", () => {
  it("lambda-src pins the same sharp version as the kit", () => {
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

describe("isShippedRuntimeFile", () => {
  it.each([
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
  it.each([
    [["--arch", "arm64"], ["arm64"], undefined],
    [["--arch=x86_64"], ["x86_64"], undefined],
    [["--arch", "all", "--out-dir", "/tmp/z"], ["arm64", "x86_64"], "/tmp/z"],
  ])("%j", (argv, architectures, outDir) => {
    expect(parseBundleArgs(argv)).toEqual({ architectures, outDir });
  });

  it.each([
    [[], /--arch is required/],
    [["--arch", "x64"], /--arch must be arm64, x86_64 or all, got "x64"/],
    [["--arch"], /--arch needs a value/],
    [["--arch", "arm64", "--verbose"], /^unknown option --verbose; allowed: --arch, --out-dir, --help$/],
  ])("%j is refused", (argv, message) => {
    expect(() => parseBundleArgs(argv)).toThrow(message);
  });
});

describe("installRuntimeDependencies failures", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "resizer-runtime-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a missing manifest names the file and the command that makes it", () => {
    expect(() => installRuntimeDependencies({ architecture: "arm64", manifestDir: dir, cacheRoot: join(dir, "cache") })).toThrow(
      `Resizer runtime manifest not found: ${join(dir, "package.json")} (run \`npm install --package-lock-only\` in ${dir})`,
    );
  });

  it("a failing npm ci is reported with npm's reason and leaves no cache folder behind", () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "r", version: "1.0.0", dependencies: { sharp: "0.35.5" } }));
    // Out of sync with package.json: npm ci refuses before touching the network.
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "r", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "r", version: "1.0.0" } } }));
    const cacheRoot = join(dir, "cache");
    expect(() => installRuntimeDependencies({ architecture: "arm64", manifestDir: dir, cacheRoot })).toThrow(
      /Installing the resizer's runtime dependencies for arm64 from .*package-lock\.json failed \(npm ci; [^)]*\):\nnpm error code EUSAGE\n.*in sync/,
    );
    expect(readdirSync(cacheRoot)).toEqual([]);
  });

  it("the cache key follows the lockfile, the manifest and the architecture", () => {
    const pkg = Buffer.from("{}");
    const lock = Buffer.from('{"lockfileVersion":3}');
    const key = runtimeCacheKey("arm64", pkg, lock);
    expect(runtimeCacheKey("arm64", pkg, lock)).toBe(key);
    expect(runtimeCacheKey("x86_64", pkg, lock)).not.toBe(key);
    expect(runtimeCacheKey("arm64", pkg, Buffer.from('{"lockfileVersion":3} '))).not.toBe(key);
    expect(runtimeCacheKey("arm64", Buffer.from("{ }"), lock)).not.toBe(key);
  });

  it("npm is told the target platform and a fixed tree layout", () => {
    expect(npmCiArguments("/x", "x86_64")).toEqual(expect.arrayContaining(["ci", "--prefix=/x", "--os=linux", "--cpu=x64", "--libc=glibc", "--omit=dev", "--ignore-scripts", "--install-strategy=hoisted"]));
    expect(npmCiArguments("/x", "arm64")).toContain("--cpu=arm64");
  });
});
