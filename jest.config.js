/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile-only: type checking is `npm run typecheck` (tsc --noEmit), the first half of `npm test`.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
    // thumbhash ships only an ES module (its package.json says "type": "module"); Jest's CommonJS runtime needs it
    // transformed. esbuild bundles it for the Lambda and Node's require(esm) loads it under ts-node.
    "/node_modules/thumbhash/.+\\.js$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!thumbhash/)"],
  modulePathIgnorePatterns: ["<rootDir>/cdktf.out", "<rootDir>/.build", "<rootDir>/dist"],
  testTimeout: 60000,
};
