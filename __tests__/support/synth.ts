import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn, type ImageCdnProps } from "../../modules";

export type Synthesized = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: string }>;
};

/** Synthesizes one stack holding one ImageCdn and returns the Terraform JSON, parsed. */
export function synthImageCdn(props: ImageCdnProps = {}, build?: (stack: TerraformStack) => ImageCdnProps): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ImageCdn(stack, "images", build ? build(stack) : props);
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

/** The one resource of a type (fails the test when there are none or several). */
export function only(json: Synthesized, type: string): Record<string, unknown> {
  const [one, ...more] = Object.values(json.resource[type] ?? {});
  if (one === undefined || more.length > 0) throw new Error(`expected exactly one ${type}, found ${more.length + (one ? 1 : 0)}`);
  return one;
}

export function all(json: Synthesized, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

/** `${aws_x.name.attr}` reference to the one resource of a type. */
export function ref(json: Synthesized, type: string, attribute: string): string {
  const names = Object.keys(json.resource[type] ?? {});
  if (names.length !== 1) throw new Error(`expected exactly one ${type}, found ${names.length}`);
  return `\${${type}.${names[0]}.${attribute}}`;
}

export function policyOf(resource: Record<string, unknown>, key = "policy"): { Version: string; Statement: Record<string, unknown>[] } {
  return JSON.parse(resource[key] as string);
}

/** The one resource of a type whose `name` (or another) argument ends with a suffix, and its `${...}` reference maker. */
export function named(json: Synthesized, type: string, nameSuffix: string, attribute = type === "aws_lambda_function" ? "function_name" : "name") {
  const matches = Object.entries(json.resource[type] ?? {}).filter(([, r]) => String(r[attribute]).endsWith(nameSuffix));
  const [match] = matches;
  if (match === undefined || matches.length !== 1) throw new Error(`expected exactly one ${type} named *${nameSuffix}, found ${matches.length}`);
  const [key, resource] = match;
  return { resource, ref: (attribute: string) => `\${${type}.${key}.${attribute}}` };
}
