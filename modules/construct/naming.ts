import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { Fn, TerraformStack, Token } from "cdktf";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

/**
 * Account-global names (IAM role, CloudFront policies, functions and OAC) and per-region ones (function,
 * log group, access points) must differ between two deployments of the same app: another region, another
 * stack. The default prefix is `<construct id>-<8 hex>`, the hex being sha1("<construct path>@<region>"):
 * the construct path holds the stack name, the region tells two regions apart.
 *
 * The region is read from the stack's default AWS provider at synth. When the provider's region is not a
 * literal (a variable, or AWS_REGION at plan time), the same sha1 is computed by Terraform from
 * `data.aws_region`, so the name is the same either way, only known at plan instead of at synth.
 */
export function defaultResourcePrefix(construct: Construct): string {
  return `${slug(construct.node.id)}-${discriminator(construct)}`;
}

/** The construct id as 1..14 characters of a-z, 0-9 and '-', starting with a letter. */
function slug(id: string): string {
  const cleaned = id.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 14);
  return /^[a-z]/.test(cleaned) ? cleaned : `i${cleaned}`.slice(0, 14);
}

/** sha1("<construct path>@<region>"), as Terraform's sha1(join("@", [path, region])) computes it at plan. */
export function literalDiscriminator(constructPath: string, region: string): string {
  return createHash("sha1").update(`${constructPath}@${region}`).digest("hex").slice(0, 8);
}

function discriminator(construct: Construct): string {
  const region = providerRegion(construct);
  if (region !== undefined) return literalDiscriminator(construct.node.path, region);
  // Terraform's sha1() is the hex SHA-1 of the UTF-8 string, as Node's createHash above.
  // join() rather than a template string: cdktf's functions warn about "${" inside their arguments.
  return Fn.substr(Fn.sha1(Fn.join("@", [construct.node.path, currentRegion(construct).region])), 0, 8);
}

/** The construct's one `data.aws_region` (the provider's region, read at plan), made on first use. */
function currentRegion(construct: Construct): DataAwsRegion {
  return (construct.node.tryFindChild("region") as DataAwsRegion | undefined) ?? new DataAwsRegion(construct, "region");
}

/** The stack's region: the provider's literal region, else a reference to `data.aws_region`'s (known at plan). */
export function stackRegion(construct: Construct): string {
  return providerRegion(construct) ?? currentRegion(construct).region;
}

/**
 * The stack's region for conditions: `expression`, a Terraform expression (the provider's literal region quoted,
 * else `data.aws_region.<name>.region`, hashicorp/aws 6's attribute; 5.x called it `name`), and `text`, the
 * same for a message (the literal itself, or the expression interpolated).
 */
export function regionExpression(construct: Construct): { expression: string; text: string } {
  const region = providerRegion(construct);
  if (region !== undefined) return { expression: JSON.stringify(region), text: region };
  const expression = `${currentRegion(construct).fqn}.region`;
  return { expression, text: `\${${expression}}` };
}

/** The literal region of the stack's default (unaliased) AWS provider, if it has one. */
export function providerRegion(construct: Construct): string | undefined {
  for (const child of TerraformStack.of(construct).node.findAll()) {
    const provider = child as { terraformResourceType?: unknown; alias?: unknown; region?: unknown };
    if (provider.terraformResourceType !== "aws" || provider.alias !== undefined) continue;
    const region = provider.region;
    return typeof region === "string" && !Token.isUnresolved(region) ? region : undefined;
  }
  return undefined;
}
