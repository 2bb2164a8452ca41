/** The deterministic zip writer: order, modes, times, stored or deflated, refusals. */
import { createHash } from "node:crypto";
import { createDeterministicZip } from "../modules/bundle/zip";
import { DOS_DATE_1980_01_01, readZip } from "./support/unzip";

describe("createDeterministicZip", () => {
  const entries = [
    { path: "b/z.txt", data: Buffer.from("zzz".repeat(100)), executable: false },
    { path: "a.js", data: Buffer.from("module.exports = 1;\n"), executable: false },
    { path: "bin/run", data: Buffer.from("#!/bin/sh\n"), executable: true },
    { path: "b/Z.bin", data: Buffer.from([0, 1, 2, 3]), executable: false },
  ];

  it("writes entries in byte order with their contents, modes and fixed times, whatever the input order", async () => {
    const zip = createDeterministicZip(entries);
    expect(createDeterministicZip([...entries].reverse()).equals(zip)).toBe(true);
    const read = await readZip(zip);
    expect(read.map((e) => [e.path, e.data.toString("hex"), e.mode.toString(8)])).toEqual([
      ["a.js", Buffer.from("module.exports = 1;\n").toString("hex"), "644"],
      ["b/Z.bin", "00010203", "644"],
      ["b/z.txt", Buffer.from("zzz".repeat(100)).toString("hex"), "644"],
      ["bin/run", Buffer.from("#!/bin/sh\n").toString("hex"), "755"],
    ]);
    expect(read.every((e) => e.central.date === DOS_DATE_1980_01_01 && e.central.time === 0)).toBe(true);
  });

  it("writes an empty archive that readers accept", async () => {
    expect(await readZip(createDeterministicZip([]))).toEqual([]);
  });

  it.each(["/etc/passwd", "../escape", "a/../b", "a//b", "a\\b", "dir/", ""])("refuses the unsafe path %j", (path) => {
    expect(() => createDeterministicZip([{ path, data: Buffer.alloc(1), executable: false }])).toThrow(/Unsafe zip entry path/);
  });

  it("refuses duplicate paths", () => {
    const entry = { path: "x", data: Buffer.alloc(1), executable: false };
    expect(() => createDeterministicZip([entry, entry])).toThrow("Duplicate zip entry: x");
  });

  it("stores what deflate cannot shrink and deflates the rest", async () => {
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
    expect((await readZip(zip)).map((e) => e.data.length)).toEqual([4096, 3000]);
  });

  it("refuses a path that a JavaScript object would reorder", () => {
    expect(() => createDeterministicZip([{ path: "12", data: Buffer.alloc(1), executable: false }])).toThrow(/would not keep its place/);
  });
});
