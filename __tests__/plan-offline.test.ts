/**
 * The offline plan's pure parts: Terraform's version constraints, the scratch copy (backend removed, what an
 * older provider lacks set aside by comparing with its schema, lookups dropped), the provider override, where
 * a local provider is found, and the mocked apply's test file. No Terraform needed (terraform-plan.test.ts
 * runs the real thing).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSetAside, mapInterpolations, newerEnumeratedValue, newest, offlineCopy, satisfies, withPlannedValues, type Json, type ProviderSchema } from "../modules/cli/plan/offline";
import { hcl, mockApplyTest, validationOptions } from "../modules/cli/plan/mock-apply";
import { cliConfigMirrors, cliConfiguration, findLocalProvider, providerOverride, providerVersionsIn, terraformEnv, terraformPlatform } from "../modules/cli/plan/terraform";

type Config = { [key: string]: Json };

describe("Terraform version constraints", () => {
  it.each([
    ["6.28.0", "~> 6.28", true],
    ["6.66.1", "~> 6.28", true],
    ["7.0.0", "~> 6.28", false],
    ["5.100.0", "~> 6.28", false],
    ["6.28.5", "~> 6.28.1", true],
    ["6.29.0", "~> 6.28.1", false],
    ["5.100.0", ">= 5.0, < 6", true],
    ["6.0.0", ">= 5.0, < 6", false],
    ["6.30.0", "!= 6.30.0", false],
    ["6.28.0", "= 6.28.0", true],
    ["6.28.0", "6.28.0", true],
    ["1.11.4", ">= 1.7", true],
    ["1.6.6", ">= 1.7", false],
    ["5.100.0", undefined, true],
  ])("%s satisfies %s: %s", (version, constraint, expected) => {
    expect(satisfies(version, constraint)).toBe(expected);
  });

  it("refuses what is not a constraint, and picks the newest version numerically", () => {
    expect(() => satisfies("6.0.0", "about six")).toThrow(/not a version/);
    expect(newest(["5.9.0", "5.100.0", "5.31.0"])).toBe("5.100.0");
  });
});

/** A provider schema that knows a few types, as `terraform providers schema -json` shapes it. */
const OLD_SCHEMA: ProviderSchema = {
  resource_schemas: {
    aws_lambda_permission: { block: { attributes: { action: {}, function_name: {}, principal: {}, source_arn: {}, id: {} } } },
    aws_s3control_object_lambda_access_point: { block: { attributes: { name: {}, alias: {}, arn: {} }, block_types: { configuration: { block: { attributes: { supporting_access_point: {} } } } } } },
    aws_cloudfront_distribution: {
      block: { attributes: { enabled: {}, arn: {} }, block_types: { origin: { block: { attributes: { domain_name: {}, origin_id: {} } } } } },
    },
  },
  data_source_schemas: {
    aws_s3_bucket: { block: { attributes: { bucket: {}, arn: {}, region: {} } } },
    aws_region: { block: { attributes: { name: {} } } },
  },
};

function stack(): Config {
  return {
    "//": { metadata: { backend: "s3" } },
    terraform: {
      required_providers: { aws: { source: "aws", version: "~> 6.28" } },
      backend: { s3: { bucket: "state", key: "k", region: "us-east-1", use_lockfile: true } },
    },
    provider: { aws: [{ region: "eu-west-1" }, { alias: "us_east_1", region: "us-east-1" }] },
    data: { aws_s3_bucket: { existing: { bucket: "legacy" } }, aws_region: { current: {} } },
    resource: {
      aws_lambda_permission: { invoke: { action: "lambda:InvokeFunction", function_name: "f", principal: "cloudfront.amazonaws.com", invoked_via_function_url: true, source_arn: "${aws_cloudfront_distribution.d.arn}" } },
      aws_s3control_object_lambda_access_point: { olap: { name: "olap", region: "eu-west-1", configuration: { supporting_access_point: "${data.aws_s3_bucket.existing.arn}", allowed_features: ["GetObject-Range"] } } },
      aws_cloudfront_distribution: {
        d: {
          enabled: true,
          origin: [{ domain_name: "${aws_s3control_object_lambda_access_point.olap.alias}.s3.${aws_s3control_object_lambda_access_point.olap.region}.amazonaws.com", origin_id: "variants", response_completion_timeout: 30 }],
        },
      },
      aws_vpc_lattice_new_thing: { x: { name: "n" } },
    },
    output: {
      literal: { value: "$${aws_s3control_object_lambda_access_point.olap.region} stays literal" },
      region: { value: "${data.aws_region.current.region}" },
      thing: { value: "${aws_vpc_lattice_new_thing.x.arn}" },
    },
  };
}

