// The smallest useful stack: a new private bucket, the resizer, and a CloudFront distribution on its
// *.cloudfront.net name. Copy this file into your cdktf app (import ImageCdn from the kit's modules/).
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn } from "../../modules";

class MinimalImages extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const images = new ImageCdn(this, "images", {});
    new TerraformOutput(this, "url", { value: `https://${images.distributionDomainName}` });
    new TerraformOutput(this, "bucket", { value: images.bucketName });
  }
}

const app = new App();
new MinimalImages(app, "minimal-images");
app.synth();
