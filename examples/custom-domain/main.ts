// A main.ts for the app in examples/minimal (copy it over that one's). A production-shaped stack: custom domain
// with a DNS-validated certificate in us-east-1 (through an aliased provider), a fixed set of sizes, CORS for the
// web app, tags, and a one-week log retention.
import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ImageCdn, useKitBackend } from "image-cdn-kit";

class ProductImages extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    useKitBackend(this, { region: "ap-northeast-2" });
    new AwsProvider(this, "aws", { region: "ap-northeast-2" });
    const usEast1 = new AwsProvider(this, "aws-us-east-1", { alias: "us_east_1", region: "us-east-1" });
    const images = new ImageCdn(this, "images", {
      bucket: { namePrefix: "product-images-", versioning: true },
      resizer: { allowedWidths: [150, 500, 1080], allowedHeights: [150, 700], logRetentionDays: 7 },
      cors: { allowedOrigins: ["https://shop.example.com"] },
      domain: { names: ["img.example.com"], hostedZoneId: "Z0123456789EXAMPLE", certificateProvider: usEast1 },
      priceClass: "PriceClass_200",
      tags: { team: "media", service: "product-images" },
    });
    new TerraformOutput(this, "url", { value: "https://img.example.com" });
    new TerraformOutput(this, "distribution_id", { value: images.distributionId });
  }
}

const app = new App();
new ProductImages(app, "product-images");
app.synth();
