import { Construct } from "constructs";
import { CloudBackend, NamedCloudWorkspace, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { AppSettings } from "./app-settings";
import { CLOUDFRONT_CERTIFICATE_REGION } from "./custom-domain";
import { ImageCdn } from "./image-cdn";

/** The app's one stack: the AWS provider(s), one ImageCdn, and its attributes as outputs. */
export class ImageCdnStack extends TerraformStack {
  readonly imageCdn: ImageCdn;

  constructor(scope: Construct, settings: AppSettings) {
    super(scope, settings.stackName);
    if (settings.terraformCloud) {
      new CloudBackend(this, {
        organization: settings.terraformCloud.organization,
        hostname: settings.terraformCloud.hostname,
        workspaces: new NamedCloudWorkspace(settings.terraformCloud.workspace),
      });
    }
    new AwsProvider(this, "aws", {
      region: settings.region,
      defaultTags: [{ tags: { "managed-by": "cdktf", "image-cdn": settings.stackName } }],
    });
    const domain = settings.imageCdn.domain;
    const needsCertificate = domain !== undefined && domain.certificateArn === undefined;
    // The certificate must live in us-east-1: an aliased provider, as CloudFront setups usually have.
    const certificateProvider = needsCertificate
      ? new AwsProvider(this, "aws-us-east-1", { alias: "us_east_1", region: CLOUDFRONT_CERTIFICATE_REGION })
      : undefined;
    this.imageCdn = new ImageCdn(this, "images", {
      ...settings.imageCdn,
      domain: domain && { ...domain, certificateProvider },
    });
    const outputs: Record<string, string | undefined> = {
      distribution_domain_name: this.imageCdn.distributionDomainName,
      distribution_id: this.imageCdn.distributionId,
      distribution_arn: this.imageCdn.distributionArn,
      bucket_name: this.imageCdn.bucketName,
      bucket_arn: this.imageCdn.bucketArn,
      function_name: this.imageCdn.functionName,
      object_lambda_access_point_arn: this.imageCdn.objectLambdaAccessPointArn,
      object_lambda_access_point_alias: this.imageCdn.objectLambdaAccessPointAlias,
      function_url: this.imageCdn.functionUrl,
    };
    for (const [name, value] of Object.entries(outputs)) {
      if (value !== undefined) new TerraformOutput(this, name, { value, staticId: true });
    }
  }
}
