import { Construct } from "constructs";
import { CloudfrontCachePolicy } from "@cdktf/provider-aws/lib/cloudfront-cache-policy";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontFunction } from "@cdktf/provider-aws/lib/cloudfront-function";
import { CloudfrontKeyValueStore } from "@cdktf/provider-aws/lib/cloudfront-key-value-store";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER } from "../../lambda-src/core/contract";
import { allowedMethods, ORIGINALS_ORIGIN_ID, RESIZER_ORIGIN_ID, VIEWER_RESPONSE_CODE, viewerRequestFunctionCode } from "../edge/viewer-request-function";
import type { ResolvedProps } from "./validate-props";
import { CACHEABLE_ERROR_CODES, CONTENT_SECURITY_POLICY, CORS_EXPOSE_HEADERS, HSTS_MAX_AGE_SECONDS } from "./response-headers";

/**
 * The resolved props the distribution reads, as they are (`resizer` for its config, which the edge function is made
 * from, and its timeout, which CloudFront waits for the function URL), and how the parts are wired together.
 */
export type CdnDistributionProps = Pick<
  ResolvedProps,
  "resizer" | "cache" | "cors" | "priceClass" | "geoRestriction" | "logging" | "webAclId" | "presets" | "onlyPresets" | "signing" | "originShieldRegion" | "tags"
> & {
  readonly namePrefix: string;
  readonly originDomainName: string;
  readonly originType: "s3" | "lambda";
  /** The bucket's regional domain name, when originals are served from it; undefined: refused at the edge. */
  readonly originalsDomainName?: string;
  /** Custom domain: host names and the validated us-east-1 certificate. */
  readonly aliases?: { names: string[]; certificateArn: string };
};

