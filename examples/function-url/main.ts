// For accounts that cannot use S3 Object Lambda (closed to new customers since 2025-11-07): CloudFront
// calls the resizer's IAM-authenticated function URL through an OAC of type lambda; the resizer reads
// originals from the bucket itself. Same URL contract, same cache behaviour.
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../../modules";

class FunctionUrlImages extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "us-west-2" });
    const images = new ImageCdn(this, "images", {
      origin: "function-url",
      resizer: { memorySize: 1536, allowedWidths: [150, 500] },
    });
    new TerraformOutput(this, "url", { value: `https://${images.distributionDomainName}` });
    new TerraformOutput(this, "bucket", { value: images.bucketName });
  }
}

const app = new App();
new FunctionUrlImages(app, "function-url-images");
app.synth();
