import { Construct } from "constructs";
import { DataAwsS3Bucket } from "@cdktf/provider-aws/lib/data-aws-s3-bucket";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyJson, type PolicyDocument } from "./policies";
import type { ResolvedBucket } from "./validate-props";

/**
 * The private bucket of originals. A managed bucket is hardened: every public access block on,
 * ACLs disabled (BucketOwnerEnforced), SSE-S3 with bucket keys; an existing bucket is only read.
 */
export class OriginalsBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  /** `<bucket>.s3.<region>.amazonaws.com`: the originals' origin (CloudFront: "Use an S3 bucket" as origin). */
  readonly bucketRegionalDomainName: string;
  /** The bucket resource, when this stack creates it (not for `existingBucketName`). */
  readonly bucket?: S3Bucket;
  private readonly managesPolicy: boolean;
  private readonly publicAccessBlock?: S3BucketPublicAccessBlock;

  /** `regionExpression`: the stack's region as a Terraform expression (naming.ts), for the existing bucket's check. */
  constructor(scope: Construct, id: string, props: { bucket: ResolvedBucket; tags: Record<string, string> | undefined; regionExpression: () => { expression: string; text: string } }) {
    super(scope, id);
    const spec = props.bucket;
    if (spec.kind === "existing") {
      // A bucket in another region answers the resizer's GetObject with a redirect and CloudFront's with an error:
      // every request would fail. Stop the plan instead (a check block would only warn). bucket_region is
      // hashicorp/aws 6's name for the bucket's region (6.0.0 CHANGELOG: data-source/aws_s3_bucket).
      const region = props.regionExpression();
      const existing = new DataAwsS3Bucket(this, "existing", {
        bucket: spec.name,
        lifecycle: {
          postcondition: [{
            condition: `\${self.bucket_region == ${region.expression}}`,
            errorMessage: `The existing bucket \${self.bucket} is in \${self.bucket_region} and this stack in ${region.text}: S3 would refuse ` +
              "every request of the resizer and CloudFront. Deploy the stack in the bucket's region, or serve a bucket of the stack's region.",
          }],
        },
      });
      this.bucketName = existing.bucket;
      this.bucketArn = existing.arn;
      this.bucketRegionalDomainName = existing.bucketRegionalDomainName;
      this.managesPolicy = spec.managePolicy ?? false;
      return;
    }
    const bucket = new S3Bucket(this, "bucket", {
      bucket: spec.name,
      bucketPrefix: spec.namePrefix,
      forceDestroy: spec.forceDestroy,
      tags: props.tags,
    });
    this.bucket = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketRegionalDomainName = bucket.bucketRegionalDomainName;
    this.managesPolicy = true;
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [{
        applyServerSideEncryptionByDefault: spec.kmsKeyArn === undefined ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: spec.kmsKeyArn },
        // S3 Bucket Keys: fewer KMS requests (and their cost) for SSE-KMS; no effect with SSE-S3.
        bucketKeyEnabled: true,
      }],
    });
    if (spec.versioning) {
      new S3BucketVersioningA(this, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    }
    if (spec.uploadCors) {
      new S3BucketCorsConfiguration(this, "upload-cors", {
        bucket: bucket.id,
        corsRule: [{
          allowedOrigins: spec.uploadCors.allowedOrigins,
          allowedMethods: spec.uploadCors.allowedMethods,
          allowedHeaders: ["*"],
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3000,
        }],
      });
    }
  }

  /** Writes the bucket policy, unless the bucket is someone else's and managePolicy is off. */
  attachPolicy(document: PolicyDocument): S3BucketPolicy | undefined {
    if (!this.managesPolicy) return undefined;
    return new S3BucketPolicy(this, "policy", {
      bucket: this.bucketName,
      policy: policyJson(this, document),
      // S3 rejects a policy change while the public access block is being written.
      dependsOn: this.publicAccessBlock ? [this.publicAccessBlock] : undefined,
    });
  }
}
