// ESLint flat config: `npm run lint` (= `eslint .`), the second step of `npm test`.
// ESLint is pinned to 9.x on purpose: ESLint 10 needs Node ^20.19, while the kit's engines floor is Node 20.9
// (package.json "engines"); 9.x runs on ^20.9. typescript-eslint 8 supports TypeScript 5.9 (pinned).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "dist/**",
      "**/.build/**",
      "cdktf.out*/**",
      "coverage/**",
      "test-artifacts/**",
      "**/*.d.ts",
    ],
  },

  // TypeScript: everything tsconfig.json compiles, type-checked rules.
  {
    files: ["**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {},
  },

  // CloudFront Function sources (runtime cloudfront-js-2.0): plain scripts, concatenated and given their
  // imports (cf, crypto, kvs) at synth by modules/edge/viewer-request-function.ts; accept-token.js is also
  // require()d by the resizer. async/await is the newest syntax they use, the runtime's subset allows no more.
  {
    files: ["modules/edge/*.js", "lambda-src/core/accept-token.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2017,
      sourceType: "script",
      globals: { cf: "readonly", crypto: "readonly", kvs: "readonly", module: "writable" },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {},
  },

  // Node scripts in CommonJS (setup.js runs before anything is installed; jest's config).
  {
    files: ["scripts/*.js", "jest.config.js"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "commonjs", globals: { process: "readonly", console: "readonly", __dirname: "readonly" } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
);
