// The smallest useful stack: a new private bucket, the resizer, and a CloudFront distribution on its
// *.cloudfront.net name. This folder is a whole cdktf app (package.json, tsconfig.json, cdktf.json): copy it,
// put the kit's tarball beside it (README, "Install"), `npm install`, then `npm run synth` or `npm run deploy`.
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn, useKitBackend } from "image-cdn-kit";

class MinimalImages extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // State: IMAGE_CDN_STATE_BUCKET (S3) or IMAGE_CDN_TFC_ORGANIZATION + IMAGE_CDN_TFC_WORKSPACE, else a local file.
    useKitBackend(this, { region: "eu-west-1" });
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const images = new ImageCdn(this, "images", {});
    new TerraformOutput(this, "url", { value: `https://${images.distributionDomainName}` });
    new TerraformOutput(this, "bucket", { value: images.bucketName });
  }
}

const app = new App();
new MinimalImages(app, "minimal-images");
app.synth();
