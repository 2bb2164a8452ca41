/**
 * `npm run review -- <base> <head>`: the pull-request summary of two synthesized folders, offline.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../modules";
import { compareStacks, grantsOf, reviewMarkdown, valueMarkdown, type StackConfig } from "../modules/cli/review";
import { ROOT, synthApp } from "./support/run-app";

type Stack = StackConfig & { resource: Record<string, Record<string, Record<string, unknown>>> };

function writeSynth(dir: string, files: Map<string, Buffer>): void {
  for (const [path, bytes] of files) {
    if (!path.endsWith(".json")) continue;
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

function runReview(base: string, head: string, ...flags: string[]) {
  return spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), "review", base, head, ...flags], { encoding: "utf8" });
}

describe("review summary", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-review-"));
  // The object-lambda origin: the most layers of grants (bucket delegation, access points, Object Lambda).
  const OBJECT_LAMBDA = { IMAGE_CDN_ORIGIN: "object-lambda" };
  const baseFiles = synthApp("main.ts", OBJECT_LAMBDA);
  const base = JSON.parse(baseFiles.get("stacks/image-cdn/cdk.tf.json")!.toString()) as Stack;

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lists every grant of the stack as who may do what, with the role as principal of its inline policy", () => {
    const grants = grantsOf(base);
    expect(grants.map((g) => `${g.effect} ${g.principal} ${g.actions}`)).toEqual(expect.arrayContaining([
      "Deny * s3:*",
      "Allow AWS: * s3:GetObject",
      "Allow Service: cloudfront.amazonaws.com s3-object-lambda:GetObject",
      "Allow cloudfront.amazonaws.com lambda:InvokeFunction",
      "Allow Service: lambda.amazonaws.com sts:AssumeRole",
      expect.stringMatching(/^Allow role: aws_iam_role\.\S+\.id logs:CreateLogStream, logs:PutLogEvents$/),
      expect.stringMatching(/^Allow role: aws_iam_role\.\S+\.id s3-object-lambda:WriteGetObjectResponse$/),
    ]));
    const delegation = grants.find((g) => g.actions === "s3:GetObject" && g.principal === "AWS: *")!;
    expect(delegation.conditions).toMatch(/^s3:DataAccessPointAccount StringEquals aws_s3_access_point\.\S+\.account_id; s3:DataAccessPointArn StringEquals aws_s3_access_point\.\S+\.arn$/);
  });

  it("shows monitoring's resources as added or removed, and the log delivery service's grant on the access-log group", () => {
    const without = JSON.parse(synthApp("main.ts", { ...OBJECT_LAMBDA, IMAGE_CDN_MONITORING: "false" }).get("stacks/image-cdn/cdk.tf.json")!.toString()) as Stack;
    const summary = compareStacks(without, base);
    const added = summary.added.map((address) => address.split(".")[0]);
    expect(added.filter((type) => type === "aws_cloudwatch_metric_alarm")).toHaveLength(5);
    expect(added).toEqual(expect.arrayContaining(["aws_cloudwatch_dashboard", "aws_cloudwatch_query_definition"]));
    const app = Testing.app();
    const stack = new TerraformStack(app, "logs");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new ImageCdn(stack, "images", { monitoring: { accessLogs: { destination: "cloudwatch-logs" } } });
    const grants = grantsOf(JSON.parse(Testing.synth(stack)) as Stack);
    expect(grants.find((g) => g.principal === "Service: delivery.logs.amazonaws.com")).toMatchObject({ actions: "logs:CreateLogStream, logs:PutLogEvents", source: expect.stringMatching(/^aws_cloudwatch_log_resource_policy\./) });
  });

  it("reports resource changes and no access change for a change that grants nothing (CORS)", () => {
    const head = JSON.parse(synthApp("main.ts", { ...OBJECT_LAMBDA, IMAGE_CDN_CORS_ORIGINS: "https://app.example.com" }).get("stacks/image-cdn/cdk.tf.json")!.toString()) as Stack;
    const summary = compareStacks(base, head);
    expect(summary.grantsAdded).toEqual([]);
    expect(summary.grantsRemoved).toEqual([]);
    expect(summary.added).toEqual([]);
    expect(summary.changed.map((c) => c.address.split(".")[0])).toEqual(expect.arrayContaining(["aws_cloudfront_distribution", "aws_cloudfront_function", "aws_cloudfront_response_headers_policy"]));
    expect(summary.changed.find((c) => c.address.startsWith("aws_cloudfront_distribution."))!.arguments).toEqual(["default_cache_behavior"]);
    // The CloudFront Function's code (thousands of characters) is cut on both sides and told apart by its hash.
    const markdown = reviewMarkdown("image-cdn", summary);
    const code = markdown.split("\n").filter((line) => line.startsWith("  - `code`: "));
    expect(code.length).toBeGreaterThan(0);
    for (const line of code) {
      const [, before, after] = line.match(/\(\d+ chars, sha256 ([0-9a-f]{8})\) → .*\(\d+ chars, sha256 ([0-9a-f]{8})\)$/)!;
      expect(before).not.toBe(after);
      expect(line.length).toBeLessThan(200);
    }
  });

  it("flags a widened grant and a new resource at the top of the comment, and the CLI can fail on it", () => {
    const head = JSON.parse(JSON.stringify(base)) as Stack;
    const [policyName, bucketPolicy] = Object.entries(head.resource.aws_s3_bucket_policy!)[0]!;
    const document = JSON.parse(bucketPolicy.policy as string);
    delete document.Statement[1].Condition; // any principal of any account may now read every original
    bucketPolicy.policy = JSON.stringify(document);
    head.resource.aws_s3_bucket_versioning = { extra: { bucket: "${aws_s3_bucket.x.id}", versioning_configuration: { status: "Enabled" } } };
    const baseDir = join(work, "base");
    const headDir = join(work, "head");
    writeSynth(baseDir, baseFiles);
    mkdirSync(join(headDir, "stacks/image-cdn"), { recursive: true });
    writeFileSync(join(headDir, "stacks/image-cdn/cdk.tf.json"), JSON.stringify(head));

    const result = runReview(baseDir, headDir);
    expect(result.status).toBe(0);
    const markdown = result.stdout;
    expect(markdown.indexOf("### ⚠️ Who may do what changes (2)")).toBeGreaterThan(0);
    expect(markdown.indexOf("⚠️")).toBeLessThan(markdown.indexOf("### Resources"));
    expect(markdown).toContain(`| ➕ added | Allow | AWS: * | s3:GetObject | ${"aws_s3_bucket"}.`);
    expect(markdown).toMatch(/\| ➕ added \| Allow \| AWS: \* \| s3:GetObject \| aws_s3_bucket\.\S+\.arn\/\* \| — \| aws_s3_bucket_policy\./);
    expect(markdown).toMatch(/\| ➖ removed \| Allow \| AWS: \* \| s3:GetObject \| .* \| s3:DataAccessPointAccount StringEquals/);
    expect(markdown).toContain("- ➕ `aws_s3_bucket_versioning.extra`");
    expect(markdown).toContain(`- ✏️ \`aws_s3_bucket_policy.${policyName}\`: \`policy\``);
    expect(runReview(baseDir, headDir, "--fail-on-access-change").status).toBe(3);
    expect(runReview(baseDir, baseDir, "--fail-on-access-change").status).toBe(0);
    expect(runReview(baseDir, baseDir).stdout).toContain("No change in who may do what.");
  });

  it("says what it needs for a folder that is not a synth output", () => {
    const result = runReview(work, work);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^image-cdn-kit review: .* holds neither cdk\.tf\.json nor stacks\/: give a synthesized folder \(cdktf\.out\); see image-cdn-kit review --help$/);
  });
});

describe("review: each changed value, old → new", () => {
  type Attributes = StackConfig["resource"] extends Record<string, Record<string, infer A>> | undefined ? A : never;
  const RESIZER: Attributes = {
    function_name: "images-resizer",
    description: "Resizes images",
    memory_size: 512,
    architectures: ["arm64"],
    environment: { variables: { RESIZER_DEFAULT_QUALITY: "80", RESIZER_MAX_WIDTH: "2048" } },
  };
  const stack = (resizer: Attributes, more: Record<string, Record<string, Attributes>> = {}): StackConfig => ({ resource: { aws_lambda_function: { resizer }, ...more } });
  const review = (base: StackConfig, head: StackConfig) => reviewMarkdown("images", compareStacks(base, head));
  /** The value lines under one changed resource. */
  const valuesOf = (markdown: string, address: string) => {
    const lines = markdown.split("\n");
    const start = lines.findIndex((line) => line.startsWith(`- ✏️ \`${address}\`:`));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((line, i) => i > start && !line.startsWith("  - "));
    return lines.slice(start + 1, end);
  };

  it("shows a scalar's old and new value, and a nested one by its dotted path", () => {
    const head = stack({ ...RESIZER, memory_size: 1024, environment: { variables: { RESIZER_DEFAULT_QUALITY: "80", RESIZER_MAX_WIDTH: "4096" } } });
    const markdown = review(stack(RESIZER), head);
    expect(markdown).toContain("- ✏️ `aws_lambda_function.resizer`: `environment`, `memory_size`\n");
    expect(valuesOf(markdown, "aws_lambda_function.resizer")).toEqual([
      '  - `environment.variables.RESIZER_MAX_WIDTH`: `"2048"` → `"4096"`',
      "  - `memory_size`: `512` → `1024`",
    ]);
    expect(compareStacks(stack(RESIZER), head).changed[0]!.changes).toEqual([
      { path: "environment.variables.RESIZER_MAX_WIDTH", before: "2048", after: "4096" },
      { path: "memory_size", before: 512, after: 1024 },
    ]);
  });

  it("shows an added and a removed attribute with (none) on the missing side, a whole block by its leaves", () => {
    const { description, ...withoutDescription } = RESIZER;
    expect(description).toBeDefined();
    const head = stack({ ...withoutDescription, timeout: 30, ephemeral_storage: { size: 1024 }, tags: { "Cost center": "images" } });
    expect(valuesOf(review(stack(RESIZER), head), "aws_lambda_function.resizer")).toEqual([
      '  - `description`: `"Resizes images"` → (none)',
      "  - `ephemeral_storage.size`: (none) → `1024`",
      '  - `tags["Cost center"]`: (none) → `"images"`',
      "  - `timeout`: (none) → `30`",
    ]);
  });

  it("shows a short list of scalars whole and a list of blocks by index", () => {
    const distribution = (methods: string[], ttl: number): Attributes => ({
      default_cache_behavior: { allowed_methods: methods },
      custom_error_response: [{ error_code: 400, error_caching_min_ttl: 10 }, { error_code: 404, error_caching_min_ttl: ttl }],
    });
    const base = stack(RESIZER, { aws_cloudfront_distribution: { cdn: distribution(["GET", "HEAD"], 10) } });
    const head = stack(RESIZER, { aws_cloudfront_distribution: { cdn: distribution(["GET", "HEAD", "OPTIONS"], 60) } });
    expect(valuesOf(review(base, head), "aws_cloudfront_distribution.cdn")).toEqual([
      "  - `custom_error_response[1].error_caching_min_ttl`: `10` → `60`",
      '  - `default_cache_behavior.allowed_methods`: `["GET","HEAD"]` → `["GET","HEAD","OPTIONS"]`',
    ]);
  });

  it("cuts a long value to a prefix and names it by length and hash: different values differ, the same value is named the same", () => {
    const code = (width: number) => `function handler(event) {\n  var maxWidth = ${width};\n  return event.request; // ${"padding ".repeat(20)}\n}\n`;
    const shown = valueMarkdown(code(4096));
    const sha256 = createHash("sha256").update(code(4096)).digest("hex").slice(0, 8);
    expect(shown).toBe(`\`"function handler(event) {\\n  var maxWid…\` (${code(4096).length} chars, sha256 ${sha256})`);
    expect(valueMarkdown(code(4096))).toBe(shown);
    expect(valueMarkdown(code(2048))).not.toBe(shown);
    expect(valueMarkdown("x".repeat(58))).toBe(`\`"${"x".repeat(58)}"\``); // 60 characters as JSON: whole

    const base = stack(RESIZER, { aws_cloudfront_function: { normalize: { name: "normalize", code: code(4096) } } });
    const head = stack(RESIZER, { aws_cloudfront_function: { normalize: { name: "normalize", code: code(2048) } } });
    const [line, ...rest] = valuesOf(review(base, head), "aws_cloudfront_function.normalize");
    expect(rest).toEqual([]);
    expect(line).toBe(`  - \`code\`: ${valueMarkdown(code(4096))} → ${valueMarkdown(code(2048))}`);
    expect(line!.length).toBeLessThan(160);
  });

  it("says a policy document's change by its grants, not as raw JSON", () => {
    const policy = (actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: actions, Resource: "arn:aws:s3:::originals/*" }] });
    const base = stack(RESIZER, { aws_s3_bucket_policy: { originals: { bucket: "originals", policy: policy(["s3:GetObject"]) } } });
    const widened = stack(RESIZER, { aws_s3_bucket_policy: { originals: { bucket: "originals", policy: policy(["s3:GetObject", "s3:PutObject"]) } } });
    const widenedValues = valuesOf(review(base, widened), "aws_s3_bucket_policy.originals");
    expect(widenedValues).toEqual([expect.stringMatching(/^ {2}- `policy`: policy document: 1 grant\(s\) added, 1 removed, in "Who may do what changes" above \(sha256 [0-9a-f]{8} → [0-9a-f]{8}\)$/)]);
    expect(widenedValues.join("\n")).not.toContain("Statement");
    const reordered = stack(RESIZER, { aws_s3_bucket_policy: { originals: { bucket: "originals", policy: JSON.stringify({ Statement: JSON.parse(policy(["s3:GetObject"])).Statement, Version: "2012-10-17" }) } } });
    expect(valuesOf(review(base, reordered), "aws_s3_bucket_policy.originals")).toEqual([
      expect.stringMatching(/^ {2}- `policy`: policy document rewritten, no change in who may do what \(sha256 [0-9a-f]{8} → [0-9a-f]{8}\)$/),
    ]);
  });

  it("keeps a Markdown-hostile value inside its code span, on its line, whatever it holds", () => {
    const hostile = "a`b``c | d\n</details>\n# Approved\r\n- [x] ok\u202e<img src=x>";
    const head = stack({ ...RESIZER, environment: { variables: { RESIZER_DEFAULT_QUALITY: "80", RESIZER_MAX_WIDTH: hostile, "A`B\nC": "`" } } });
    const markdown = review(stack(RESIZER), head);
    expect(valuesOf(markdown, "aws_lambda_function.resizer")).toEqual([
      '  - ``environment.variables["A`B\\nC"]``: (none) → ``"`"``',
      '  - `environment.variables.RESIZER_MAX_WIDTH`: `"2048"` → ```"a`b``c | d\\n</details>\\n# Approved\\r\\n- [x] ok\\u202e<img src=x>"```',
    ]);
    expect(markdown.split("\n").filter((line) => line.includes("details>") && !line.startsWith("  - "))).toEqual(["<details><summary>Every policy after this change</summary>", "</details>"]);
    expect(markdown.split("\n").filter((line) => line.startsWith("#"))).toEqual(["## Image CDN review: `images`", "### Resources: 0 added, 0 removed, 1 changed"]);
  });

  it("keeps a Markdown-hostile policy value inside its table cell", () => {
    const policy = (value: string) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:Referer": value } } }] });
    const base = stack(RESIZER, { aws_s3_bucket_policy: { originals: { bucket: "originals", policy: policy("https://app.example.com") } } });
    const head = stack(RESIZER, { aws_s3_bucket_policy: { originals: { bucket: "originals", policy: policy("x | y`\n</details>\n# Approved [a](b)") } } });
    const markdown = review(base, head);
    const added = markdown.split("\n").filter((line) => line.startsWith("| ➕ added |"));
    expect(added).toEqual(["| ➕ added | Allow | * | s3:GetObject | * | aws:Referer StringEquals x \\| y\\`\\\\n\\</details\\>\\\\n# Approved \\[a\\](b) | aws_s3_bucket_policy.originals |"]);
    expect(added[0]!.match(/(?<!\\)\|/g)).toHaveLength(8); // seven cells
    expect(markdown.match(/<\/details>/g)).toHaveLength(1);
  });

  it("shows at most 20 values of one resource and counts the rest", () => {
    const variables = (value: string) => Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`VAR_${String(i).padStart(2, "0")}`, value]));
    const values = valuesOf(review(stack({ ...RESIZER, environment: { variables: variables("a") } }), stack({ ...RESIZER, environment: { variables: variables("b") } })), "aws_lambda_function.resizer");
    expect(values).toHaveLength(21);
    expect(values[0]).toBe('  - `environment.variables.VAR_00`: `"a"` → `"b"`');
    expect(values[19]).toBe('  - `environment.variables.VAR_19`: `"a"` → `"b"`');
    expect(values[20]).toBe("  - … and 5 more values");
  });

  it("lists the changed resources and their values in a stable order", () => {
    const base = stack(RESIZER, { aws_sqs_queue: { b: { delay_seconds: 1, name: "b" }, a: { name: "a", delay_seconds: 1 } } });
    const head = stack({ ...RESIZER, memory_size: 2048 }, { aws_sqs_queue: { a: { delay_seconds: 2, name: "a2" }, b: { name: "b2", delay_seconds: 2 } } });
    const markdown = review(base, head);
    expect(markdown.split("\n").filter((line) => line.startsWith("- ✏️") || line.startsWith("  - "))).toEqual([
      "- ✏️ `aws_lambda_function.resizer`: `memory_size`",
      "  - `memory_size`: `512` → `2048`",
      "- ✏️ `aws_sqs_queue.a`: `delay_seconds`, `name`",
      "  - `delay_seconds`: `1` → `2`",
      '  - `name`: `"a"` → `"a2"`',
      "- ✏️ `aws_sqs_queue.b`: `delay_seconds`, `name`",
      "  - `delay_seconds`: `1` → `2`",
      '  - `name`: `"b"` → `"b2"`',
    ]);
    // The same stacks with every key in the opposite order: the same comment.
    const reversed = (value: unknown): unknown => value === null || typeof value !== "object" || Array.isArray(value)
      ? value
      : Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reversed(item)]));
    expect(review(reversed(base) as StackConfig, reversed(head) as StackConfig)).toBe(markdown);
  });
});

