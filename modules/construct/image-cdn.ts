import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import type { CloudfrontCachePolicy } from "@cdktf/provider-aws/lib/cloudfront-cache-policy";
import type { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import type { CloudfrontFunction } from "@cdktf/provider-aws/lib/cloudfront-function";
import type { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { CdnDistribution } from "./cdn-distribution";
import { CustomDomain } from "./custom-domain";
import { FunctionUrlOrigin } from "./function-url-origin";
import { ObjectLambdaOrigin } from "./object-lambda-origin";
import { Monitoring } from "./monitoring";
import { PurgeOnChange } from "./purge-on-change";
import { OriginalsBucket } from "./originals-bucket";
import { defaultResourcePrefix, providerRegion, regionExpression, stackRegion } from "./naming";
import {
  accessPointDelegation,
  bucketPolicy,
  cloudFrontReadsOriginals,
  kmsKeyPolicyStatements,
  policyJson,
  resizerFunctionUrlPolicy,
  resizerObjectLambdaPolicy,
  resizerReadsOriginals,
  type PolicyStatement,
} from "./policies";
import type { ImageCdnProps } from "./props";
import { ResizerFunction } from "./resizer-function";
import { ImageCdnPropError, resolveImageCdnProps } from "./validate-props";

/**
 * The lowest hashicorp/aws version the synthesized configuration needs: `invoked_via_function_url` on
 * aws_lambda_permission came in 6.28.0 (provider CHANGELOG). The prebuilt bindings are 6.25, whose
 * constraint (`~> 6.0`) would let `terraform init` pick a provider that rejects the argument.
 */
export const AWS_PROVIDER_CONSTRAINT = "~> 6.28";

/**
 * Serves resized variants of the images in a private S3 bucket through CloudFront.
 * `GET /<key>?w=&h=&fit=&format=&q=`; see the README for the URL contract.
 */
export class ImageCdn extends Construct {
  /**
   * The main resources, as aws-cdk's L2 constructs expose theirs: for overrides and references without
   * `node.findChild`, e.g. `images.distribution.addOverride("comment", "images for the shop")`.
   */
  readonly distribution: CloudfrontDistribution;
  readonly cachePolicy: CloudfrontCachePolicy;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  readonly viewerRequestFunction: CloudfrontFunction;
  readonly resizerFunction: LambdaFunction;
  readonly resizerRole: IamRole;
  /** The originals bucket, when this stack creates it (undefined with `bucket.existingBucketName`). */
  readonly bucket?: S3Bucket;
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
  /** With `domain`: the host names the distribution serves. */
  readonly domainNames?: string[];
  /** With `domain`: the ACM certificate (us-east-1) the distribution serves them with. */
  readonly certificateArn?: string;
  /**
   * An existing bucket whose policy the kit does not manage (`managePolicy: false`): the statements (JSON array)
   * its owner must add to the bucket policy, with this deployment's ARNs (the delegation to the access point in
   * object-lambda mode, CloudFront's read of originals when they are served).
   */
  readonly bucketPolicyStatements?: string;
  /**
   * With `bucket.kmsKeyArn`: the statements (JSON array) the key's owner adds to its key policy, with this
   * deployment's ARNs (the kit never writes a key policy).
   */
  readonly kmsKeyPolicyStatements?: string;
  /** With signing: the KeyValueStore to put the signing keys in. */
  readonly signingKeyValueStoreArn?: string;
  /** With purgeOnChange: the rule, queues and function that invalidate changed originals' variants. */
  readonly purge?: PurgeOnChange;
  /** Unless `monitoring: false`: the dashboard, the alarms and their topics. */
  readonly monitoring?: Monitoring;

  constructor(scope: Construct, id: string, props: ImageCdnProps = {}) {
    super(scope, id);
    const p = resolveImageCdnProps(props);
    const prefix = p.resourcePrefix ?? defaultResourcePrefix(this);
    if (p.bucket.kind === "existing" && p.bucket.managePolicy === undefined && (p.origin === "object-lambda" || p.originals === "serve")) {
      throw bucketPolicyChoiceRequired(p.bucket.name, p.origin === "object-lambda" ? `${prefix}-ap` : undefined, p.originals === "serve", providerRegion(this));
    }
    TerraformStack.of(this).addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT);

    const bucket = new OriginalsBucket(this, "originals", { bucket: p.bucket, tags: p.tags, regionExpression: () => regionExpression(this) });
    const resizer = new ResizerFunction(this, "resizer", {
      ...p,
      functionName: p.resizer.functionName ?? `${prefix}-resizer`,
      roleNamePrefix: `${prefix}-`,
      originBucketName: p.origin === "function-url" ? bucket.bucketName : undefined,
    });
    const origin = p.origin === "function-url"
      ? this.functionUrlOrigin(bucket, resizer, p.bucket.kmsKeyArn)
      : this.objectLambdaOrigin(bucket, resizer, prefix);

    const domain = p.domain ? new CustomDomain(this, "domain", { ...p.domain, tags: p.tags }) : undefined;
    const cdn = new CdnDistribution(this, "cdn", {
      ...p,
      namePrefix: prefix,
      originDomainName: origin.originDomainName,
      originType: p.origin === "function-url" ? "lambda" : "s3",
      originalsDomainName: p.originals === "serve" ? bucket.bucketRegionalDomainName : undefined,
      aliases: domain && p.domain ? { names: p.domain.names, certificateArn: domain.certificateArn } : undefined,
    });
    origin.authorize(cdn.distribution.arn);
    domain?.pointAt(cdn.distribution);

    // The bucket policy: what the origin mode needs, and CloudFront's read of originals for this distribution.
    const originalsGrant = p.originals === "serve" ? [cloudFrontReadsOriginals({ bucketArn: bucket.bucketArn, distributionArn: cdn.distribution.arn })] : [];
    const ownerMustAdd: PolicyStatement[] = origin instanceof ObjectLambdaOrigin
      ? [...accessPointDelegation({ bucketArn: bucket.bucketArn, accountId: origin.accessPoint.accountId, accessPointArn: origin.accessPoint.arn }), ...originalsGrant]
      : originalsGrant;
    const resizerGrant = origin instanceof ObjectLambdaOrigin ? [] : [resizerReadsOriginals({ bucketArn: bucket.bucketArn, roleArn: resizer.role.arn })];
    bucket.attachPolicy(bucketPolicy(bucket.bucketArn, [...resizerGrant, ...ownerMustAdd]));
    if (p.bucket.kind === "existing" && !p.bucket.managePolicy && ownerMustAdd.length > 0) {
      this.bucketPolicyStatements = policyJson(this, ownerMustAdd);
    }
    if (p.bucket.kmsKeyArn !== undefined) {
      this.kmsKeyPolicyStatements = policyJson(this, kmsKeyPolicyStatements({
        distributionArn: p.originals === "serve" ? cdn.distribution.arn : undefined,
        roleArn: resizer.role.arn,
        region: stackRegion(this),
      }));
    }

    this.purge = p.purgeOnChange && new PurgeOnChange(this, "purge", {
      namePrefix: prefix,
      bucketName: bucket.bucketName,
      manageBucketNotifications: p.bucket.kind !== "existing",
      distributionId: cdn.distribution.id,
      distributionArn: cdn.distribution.arn,
      batchWindowSeconds: p.purgeOnChange.batchWindowSeconds,
      metrics: p.monitoring !== undefined,
      logRetentionDays: p.resizer.logRetentionDays,
      tags: p.tags,
    });

    this.monitoring = p.monitoring && new Monitoring(this, "monitoring", {
      namePrefix: prefix,
      deployment: {
        distributionId: cdn.distribution.id,
        edgeFunctionName: cdn.viewerRequestFunction.name,
        resizerFunctionName: resizer.function.functionName,
        originMode: p.origin,
        resizerTimeoutSeconds: p.resizer.timeout,
        reservedConcurrency: p.resizer.reservedConcurrency,
        region: stackRegion(this),
        purge: this.purge ? { queueName: this.purge.queue.name, deadLetterQueueName: this.purge.deadLetterQueue.name, functionName: this.purge.function.functionName } : undefined,
        additionalMetrics: p.monitoring.cloudfrontAdditionalMetrics,
      },
      thresholds: p.monitoring.thresholds,
      alarmTopicArns: p.monitoring.alarmTopicArns,
      alarmEmail: p.monitoring.alarmEmail,
      tags: p.tags,
      resizerLogGroupName: resizer.logGroup.name,
      distributionArn: cdn.distribution.arn,
      accessLogs: p.monitoring.accessLogs,
    });

    this.distribution = cdn.distribution;
    this.cachePolicy = cdn.cachePolicy;
    this.responseHeadersPolicy = cdn.responseHeadersPolicy;
    this.viewerRequestFunction = cdn.viewerRequestFunction;
    this.resizerFunction = resizer.function;
    this.resizerRole = resizer.role;
    this.bucket = bucket.bucket;
    this.distributionDomainName = cdn.distribution.domainName;
    this.distributionId = cdn.distribution.id;
    this.distributionArn = cdn.distribution.arn;
    this.signingKeyValueStoreArn = cdn.signingKeys?.arn;
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.functionName = resizer.function.functionName;
    this.domainNames = p.domain?.names;
    this.certificateArn = domain?.certificateArn;
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
    resizer.grant(resizerObjectLambdaPolicy({
      logGroupArn: resizer.logGroup.arn,
      objectLambdaAccessPointArn: origin.objectLambdaAccessPoint.arn,
    }));
    return origin;
  }

  /** Function URL: the resizer reads the bucket itself (and decrypts through S3 with an SSE-KMS bucket's key). */
  private functionUrlOrigin(bucket: OriginalsBucket, resizer: ResizerFunction, kmsKeyArn: string | undefined): FunctionUrlOrigin {
    const origin = new FunctionUrlOrigin(this, "function-url", { functionName: resizer.function.functionName });
    const kms = kmsKeyArn === undefined ? undefined : { keyArn: kmsKeyArn, region: stackRegion(this) };
    resizer.grant(resizerFunctionUrlPolicy({ logGroupArn: resizer.logGroup.arn, bucketArn: bucket.bucketArn, kms }));
    return origin;
  }
}

/**
 * An existing bucket must grant what the kit needs: the delegation to the kit's access point (object-lambda; S3
 * checks both the access point and the bucket policy) and CloudFront's read of originals (when served). The kit
 * will not silently replace someone's bucket policy, so the user decides; the message holds the statements to
 * add, with what is unknown at synth written as placeholders.
 */
function bucketPolicyChoiceRequired(bucketName: string, accessPointName: string | undefined, originals: boolean, region: string | undefined): ImageCdnPropError {
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  const statements = [
    ...(accessPointName === undefined ? [] : accessPointDelegation({
      bucketArn,
      accountId: "<ACCOUNT_ID>",
      accessPointArn: `arn:aws:s3:${region ?? "<REGION>"}:<ACCOUNT_ID>:accesspoint/${accessPointName}`,
    })),
    ...(originals ? [cloudFrontReadsOriginals({ bucketArn, distributionArn: "arn:aws:cloudfront::<ACCOUNT_ID>:distribution/<DISTRIBUTION_ID>" })] : []),
  ];
  return new ImageCdnPropError(
    "bucket.managePolicy",
    undefined,
    "true (the kit writes the bucket's whole policy, replacing the current one), or false once the bucket's " +
      `own policy has these statements (the bucket_policy_statements output repeats them with this deployment's ARNs)` +
      `${originals ? ", or originals: \"deny\" to serve variants only" : ""}: ${JSON.stringify(statements)}`,
  );
}
