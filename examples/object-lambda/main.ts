// A main.ts for the app in examples/minimal (copy it over that one's). For accounts that already use S3 Object
// Lambda (closed to new AWS customers since 2025-11-07; everyone else keeps the default function-url origin):
// CloudFront reads variants through an Object Lambda access point that runs the resizer on every GET, and
// originals from the bucket itself. Same URL contract, same cache behaviour.
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn, useKitBackend } from "image-cdn-kit";

class ObjectLambdaImages extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    useKitBackend(this, { region: "us-west-2" });
    new AwsProvider(this, "aws", { region: "us-west-2" });
    const images = new ImageCdn(this, "images", {
      origin: "object-lambda",
      resizer: { memorySize: 1536, allowedWidths: [150, 500] },
    });
    new TerraformOutput(this, "url", { value: `https://${images.distributionDomainName}` });
    new TerraformOutput(this, "bucket", { value: images.bucketName });
  }
}

const app = new App();
new ObjectLambdaImages(app, "object-lambda-images");
app.synth();
