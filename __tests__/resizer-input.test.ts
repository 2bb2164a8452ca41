import { readFileSync } from "node:fs";
import path from "node:path";
import { sniffFormat, type SniffResult } from "../lambda-src/core/input";
import { FIXTURES_DIR } from "../fixtures";

const FIXTURES = FIXTURES_DIR;
const fixtureHead = (name: string): Buffer => readFileSync(path.join(FIXTURES, name)).subarray(0, 4096);

describe("sniffFormat on fixtures", () => {
  it.each<[string, SniffResult]>([
    ["flowers.jpeg", "jpeg"],
    ["Channel_digital_image_CMYK_color.jpg", "jpeg"],
    ["truncated.jpg", "jpeg"],
    ["with-alpha.png", "png"],
    ["65536-uint32-limit.png", "png"],
    ["4.webp", "webp"],
    ["animated-loop-3.webp", "webp"],
    ["animated-loop-3.gif", "gif"],
    ["pitm.avif", "avif"],
    ["check.svg", "svg"],
    ["struct-image-04-t.svg", "svg"],
    ["README.md", "unknown"],
  ])("%s -> %s", (name, expected) => {
    expect(sniffFormat(fixtureHead(name))).toBe(expected);
  });
});

describe("sniffFormat on crafted heads", () => {
  const ftyp = (major: string, ...compatible: string[]): Buffer => {
    const size = 16 + 4 * compatible.length;
    const box = Buffer.alloc(size);
    box.writeUInt32BE(size, 0);
    box.write("ftyp", 4, "latin1");
    box.write(major, 8, "latin1");
    compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, "latin1"));
    return box;
  };

  it.each<[string, Buffer, SniffResult]>([
    ["empty", Buffer.alloc(0), "unknown"],
    ["a lone JPEG marker byte", Buffer.from([0xff, 0xd8]), "unknown"],
    ["GIF87a", Buffer.from("GIF87a\x01\x00\x01\x00", "latin1"), "gif"],
    ["RIFF that is not WebP", Buffer.from("RIFF\0\0\0\0WAVEfmt ", "latin1"), "unknown"],
    ["AVIF as a compatible brand", ftyp("mif1", "miaf", "avif"), "avif"],
    ["AVIF image sequence", ftyp("avis", "msf1"), "avif"],
    ["HEIC (no decoder shipped)", ftyp("heic", "mif1", "heic"), "unknown"],
    ["MP4 video", ftyp("isom", "iso2", "mp41"), "unknown"],
    ["TIFF little-endian", Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), "unknown"],
    ["PDF", Buffer.from("%PDF-1.7\n", "latin1"), "unknown"],
    ["SVG with BOM, prolog, comment", Buffer.from("\uFEFF<?xml version='1.0'?>\n<!-- x -->\n<SVG width='1'/>", "utf8"), "svg"],
    ["SVG with a doctype", Buffer.from('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg>', "utf8"), "svg"],
    ["HTML page", Buffer.from("<!doctype html><html><body>404</body></html>", "utf8"), "unknown"],
    ["text mentioning <svg> not as markup", Buffer.from("hello <svg>", "utf8"), "unknown"],
  ])("%s", (_label, head, expected) => {
    expect(sniffFormat(head)).toBe(expected);
  });
});
