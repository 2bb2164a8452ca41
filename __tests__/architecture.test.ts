/**
 * ARCHITECTURE.md names files and folders by path; each must exist, so that the map keeps up with the code.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./support/run-app";

it("every path ARCHITECTURE.md names exists", () => {
  const text = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
  const named = [...new Set([...text.matchAll(/`((?:[\w.-]+\/)+[\w.-]*|[\w-]+\.(?:ts|js|md|json))`/g)].map((m) => m[1]!))]
    .filter((path) => !path.includes("<") && !path.startsWith("cdktf.out/"));
  expect(named.length).toBeGreaterThan(40);
  expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
});

it("every source folder of the layout is in the picture", () => {
  const text = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
  for (const folder of ["modules/", "edge/", "bundle/", "plan/", "lambda-src/", "core/", "shared/", "function-url/", "object-lambda/", "purge/", "scripts/", "bench/", "__tests__/", "fixtures/"]) {
    expect(text).toMatch(new RegExp(`^\\s*${folder.replace("/", "\\/")}\\s`, "m"));
  }
});