// The example pipeline cannot run here (no GitHub runner, no AWS credentials): it must at least be valid
// YAML whose steps do what the README says.
describe("examples/ci/pull-request.yml", () => {
  const workflow = parseYaml(readFileSync(join(ROOT, "examples/ci/pull-request.yml"), "utf8")) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Array<{ name?: string; run?: string; uses?: string; if?: string }> }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const runs = steps.map((step) => step.run ?? "").join("\n");

  it("runs on pull requests and may comment on them, nothing more", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
  });

  it("synthesizes base and head, posts the review, and diffs only where credentials exist", () => {
    expect(runs).toMatch(/npm ci/);
    expect(runs.match(/npm run synth/g)?.length).toBeGreaterThanOrEqual(2);
    expect(runs).toMatch(/npm run --silent review -- \.\.\/base\/cdktf\.out cdktf\.out --plan/);
    // Terraform for the offline plans, without the wrapper that would mix its own lines into the JSON.
    const setup = steps.find((step) => step.uses?.startsWith("hashicorp/setup-terraform@")) as { with?: Record<string, unknown> } | undefined;
    expect(setup?.with).toMatchObject({ terraform_wrapper: false });
    expect(steps.indexOf(setup as never)).toBeLessThan(steps.findIndex((step) => /review --/.test(step.run ?? "")));
    expect(runs).toMatch(/gh pr comment/);
    const diff = steps.find((step) => /cdktf diff/.test(step.run ?? ""));
    expect(diff?.if).toMatch(/AWS_ROLE_ARN/);
  });
});
