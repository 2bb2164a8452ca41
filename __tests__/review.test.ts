/**
 * `npm run review -- <base> <head>`: the pull-request summary of two synthesized folders, offline.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { compareStacks, grantsOf, type StackConfig } from "../modules/review";
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
  return spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli.ts"), "review", base, head, ...flags], { encoding: "utf8" });
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

  it("reports resource changes and no access change for a change that grants nothing (CORS)", () => {
    const head = JSON.parse(synthApp("main.ts", { ...OBJECT_LAMBDA, IMAGE_CDN_CORS_ORIGINS: "https://app.example.com" }).get("stacks/image-cdn/cdk.tf.json")!.toString()) as Stack;
    const summary = compareStacks(base, head);
    expect(summary.grantsAdded).toEqual([]);
    expect(summary.grantsRemoved).toEqual([]);
    expect(summary.added).toEqual([]);
    expect(summary.changed.map((c) => c.address.split(".")[0])).toEqual(expect.arrayContaining(["aws_cloudfront_distribution", "aws_cloudfront_function", "aws_cloudfront_response_headers_policy"]));
    expect(summary.changed.find((c) => c.address.startsWith("aws_cloudfront_distribution."))!.arguments).toEqual(["default_cache_behavior"]);
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
    expect(runReview(baseDir, headDir, "--fail-on-access-change").status).toBe(2);
    expect(runReview(baseDir, baseDir, "--fail-on-access-change").status).toBe(0);
    expect(runReview(baseDir, baseDir).stdout).toContain("No change in who may do what.");
  });

  it("says what it needs for a folder that is not a synth output", () => {
    const result = runReview(work, work);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^image-cdn-kit: .* holds neither cdk\.tf\.json nor stacks\/: give a synthesized folder \(cdktf\.out\)$/);
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