/** CloudFront in front of the resizer: OAC, the normalizing edge function, the variant cache policy, headers. */
export class CdnDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly cachePolicy: CloudfrontCachePolicy;
  /** The resizer origin's OAC (type lambda, or s3 for the Object Lambda access point). */
  readonly originAccessControl: CloudfrontOriginAccessControl;
  /** The originals origin's OAC (type s3): the resizer's own in object-lambda mode. */
  readonly originalsAccessControl?: CloudfrontOriginAccessControl;
  readonly viewerRequestFunction: CloudfrontFunction;
  /** Object-lambda origin only. */
  readonly viewerResponseFunction?: CloudfrontFunction;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  /** With signing: holds the signing keys, read by the viewer-request function. */
  readonly signingKeys?: CloudfrontKeyValueStore;

  constructor(scope: Construct, id: string, props: CdnDistributionProps) {
    super(scope, id);
    this.originAccessControl = new CloudfrontOriginAccessControl(this, "oac", {
      name: `${props.namePrefix}-${props.originType}`,
      description: "CloudFront signs every origin request (SigV4)",
      originAccessControlOriginType: props.originType,
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    if (props.originalsDomainName !== undefined) {
      this.originalsAccessControl = props.originType === "s3" ? this.originAccessControl : new CloudfrontOriginAccessControl(this, "originals-oac", {
        name: `${props.namePrefix}-s3`,
        description: "CloudFront signs every request for an original (SigV4)",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      });
    }
    if (props.signing) {
      // Made empty: the keys are written with the KeyValueStore API after apply, so no secret enters the state.
      this.signingKeys = new CloudfrontKeyValueStore(this, "signing-keys", {
        name: `${props.namePrefix}-signing-keys`,
        comment: "URL signing secrets, slots signing-key-1 and signing-key-2",
      });
    }
    this.viewerRequestFunction = new CloudfrontFunction(this, "normalize", {
      name: `${props.namePrefix}-normalize`,
      comment: "Normalizes resize parameters and Accept before the cache lookup",
      runtime: "cloudfront-js-2.0",
      publish: true,
      code: viewerRequestFunctionCode(props.resizer.config, {
        ...props,
        originalsOriginId: props.originalsDomainName === undefined ? undefined : ORIGINALS_ORIGIN_ID,
      }),
      keyValueStoreAssociations: this.signingKeys ? [this.signingKeys.arn] : undefined,
    });
    if (props.originType === "s3") {
      this.viewerResponseFunction = new CloudfrontFunction(this, "restore-headers", {
        name: `${props.namePrefix}-restore-headers`,
        comment: "Turns x-amz-meta-vary and x-amz-meta-server-timing back into Vary and Server-Timing",
        runtime: "cloudfront-js-2.0",
        publish: true,
        code: VIEWER_RESPONSE_CODE,
      });
    }
    this.cachePolicy = new CloudfrontCachePolicy(this, "variants", {
      name: `${props.namePrefix}-variants`,
      comment: "Keyed on the normalized resize parameters and Accept token only (headers set by the edge function)",
      minTtl: props.cache.minTtl,
      defaultTtl: props.cache.defaultTtl,
      maxTtl: props.cache.maxTtl,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: "none" },
        // Values in the cache key are what CloudFront forwards to the origin ("Controlling the cache key"):
        // the two headers, and no query string, so the origin never parses a URL for parameters.
        headersConfig: { headerBehavior: "whitelist", headers: { items: [RESIZE_ACCEPT_HEADER, RESIZE_PARAMS_HEADER] } },
        queryStringsConfig: { queryStringBehavior: "none" },
        // Images are compressed already; gzip/brotli variants would only split the cache.
        enableAcceptEncodingGzip: false,
        enableAcceptEncodingBrotli: false,
      },
    });
    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, "headers", {
      name: `${props.namePrefix}-headers`,
      comment: props.cors ? "CORS for the configured origins, nosniff, sandboxing CSP" : "nosniff, sandboxing CSP",
      securityHeadersConfig: {
        contentTypeOptions: { override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: { accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, includeSubdomains: false, override: true },
      },
      corsConfig: props.cors ? {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: { items: ["*"] },
        accessControlAllowMethods: { items: ["GET", "HEAD"] },
        accessControlAllowOrigins: { items: props.cors.allowedOrigins },
        accessControlExposeHeaders: { items: [...CORS_EXPOSE_HEADERS] },
        accessControlMaxAgeSec: props.cors.maxAgeSeconds,
        originOverride: true,
      } : undefined,
    });
    const originShield = props.originShieldRegion ? { originShield: { enabled: true, originShieldRegion: props.originShieldRegion } } : {};
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${props.namePrefix} image CDN`,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: props.priceClass,
      aliases: props.aliases?.names,
      origin: [{
        originId: RESIZER_ORIGIN_ID,
        domainName: props.originDomainName,
        originAccessControlId: this.originAccessControl.id,
        // CloudFront retries a GET whose response times out as many times as this allows ("Origin settings",
        // Connection attempts and Response timeout), and a streamed invocation is neither stopped nor refunded when
        // CloudFront goes away (Lambda developer guide, "Response streaming"): one attempt, so a slow variant is one
        // paid invocation (AWS's Dynamic Image Transformation sets 1 on its resizer origin too).
        connectionAttempts: 1,
        ...originShield,
        ...(props.originType === "lambda"
          ? {
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: "https-only",
              originSslProtocols: ["TLSv1.2"],
              // The function answers (504 included) before its own timeout: CloudFront's wait for a response,
              // and between the packets of a streamed one, matches it (default 30 s would outlast a 10 s function).
              originReadTimeout: props.resizer.timeout,
              originKeepaliveTimeout: 5,
            },
          }
          : {}),
      }, ...(this.originalsAccessControl && props.originalsDomainName !== undefined ? [{
        // The bucket itself, for requests without resize parameters (the viewer-request function selects it).
        originId: ORIGINALS_ORIGIN_ID,
        domainName: props.originalsDomainName,
        originAccessControlId: this.originalsAccessControl.id,
        ...originShield,
      }] : [])],
      defaultCacheBehavior: {
        targetOriginId: RESIZER_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: allowedMethods(props.cors !== undefined),
        cachedMethods: ["GET", "HEAD"],
        compress: false,
        cachePolicyId: this.cachePolicy.id,
        responseHeadersPolicyId: this.responseHeadersPolicy.id,
        functionAssociation: [
          { eventType: "viewer-request", functionArn: this.viewerRequestFunction.arn },
          ...(this.viewerResponseFunction ? [{ eventType: "viewer-response", functionArn: this.viewerResponseFunction.arn }] : []),
        ],
      },
      customErrorResponse: CACHEABLE_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: props.cache.errorTtl })),
      restrictions: {
        geoRestriction: { restrictionType: props.geoRestriction.type, locations: props.geoRestriction.locations },
      },
      viewerCertificate: props.aliases
        ? { acmCertificateArn: props.aliases.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
        : { cloudfrontDefaultCertificate: true },
      webAclId: props.webAclId,
      loggingConfig: props.logging ? { bucket: props.logging.bucketDomainName, prefix: props.logging.prefix, includeCookies: false } : undefined,
      tags: props.tags,
    });
  }
}
