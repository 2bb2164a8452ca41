import { Construct } from "constructs";
import { Fn } from "cdktf";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";

/**
 * The function URL path, for accounts that cannot use S3 Object Lambda: an IAM-authenticated function
 * URL that only CloudFront (through its OAC of type lambda) may invoke.
 */
export class FunctionUrlOrigin extends Construct {
  readonly functionUrl: LambdaFunctionUrl;
  /** The function URL's host name, e.g. `abc123.lambda-url.eu-west-1.on.aws`. */
  readonly originDomainName: string;
  private readonly functionName: string;

  constructor(scope: Construct, id: string, props: { functionName: string }) {
    super(scope, id);
    this.functionName = props.functionName;
    this.functionUrl = new LambdaFunctionUrl(this, "url", {
      functionName: props.functionName,
      authorizationType: "AWS_IAM",
      // Streamed (Lambda developer guide, "Response streaming"): up to 200 MB per response instead of a
      // buffered 6 MB payload; the resizer's handler is wrapped with awslambda.streamifyResponse.
      invokeMode: "RESPONSE_STREAM",
    });
    // function_url is "https://<host>/": CloudFront wants the host alone.
    this.originDomainName = Fn.element(Fn.split("/", this.functionUrl.functionUrl), 2) as string;
  }

  /**
   * Lets this distribution, and nothing else, call the URL. Function URLs created since October 2025
   * need lambda:InvokeFunction besides lambda:InvokeFunctionUrl; the InvokeFunction grant is scoped to
   * calls made through the function URL (condition lambda:InvokedViaFunctionUrl), so the distribution's
   * identity cannot invoke the function by any other path.
   */
  authorize(distributionArn: string): void {
    new LambdaPermission(this, "cloudfront-invoke-url", {
      statementId: "AllowCloudFrontInvokeFunctionUrl",
      action: "lambda:InvokeFunctionUrl",
      functionName: this.functionName,
      functionUrlAuthType: "AWS_IAM",
      principal: "cloudfront.amazonaws.com",
      sourceArn: distributionArn,
    });
    const invoke = new LambdaPermission(this, "cloudfront-invoke", {
      statementId: "AllowCloudFrontInvokeFunctionViaUrl",
      action: "lambda:InvokeFunction",
      functionName: this.functionName,
      principal: "cloudfront.amazonaws.com",
      sourceArn: distributionArn,
    });
    // Not in the prebuilt bindings (hashicorp/aws 6.25); ImageCdn raises the provider constraint to match.
    invoke.addOverride("invoked_via_function_url", true);
  }
}
