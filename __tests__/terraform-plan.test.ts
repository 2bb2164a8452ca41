/**
 * Terraform itself, offline: the kit's stacks validated, planned and applied against a mocked provider by
 * `image-cdn-kit plan`, and configurations Terraform rejects reported with Terraform's own message. Needs a
 * `terraform` (1.7+) and a local hashicorp/aws provider folder; without them these tests are skipped and say
 * so (CI has both, and `npm run plan` plans every variant there).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planStacks, stackFolders, type StackPlan } from "../modules/cli/plan";
import { describeSetAside, satisfies } from "../modules/cli/plan/offline";
import { findLocalProvider, findTerraform } from "../modules/cli/plan/terraform";
import { selectVariants, synthesizeVariants } from "../modules/cli/plan/variants";
import { ROOT } from "./support/run-app";

const terraform = findTerraform(process.env);
const provider = findLocalProvider(process.env, undefined, () => true);
const ready = terraform !== undefined && provider !== undefined && satisfies(terraform.version, ">= 1.7");
if (!ready) console.warn(`terraform-plan tests skipped: ${terraform ? "" : "no terraform on PATH; "}${provider ? "" : "no local hashicorp/aws provider folder"}`);
const describeWithTerraform = ready ? describe : describe.skip;

type Config = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), ...args], { encoding: "utf8" });
}

describeWithTerraform("Terraform plans the kit offline", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-terraform-"));
  const synth = join(work, "synth");
  const byName = new Map<string, StackPlan>();

  /** A synthesized variant copied to `name` under stacks/, its cdk.tf.json edited by `edit`. */
  function broken(from: string, name: string, edit: (config: Config) => void): void {
    const dir = join(synth, "stacks", name);
    cpSync(join(synth, "stacks", from), dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Config;
    edit(config);
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(config));
  }

  beforeAll(async () => {
    synthesizeVariants(selectVariants(["function-url", "custom-domain", "existing-bucket-variants-only", "purge"]), synth);
    // A reference to a resource that does not exist.
    broken("function-url", "broken-reference", (config) => {
      const distribution = Object.values(config.resource!.aws_cloudfront_distribution!)[0]!;
      distribution.web_acl_id = "${aws_wafv2_web_acl.missing.arn}";
    });
    // for_each keyed on the validation records' names, which ACM makes only when the certificate exists.
    broken("custom-domain", "broken-for-each", (config) => {
      const [certificate] = Object.keys(config.resource!.aws_acm_certificate!);
      const records = config.resource!.aws_route53_record!;
      const validation = Object.values(records).find((r) => String(r.name).includes("domain_validation_options"))!;
      validation.for_each = `\${{ for option in aws_acm_certificate.${certificate}.domain_validation_options : option.resource_record_name => option }}`;
      validation.name = "${each.key}";
      validation.type = "${each.value.resource_record_type}";
      validation.records = ["${each.value.resource_record_value}"];
    });
    // Valid and plannable, but the AAAA records point at the bucket instead of the distribution.
    broken("custom-domain", "broken-alias", (config) => {
      const [bucket] = Object.keys(config.resource!.aws_s3_bucket!);
      const aaaa = Object.values(config.resource!.aws_route53_record!).find((r) => r.type === "AAAA")!;
      (aaaa.alias as Record<string, unknown>).name = `\${aws_s3_bucket.${bucket}.bucket_regional_domain_name}`;
    });
    // The existing bucket's region check made toothless: its plan in another region must then not fail.
    broken("existing-bucket-variants-only", "broken-region-check", (config) => {
      const lookup = Object.values(config.data!.aws_s3_bucket!)[0]!;
      (lookup.lifecycle as { postcondition: Array<{ condition: string }> }).postcondition[0]!.condition = "${self.bucket_region == self.bucket_region}";
    });
    const report = await planStacks(stackFolders(synth));
    for (const stack of report.stacks) byName.set(stack.name, stack);
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("validates, plans and applies a healthy stack, counting what it would create and setting aside what the old provider lacks", () => {
    const stack = byName.get("function-url")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "ok" });
    expect(stack.firstError).toBeUndefined();
    expect(stack.toAdd).toBeGreaterThanOrEqual(15);
    expect(stack.assertions).toBeGreaterThanOrEqual(8);
    if (!satisfies(provider!.version, "~> 6.28")) {
      // The argument hashicorp/aws 5.100 lacks, and the runtime its enumeration predates (found from Terraform's own error).
      expect(stack.setAside.map(describeSetAside)).toEqual([
        // The alarms on CloudFront's metrics are made in us-east-1 by provider 6's resource-level region.
        "aws_cloudwatch_metric_alarm.region (argument)",
        "aws_lambda_function.runtime = nodejs24.x (value, planned as nodejs22.x)",
        "aws_lambda_permission.invoked_via_function_url (argument)",
      ]);
    } else {
      expect(stack.setAside).toEqual([]);
    }
  });

  it("plans a stack of two functions (resizer and purge) whose runtime is newer than an older local provider knows", () => {
    const stack = byName.get("purge")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "ok" });
    if (!satisfies(provider!.version, "~> 6.28")) {
      // Terraform names one such value per run: each is found and set aside, the purge function's too.
      expect(stack.setAside.map(describeSetAside)).toContain("aws_lambda_function.runtime = nodejs24.x (value, planned as nodejs22.x)");
    }
  });

  it("checks a custom domain's certificate validation and aliases after a mocked apply (apex and wildcard share a record)", () => {
    const stack = byName.get("custom-domain")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "ok" });
    expect(stack.assertions).toBeGreaterThanOrEqual(20);
  });

  // hashicorp/aws 6's bucket_region (set aside for 5.100 and given by a placeholder the mock overrides at plan).
  it("stops the plan when an existing bucket is in another region than the stack, and not when it is in the stack's", () => {
    const stack = byName.get("existing-bucket-variants-only")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "ok" });
    expect(stack.droppedLookups).toEqual([expect.stringMatching(/^data\.aws_s3_bucket\./)]);
    const broken = byName.get("broken-region-check")!;
    expect(broken).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "failed" });
    expect(broken.firstError).toMatch(/^mocked apply: Missing expected failure: The checkable object, data\.aws_s3_bucket\.\S+, was expected to report an error but did not\./);
  });

  it("reports an invalid reference as Terraform's own validation error, in one line", () => {
    const stack = byName.get("broken-reference")!;
    expect(stack).toMatchObject({ validate: "failed", plan: "skipped", mockedApply: "skipped" });
    expect(stack.firstError).toMatch(/^Reference to undeclared resource: A managed resource "aws_wafv2_web_acl" "missing" has not been declared in the root module\. \(cdk\.tf\.json:\d+\)$/);
  });

  it("reports a for_each over values known only after apply as Terraform's plan error", () => {
    const stack = byName.get("broken-for-each")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "failed", mockedApply: "skipped" });
    expect(stack.firstError).toMatch(/^Invalid for_each argument: The "for_each" map includes keys derived from resource attributes that cannot be determined until apply, .*\. \(cdk\.tf\.json:\d+\)$/);
    expect(stack.firstError).not.toContain("\n");
  });

  it("fails the mocked apply when an assertion about the applied stack does not hold", () => {
    const stack = byName.get("broken-alias")!;
    expect(stack).toMatchObject({ validate: "ok", plan: "ok", mockedApply: "failed" });
    expect(stack.firstError).toMatch(/^mocked apply: Test assertion failed: AAAA alias records do not point every name at the distribution/);
  });

  it("as a command: one line per stack, the failures named, exit 3; the backend removed and said so", () => {
    const result = cli("plan", join(synth, "stacks", "broken-reference"), join(synth, "stacks", "function-url"), "--no-mocked-apply");
    expect(result.status).toBe(3);
    expect(result.stdout).toContain("your state, backend and AWS account were not touched");
    expect(result.stdout).toMatch(/^broken-reference: validate failed, plan skipped, mocked apply skipped\n {2}error: Reference to undeclared resource/m);
    expect(result.stdout).toMatch(/^function-url: validate ok, plan ok \(\d+ to add\), mocked apply skipped$/m);
    expect(result.stdout).toContain("1 of 2 stack(s) failed.");
  }, 120_000);

  it("says in one line that the check did not run when there is no terraform, exit 4", () => {
    const result = spawnSync(process.execPath, [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "modules/cli/main.ts"), "plan", join(synth, "stacks", "function-url")], {
      encoding: "utf8",
      env: { PATH: "/nonexistent", HOME: process.env.HOME },
    });
    expect(result.status).toBe(4);
    expect(result.stderr.trim()).toBe("image-cdn-kit plan: terraform is not on PATH (Terraform 1.11 or later): the offline plan check did not run");
  });

  it("review --plan adds Terraform's planned values that differ between base and head", () => {
    const base = join(work, "base");
    const head = join(work, "head");
    cpSync(join(synth, "stacks", "function-url"), join(base, "stacks", "images"), { recursive: true });
    cpSync(join(synth, "stacks", "function-url"), join(head, "stacks", "images"), { recursive: true });
    const config = JSON.parse(readFileSync(join(head, "stacks/images/cdk.tf.json"), "utf8")) as Config;
    const [functionName] = Object.keys(config.resource!.aws_lambda_function!);
    config.resource!.aws_lambda_function![functionName!]!.memory_size = 1024;
    writeFileSync(join(head, "stacks/images/cdk.tf.json"), JSON.stringify(config));
    const result = cli("review", base, head, "--plan");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("### Terraform's plan (offline)");
    expect(result.stdout).toContain(`- ✏️ \`aws_lambda_function.${functionName}\`:\n  - \`memory_size\`: 512 → 1024`);
    expect(result.stdout).toMatch(/every resource is a create there/);
  }, 120_000);
});
