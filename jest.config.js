/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile-only: type checking is `npm run typecheck` (tsc --noEmit), the first half of `npm test`.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  modulePathIgnorePatterns: ["<rootDir>/cdktf.out", "<rootDir>/.build", "<rootDir>/dist"],
  testTimeout: 60000,
};
