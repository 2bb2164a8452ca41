import { Construct } from "constructs";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { S3ControlAccessPointPolicy } from "@cdktf/provider-aws/lib/s3control-access-point-policy";
import { S3ControlObjectLambdaAccessPoint } from "@cdktf/provider-aws/lib/s3control-object-lambda-access-point";
import { S3ControlObjectLambdaAccessPointPolicy } from "@cdktf/provider-aws/lib/s3control-object-lambda-access-point-policy";
import { objectLambdaAccessPointPolicy, policyJson, supportingAccessPointPolicy } from "./policies";

export interface ObjectLambdaOriginProps {
  readonly namePrefix: string;
  readonly bucketName: string;
  readonly functionArn: string;
  readonly functionName: string;
}

/**
 * The S3 Object Lambda path: a supporting access point on the bucket and an Object Lambda access point
 * that runs the resizer on every GET. `authorize` locks both to one CloudFront distribution.
 */
export class ObjectLambdaOrigin extends Construct {
  readonly accessPoint: S3AccessPoint;
  readonly objectLambdaAccessPoint: S3ControlObjectLambdaAccessPoint;
  /** The origin domain CloudFront signs for: `<olap alias>.s3.<region>.amazonaws.com`. */
  readonly originDomainName: string;
  private readonly functionName: string;

  constructor(scope: Construct, id: string, props: ObjectLambdaOriginProps) {
    super(scope, id);
    this.functionName = props.functionName;
    this.accessPoint = new S3AccessPoint(this, "access-point", {
      name: `${props.namePrefix}-ap`,
      bucket: props.bucketName,
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    });
    new S3ControlAccessPointPolicy(this, "access-point-policy", {
      accessPointArn: this.accessPoint.arn,
      policy: policyJson(this, supportingAccessPointPolicy({ accessPointArn: this.accessPoint.arn })),
    });
    this.objectLambdaAccessPoint = new S3ControlObjectLambdaAccessPoint(this, "object-lambda-access-point", {
      name: `${props.namePrefix}-olap`,
      configuration: {
        supportingAccessPoint: this.accessPoint.arn,
        cloudWatchMetricsEnabled: true,
        transformationConfiguration: [{
          // HeadObject too, or a HEAD would describe the original instead of the variant.
          actions: ["GetObject", "HeadObject"],
          contentTransformation: { awsLambda: { functionArn: props.functionArn } },
        }],
      },
    });
    this.originDomainName = `${this.objectLambdaAccessPoint.alias}.s3.${this.objectLambdaAccessPoint.region}.amazonaws.com`;
  }

  /** Lets this distribution, and nothing else, GET through the Object Lambda access point and invoke the resizer. */
  authorize(distributionArn: string): void {
    new S3ControlObjectLambdaAccessPointPolicy(this, "object-lambda-access-point-policy", {
      name: this.objectLambdaAccessPoint.name,
      policy: policyJson(this, objectLambdaAccessPointPolicy({
        objectLambdaAccessPointArn: this.objectLambdaAccessPoint.arn,
        distributionArn,
      })),
    });
    // S3 Object Lambda invokes the function with the caller's (CloudFront's) credentials. No aws:SourceArn
    // condition here: the IAM guide documents aws:SourceArn for calls a service principal makes directly, and this
    // call is S3 Object Lambda's on CloudFront's behalf; AWS's configuration shown to work (CloudFront developer
    // guide, "Use Amazon S3 Object Lambda"; Dynamic Image Transformation's s3-object-lambda-architecture.ts) grants
    // CloudFront without a condition. The distribution is pinned where the request enters: the Object Lambda access
    // point's policy above (aws:SourceArn, which OAC's own request carries), and only through Object Lambda may
    // CloudFront use the supporting access point (aws:CalledVia). The permission lets CloudFront invoke nothing but
    // this function, whose only input is what Object Lambda hands it.
    new LambdaPermission(this, "cloudfront-invoke", {
      statementId: "AllowCloudFrontViaObjectLambda",
      action: "lambda:InvokeFunction",
      functionName: this.functionName,
      principal: "cloudfront.amazonaws.com",
    });
  }
}
