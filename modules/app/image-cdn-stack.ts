import { Construct } from "constructs";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resolveBackend, S3_LOCKFILE_TERRAFORM, settingLookup, type AppSettings, type BackendSettings } from "./app-settings";
import { CLOUDFRONT_CERTIFICATE_REGION } from "../construct/custom-domain";
import { ImageCdn } from "../construct/image-cdn";
import type { Environment } from "../../lambda-src/core/contract";

/** The app's one stack: the AWS provider(s), one ImageCdn, and its attributes as outputs. */
export class ImageCdnStack extends TerraformStack {
  readonly imageCdn: ImageCdn;

  constructor(scope: Construct, settings: AppSettings) {
    super(scope, settings.stackName);
    applyBackend(this, settings.stackName, settings.backend);
    const defaultTags = [{ tags: { "managed-by": "cdktf", "image-cdn": settings.stackName } }];
    new AwsProvider(this, "aws", { region: settings.region, defaultTags });
    const domain = settings.imageCdn.domain;
    const needsCertificate = domain !== undefined && domain.certificateArn === undefined;
    // The certificate must live in us-east-1: an aliased provider, as CloudFront setups usually have.
    const certificateProvider = needsCertificate
      ? new AwsProvider(this, "aws-us-east-1", { alias: "us_east_1", region: CLOUDFRONT_CERTIFICATE_REGION, defaultTags })
      : undefined;
    this.imageCdn = new ImageCdn(this, "images", {
      ...settings.imageCdn,
      domain: domain && { ...domain, certificateProvider },
    });
    const outputs: Record<string, string | string[] | undefined> = {
      distribution_domain_name: this.imageCdn.distributionDomainName,
      distribution_id: this.imageCdn.distributionId,
      distribution_arn: this.imageCdn.distributionArn,
      bucket_name: this.imageCdn.bucketName,
      bucket_arn: this.imageCdn.bucketArn,
      function_name: this.imageCdn.functionName,
      object_lambda_access_point_arn: this.imageCdn.objectLambdaAccessPointArn,
      object_lambda_access_point_alias: this.imageCdn.objectLambdaAccessPointAlias,
      function_url: this.imageCdn.functionUrl,
      domain_names: this.imageCdn.domainNames,
      certificate_arn: this.imageCdn.certificateArn,
      bucket_policy_statements: this.imageCdn.bucketPolicyStatements,
      kms_key_policy_statements: this.imageCdn.kmsKeyPolicyStatements,
      signing_key_value_store_arn: this.imageCdn.signingKeyValueStoreArn,
      purge_dead_letter_queue_url: this.imageCdn.purge?.deadLetterQueue.url,
    };
    for (const [name, value] of Object.entries(outputs)) {
      if (value !== undefined) new TerraformOutput(this, name, { value, staticId: true });
    }
  }
}

/**
 * The state's home, chosen explicitly: cdktf's implicit default writes the absolute path of the machine
 * that synthesized, so the same commit would differ between machines and a committed folder planned in CI
 * would start from empty state. Local state sits at the project root, named as cdktf names it, reached
 * from the stack folder (cdktf.out/stacks/<stack>) where Terraform runs.
 */
export function applyBackend(stack: TerraformStack, stackName: string, settings: BackendSettings): void {
  switch (settings.kind) {
    case "local":
      new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, { bucket: settings.bucket, key: settings.key, region: settings.region, encrypt: true });
      // S3-native state locking: experimental in Terraform 1.10, generally available in 1.11 (Terraform 1.11.0
      // CHANGELOG; "Backend Type: s3", use_lockfile); the cdktf 0.21 bindings have no field for it. An older
      // Terraform would ignore nothing and fail on the argument: say which it needs, before init.
      s3.addOverride("use_lockfile", true);
      stack.addOverride("terraform.required_version", S3_LOCKFILE_TERRAFORM);
      return;
    }
    case "cloud":
      new CloudBackend(stack, {
        organization: settings.organization,
        hostname: settings.hostname,
        workspaces: new NamedCloudWorkspace(settings.workspace),
      });
  }
}

/**
 * The kit's backend choice for a stack of your own that holds an ImageCdn (without it, cdktf writes a local
 * backend with the absolute path of the machine that synthesized): IMAGE_CDN_STATE_BUCKET (S3 with native
 * locking), IMAGE_CDN_TFC_ORGANIZATION and IMAGE_CDN_TFC_WORKSPACE (Terraform Cloud), else local state at the
 * project root, as the kit's own stack does. `region`: the state bucket's default region.
 *
 * ```ts
 * class Images extends TerraformStack {
 *   constructor(scope: Construct, id: string) {
 *     super(scope, id);
 *     useKitBackend(this, { region: "eu-west-1" });
 *     new AwsProvider(this, "aws", { region: "eu-west-1" });
 *     new ImageCdn(this, "images", {});
 *   }
 * }
 * ```
 */
export function useKitBackend(stack: TerraformStack, options: { region?: string; env?: Environment } = {}): BackendSettings {
  const stackName = stack.node.id;
  const settings = resolveBackend(settingLookup(options.env ?? process.env, () => undefined), stackName, options.region ?? "us-east-1");
  applyBackend(stack, stackName, settings);
  return settings;
}
