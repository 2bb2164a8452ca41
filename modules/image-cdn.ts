import { Construct } from "constructs";
import { CdnDistribution } from "./cdn-distribution";
import { CustomDomain } from "./custom-domain";
import { FunctionUrlOrigin } from "./function-url-origin";
import { ObjectLambdaOrigin } from "./object-lambda-origin";
import { OriginalsBucket } from "./originals-bucket";
import { bucketPolicyForAccessPoint, bucketPolicyForResizerRole, resizerFunctionUrlPolicy, resizerObjectLambdaPolicy } from "./policies";
import type { ImageCdnProps } from "./props";
import { ResizerFunction } from "./resizer-function";
import { resolveImageCdnProps } from "./validate-props";

/** Resource names start with this; short so that every derived name fits its AWS limit. */
function defaultResourcePrefix(construct: Construct): string {
  const slug = construct.node.id.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 14);
  const start = /^[a-z]/.test(slug) ? slug : `i${slug}`.slice(0, 14);
  // The construct address is a hash of the construct path: stable across synths, unique per app.
  return `${start}-${construct.node.addr.slice(2, 10)}`;
}

/**
 * Serves resized variants of the images in a private S3 bucket through CloudFront.
 * `GET /<key>?w=&h=&fit=&format=&q=`; see the README for the URL contract.
 */
export class ImageCdn extends Construct {
  readonly distributionDomainName: string;
  readonly distributionId: string;
  readonly distributionArn: string;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly functionName: string;
  /** Object-lambda origin only. */
  readonly objectLambdaAccessPointArn?: string;
  /** Object-lambda origin only. */
  readonly objectLambdaAccessPointAlias?: string;
  /** Function-url origin only: the IAM-authenticated URL CloudFront calls (not usable without SigV4). */
  readonly functionUrl?: string;

  constructor(scope: Construct, id: string, props: ImageCdnProps = {}) {
    super(scope, id);
    const p = resolveImageCdnProps(props);
    const prefix = p.resourcePrefix ?? defaultResourcePrefix(this);

    const bucket = new OriginalsBucket(this, "originals", { bucket: p.bucket, tags: p.tags });
    const resizer = new ResizerFunction(this, "resizer", {
      functionName: p.resizer.functionName ?? `${prefix}-resizer`,
      architecture: p.resizer.architecture,
      memorySize: p.resizer.memorySize,
      timeout: p.resizer.timeout,
      logRetentionDays: p.resizer.logRetentionDays,
      config: p.resizer.config,
      originBucketName: p.origin === "function-url" ? bucket.bucketName : undefined,
      tags: p.tags,
    });
    const origin = p.origin === "function-url"
      ? this.functionUrlOrigin(bucket, resizer)
      : this.objectLambdaOrigin(bucket, resizer, prefix);

    const domain = p.domain ? new CustomDomain(this, "domain", { ...p.domain, tags: p.tags }) : undefined;
    const cdn = new CdnDistribution(this, "cdn", {
      namePrefix: prefix,
      originDomainName: origin.originDomainName,
      originType: p.origin === "function-url" ? "lambda" : "s3",
      resizerConfig: p.resizer.config,
      cache: p.cache,
      cors: p.cors,
      priceClass: p.priceClass,
      geoRestriction: p.geoRestriction,
      logging: p.logging,
      aliases: domain && p.domain ? { names: p.domain.names, certificateArn: domain.certificateArn } : undefined,
      tags: p.tags,
    });
    origin.authorize(cdn.distribution.arn);
    domain?.pointAt(cdn.distribution);

    this.distributionDomainName = cdn.distribution.domainName;
    this.distributionId = cdn.distribution.id;
    this.distributionArn = cdn.distribution.arn;
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.functionName = resizer.function.functionName;
    if (origin instanceof ObjectLambdaOrigin) {
      this.objectLambdaAccessPointArn = origin.objectLambdaAccessPoint.arn;
      this.objectLambdaAccessPointAlias = origin.objectLambdaAccessPoint.alias;
    } else {
      this.functionUrl = origin.functionUrl.functionUrl;
    }
  }

  /** S3 Object Lambda: the bucket delegates reads to the supporting access point; the resizer answers the OLAP. */
  private objectLambdaOrigin(bucket: OriginalsBucket, resizer: ResizerFunction, prefix: string): ObjectLambdaOrigin {
    const origin = new ObjectLambdaOrigin(this, "object-lambda", {
      namePrefix: prefix,
      bucketName: bucket.bucketName,
      functionArn: resizer.function.arn,
      functionName: resizer.function.functionName,
    });
    bucket.attachPolicy(bucketPolicyForAccessPoint({
      bucketArn: bucket.bucketArn,
      accountId: origin.accessPoint.accountId,
      accessPointArn: origin.accessPoint.arn,
    }));
    resizer.grant(resizerObjectLambdaPolicy({
      logGroupArn: resizer.logGroup.arn,
      objectLambdaAccessPointArn: origin.objectLambdaAccessPoint.arn,
    }));
    return origin;
  }

  /** Function URL: the resizer reads the bucket itself, and only it may. */
  private functionUrlOrigin(bucket: OriginalsBucket, resizer: ResizerFunction): FunctionUrlOrigin {
    const origin = new FunctionUrlOrigin(this, "function-url", { functionName: resizer.function.functionName });
    bucket.attachPolicy(bucketPolicyForResizerRole({ bucketArn: bucket.bucketArn, roleArn: resizer.role.arn }));
    resizer.grant(resizerFunctionUrlPolicy({ logGroupArn: resizer.logGroup.arn, bucketArn: bucket.bucketArn }));
    return origin;
  }
}