describe("the scratch copy Terraform plans offline", () => {
  it("removes an S3 or Terraform Cloud backend and never changes the original", () => {
    const original = stack();
    const copy = offlineCopy(original, { schema: OLD_SCHEMA, providerVersion: "6.66.0", mode: "plan" });
    expect(copy.removedBackend).toBe("s3");
    expect((copy.config.terraform as Config).backend).toBeUndefined();
    expect(((original.terraform as Config).backend as Config).s3).toBeDefined();
    const cloud = stack();
    (cloud.terraform as Config).cloud = { organization: "o", workspaces: { name: "w" } };
    delete (cloud.terraform as Config).backend;
    const cloudCopy = offlineCopy(cloud, { schema: OLD_SCHEMA, providerVersion: "6.66.0", mode: "plan" });
    expect(cloudCopy.removedBackend).toBe("cloud");
    expect((cloudCopy.config.terraform as Config).cloud).toBeUndefined();
  });

  it("with a provider that satisfies the constraint sets nothing aside: an unknown argument stays for Terraform to report", () => {
    const copy = offlineCopy(stack(), { schema: OLD_SCHEMA, providerVersion: "6.66.0", mode: "plan" });
    expect(copy.setAside).toEqual([]);
    expect(copy.constraint).toEqual({ required: "~> 6.28", planned: "~> 6.28" });
    const resources = copy.config.resource as Record<string, Record<string, Config>>;
    expect(resources.aws_lambda_permission!.invoke!.invoked_via_function_url).toBe(true);
    expect(resources.aws_vpc_lattice_new_thing).toBeDefined();
    expect(JSON.stringify(resources.aws_cloudfront_distribution!.d!.origin)).not.toContain("terraform_data");
    expect(JSON.stringify(resources.aws_cloudfront_distribution!.d!.origin)).toContain("olap.region");
  });

  it("with an older provider lowers the constraint in the copy and sets aside exactly what its schema lacks", () => {
    const copy = offlineCopy(stack(), { schema: OLD_SCHEMA, providerVersion: "5.100.0", mode: "plan" });
    expect(copy.constraint).toEqual({ required: "~> 6.28", planned: "= 5.100.0" });
    expect(((copy.config.terraform as Config).required_providers as Config).aws).toEqual({ source: "aws", version: "= 5.100.0" });
    expect(copy.setAside.map(describeSetAside)).toEqual([
      "aws_cloudfront_distribution.origin.response_completion_timeout (argument)",
      "aws_lambda_permission.invoked_via_function_url (argument)",
      "aws_s3control_object_lambda_access_point.configuration.allowed_features (argument)",
      "aws_s3control_object_lambda_access_point.region (argument)",
      "aws_s3control_object_lambda_access_point.region (attribute reference)",
      "aws_vpc_lattice_new_thing (resource type)",
      "data.aws_region.region (attribute reference)",
    ]);
    const resources = copy.config.resource as Record<string, Record<string, Config>>;
    expect(resources.aws_lambda_permission!.invoke).not.toHaveProperty("invoked_via_function_url");
    expect(resources.aws_lambda_permission!.invoke!.source_arn).toBe("${aws_cloudfront_distribution.d.arn}");
    expect(resources.aws_vpc_lattice_new_thing).toBeUndefined();
    const origin = (resources.aws_cloudfront_distribution!.d!.origin as Config[])[0]!;
    expect(origin).not.toHaveProperty("response_completion_timeout");
    // The known attribute stays, the unknown one becomes an unknown value of any type.
    expect(origin.domain_name).toBe(
      "${aws_s3control_object_lambda_access_point.olap.alias}.s3.${jsondecode(terraform_data.offline_aws_s3control_object_lambda_access_point_olap_region.id)}.amazonaws.com",
    );
    const outputs = copy.config.output as Record<string, Config>;
    expect(outputs.literal!.value).toBe("$${aws_s3control_object_lambda_access_point.olap.region} stays literal");
    expect(outputs.region!.value).toBe("${jsondecode(terraform_data.offline_data_aws_region_current_region.id)}");
    expect(outputs.thing!.value).toBe("${jsondecode(terraform_data.offline_aws_vpc_lattice_new_thing_x.id).arn}");
    expect(copy.placeholders.map((p) => p.standsFor)).toEqual([
      "aws_s3control_object_lambda_access_point.olap.region",
      "aws_vpc_lattice_new_thing.x",
      "data.aws_region.current.region",
      "data.aws_s3_bucket.existing",
    ]);
    expect(Object.keys(resources.terraform_data!)).toEqual(copy.placeholders.map((p) => p.address.replace("terraform_data.", "")));
  });

  it("sets aside `self.<attribute>` in a block's own conditions when the provider lacks the attribute", () => {
    const config = stack();
    ((config.data as Config).aws_s3_bucket as Record<string, Config>).existing!.lifecycle = {
      postcondition: [{ condition: '${self.bucket_region == "eu-west-1"}', error_message: "in ${self.bucket_region}, bucket ${self.bucket}" }],
    };
    const copy = offlineCopy(config, { schema: OLD_SCHEMA, providerVersion: "5.100.0", mode: "mock" });
    const lookup = ((copy.config.data as Config).aws_s3_bucket as Record<string, Config>).existing!;
    const postcondition = ((lookup.lifecycle as Config).postcondition as Config[])[0]!;
    expect(postcondition.condition).toBe('${jsondecode(terraform_data.offline_data_aws_s3_bucket_existing_bucket_region.id) == "eu-west-1"}');
    expect(postcondition.error_message).toBe("in ${jsondecode(terraform_data.offline_data_aws_s3_bucket_existing_bucket_region.id)}, bucket ${self.bucket}");
    expect(copy.setAside.map(describeSetAside)).toContain("data.aws_s3_bucket.bucket_region (attribute reference)");
    const test = mockApplyTest(copy.config, copy.placeholders);
    // Checked at plan, in the stack's region and in another one that must fail.
    expect(test.text).toContain("target = terraform_data.offline_data_aws_s3_bucket_existing_bucket_region\n  override_during = plan");
    expect(test.text).toMatch(/run "existing_bucket_in_another_region_1" \{\n {2}command = plan[\s\S]*"\\"ap-southeast-2\\""[\s\S]*expect_failures = \[data\.aws_s3_bucket\.existing\]/);
    // The mock gives no bucket_region itself: the placeholder does.
    expect(test.text).not.toMatch(/"bucket_region" = /);
  });

  it("drops lookups that call AWS from a plan (references become placeholders) and keeps them for a mocked apply", () => {
    const plan = offlineCopy(stack(), { schema: OLD_SCHEMA, providerVersion: "6.66.0", mode: "plan" });
    expect(plan.droppedLookups).toEqual(["data.aws_s3_bucket.existing"]);
    expect(Object.keys(plan.config.data as Config)).toEqual(["aws_region"]);
    const olap = (plan.config.resource as Record<string, Record<string, Config>>).aws_s3control_object_lambda_access_point!.olap!;
    expect((olap.configuration as Config).supporting_access_point).toBe("${jsondecode(terraform_data.offline_data_aws_s3_bucket_existing.id).arn}");
    const mock = offlineCopy(stack(), { schema: OLD_SCHEMA, providerVersion: "6.66.0", mode: "mock" });
    expect(mock.droppedLookups).toEqual([]);
    expect(Object.keys(mock.config.data as Config).sort()).toEqual(["aws_region", "aws_s3_bucket"]);
  });

  it("reads interpolations with nested braces and quoted strings, leaving the rest of the text alone", () => {
    const seen: string[] = [];
    const text = 'a ${one([for o in x : o.v if o.k == "}"])} b ${{"k" = 1}["k"]} $${not} c';
    expect(mapInterpolations(text, (e) => (seen.push(e), e.toUpperCase()))).toBe('a ${ONE([FOR O IN X : O.V IF O.K == "}"])} b ${{"K" = 1}["K"]} $${not} c');
    expect(seen).toEqual(['one([for o in x : o.v if o.k == "}"])', '{"k" = 1}["k"]']);
  });
});

describe("Terraform's environment and provider", () => {
  const work = mkdtempSync(join(tmpdir(), "image-cdn-mirror-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("gives every aws provider configuration, aliases included, fake static credentials and no AWS calls", () => {
    const override = providerOverride(stack()) as { provider: { aws: Config[] } };
    expect(override.provider.aws).toHaveLength(2);
    expect(override.provider.aws[1]!.alias).toBe("us_east_1");
    for (const p of override.provider.aws) {
      expect(p).toMatchObject({ skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true });
      expect(p.access_key).toMatch(/EXAMPLE$/);
    }
  });

  it("runs Terraform without the user's AWS credentials, profile or TF_* settings", () => {
    const env = terraformEnv({ PATH: "/bin", AWS_PROFILE: "prod", AWS_ACCESS_KEY_ID: "AKIAREAL", TF_CLI_CONFIG_FILE: "/missing.tfrc", TF_WORKSPACE: "prod", HOME: "/root" }, "/scratch/terraform.tfrc");
    expect(env).toEqual({ PATH: "/bin", HOME: "/root", TF_CLI_CONFIG_FILE: "/scratch/terraform.tfrc", TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" });
  });

  it("finds hashicorp/aws in a mirror's unpacked and packed layouts, newest satisfying the constraint first", () => {
    const platform = terraformPlatform();
    const unpacked = join(work, "mirror", "registry.terraform.io/hashicorp/aws/5.100.0", platform);
    mkdirSync(unpacked, { recursive: true });
    writeFileSync(join(unpacked, "terraform-provider-aws_v5.100.0_x5"), "");
    writeFileSync(join(work, "mirror", "registry.terraform.io/hashicorp/aws", `terraform-provider-aws_6.28.0_${platform}.zip`), "");
    mkdirSync(join(work, "mirror", "registry.terraform.io/hashicorp/aws/6.99.0/other_os"), { recursive: true });
    expect(providerVersionsIn(join(work, "mirror")).sort()).toEqual(["5.100.0", "6.28.0"]);
    const env = { HOME: join(work, "home"), TF_CLI_CONFIG_FILE: join(work, "missing.tfrc"), XDG_DATA_DIRS: join(work, "none") };
    expect(findLocalProvider(env, join(work, "mirror"), (v) => satisfies(v, "~> 6.28"))).toMatchObject({ version: "6.28.0", foundBy: "--plugin-dir" });
    expect(findLocalProvider(env, join(work, "mirror"), (v) => satisfies(v, "~> 7.0"))).toMatchObject({ version: "6.28.0" });
    expect(findLocalProvider(env, join(work, "mirror"), (v) => satisfies(v, "< 6"))).toMatchObject({ version: "5.100.0" });
  });

  it("reads filesystem mirrors from a CLI configuration, and none from a file that does not exist", () => {
    const file = join(work, "cli.tfrc");
    writeFileSync(file, 'provider_installation {\n  filesystem_mirror {\n    path    = "/srv/mirror"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {}\n}\n');
    expect(cliConfigMirrors(file)).toEqual(["/srv/mirror"]);
    expect(cliConfigMirrors(join(work, "absent.tfrc"))).toEqual([]);
    expect(cliConfiguration({ mirror: "/srv/mirror", version: "5.100.0", foundBy: "x" })).toContain('path    = "/srv/mirror"');
    expect(cliConfiguration(undefined)).not.toContain("provider_installation");
  });
});

describe("the mocked apply's test file", () => {
  it("answers ACM's validation options as ACM does: one CNAME per name, a wildcard sharing its apex's record", () => {
    const [apex, wildcard, other] = validationOptions(["example.com", "*.example.com", "img.example.org"]);
    expect(apex!.resource_record_name).toMatch(/^_[0-9a-f]{32}\.example\.com\.$/);
    expect(wildcard!.resource_record_name).toBe(apex!.resource_record_name);
    expect(wildcard!.resource_record_value).toBe(apex!.resource_record_value);
    expect(other!.resource_record_name).toMatch(/\.img\.example\.org\.$/);
    expect(apex!.resource_record_type).toBe("CNAME");
  });

  it("writes HCL literals that keep ${ literal", () => {
    expect(hcl({ a: ["x", 1, true], "b-c": "${var.x}" })).toBe('{\n  "a" = [\n    "x",\n    1,\n    true\n  ]\n  "b-c" = "$${var.x}"\n}');
  });

  it("mocks one provider per configuration, gives placeholders realistic values, and asserts the outputs", () => {
    const copy = offlineCopy(stack(), { schema: OLD_SCHEMA, providerVersion: "5.100.0", mode: "mock" });
    const test = mockApplyTest(copy.config, copy.placeholders);
    expect(test.text.match(/mock_provider "aws"/g)).toHaveLength(2);
    expect(test.text).toContain('alias = "us_east_1"');
    expect(test.text).toContain("target = terraform_data.offline_aws_s3control_object_lambda_access_point_olap_region");
    expect(test.text).toContain('values = { id = "\\"eu-west-1\\"" }');
    expect(test.text).toContain("override_data {\n  target = data.aws_s3_bucket.existing");
    expect(test.text).toContain("output.region != null");
    expect(test.assertions).toBeGreaterThanOrEqual(3);
  });

  describe("a value newer than the planning provider's enumeration", () => {
    // hashicorp/aws 5.100.0's own words for a Lambda runtime released after it (terraform validate -json).
    const LISTED = ["nodejs", "nodejs4.3", "nodejs16.x", "java21", "python3.13", "nodejs18.x", "nodejs20.x", "provided.al2023", "nodejs22.x"];
    const diagnostic = { summary: `expected runtime to be one of [${LISTED.map((v) => `"${v}"`).join(" ")}], got nodejs24.x`, address: "aws_lambda_function.resizer" };

    it("is planned as the newest listed value of its family, and named", () => {
      const found = newerEnumeratedValue(diagnostic)!;
      expect(found).toEqual({ address: "aws_lambda_function.resizer", argument: "runtime", given: "nodejs24.x", planned: "nodejs22.x" });
      const config = { resource: { aws_lambda_function: { resizer: { runtime: "nodejs24.x", handler: "index.handler" } } } };
      const { config: planned, setAside } = withPlannedValues(config, [found]);
      expect(planned).toEqual({ resource: { aws_lambda_function: { resizer: { runtime: "nodejs22.x", handler: "index.handler" } } } });
      expect(config.resource.aws_lambda_function.resizer.runtime).toBe("nodejs24.x");
      expect(setAside.map(describeSetAside)).toEqual(["aws_lambda_function.runtime = nodejs24.x (value, planned as nodejs22.x)"]);
    });

    it("leaves every other diagnostic, a value of no listed family, a typo and a value the config does not hold", () => {
      expect(newerEnumeratedValue({ summary: "Reference to undeclared resource", address: "aws_lambda_function.resizer" })).toBeUndefined();
      expect(newerEnumeratedValue({ ...diagnostic, summary: diagnostic.summary.replace("got nodejs24.x", "got deno2.x") })).toBeUndefined();
      expect(newerEnumeratedValue({ ...diagnostic, summary: diagnostic.summary.replace("got nodejs24.x", "got nodejs") })).toBeUndefined();
      expect(newerEnumeratedValue({ summary: diagnostic.summary })).toBeUndefined();
      const found = newerEnumeratedValue(diagnostic)!;
      expect(withPlannedValues({ resource: { aws_lambda_function: { resizer: { runtime: "nodejs22.x" } } } }, [found]).setAside).toEqual([]);
    });
  });
});
