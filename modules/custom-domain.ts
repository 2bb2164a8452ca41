import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { DomainProps } from "./props";

/** CloudFront only uses ACM certificates from this region. */
export const CLOUDFRONT_CERTIFICATE_REGION = "us-east-1";

/**
 * A custom domain: a DNS-validated certificate in us-east-1 (unless one is given) and, after the
 * distribution exists, A and AAAA alias records for every name.
 */
export class CustomDomain extends Construct {
  /** The certificate ARN to serve, available only once the certificate is validated. */
  readonly certificateArn: string;
  private readonly names: string[];
  private readonly hostedZoneId?: string;

  constructor(scope: Construct, id: string, props: DomainProps & { names: string[]; tags: Record<string, string> | undefined }) {
    super(scope, id);
    this.names = props.names;
    this.hostedZoneId = props.hostedZoneId;
    if (props.certificateArn !== undefined) {
      this.certificateArn = props.certificateArn;
      return;
    }
    // Either the caller's aliased us-east-1 provider, or AWS provider 6's resource-level region.
    const placement = props.certificateProvider ? { provider: props.certificateProvider } : { region: CLOUDFRONT_CERTIFICATE_REGION };
    const certificate = new AcmCertificate(this, "certificate", {
      ...placement,
      domainName: props.names[0],
      subjectAlternativeNames: props.names.length > 1 ? props.names.slice(1) : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "EC_prime256v1",
      lifecycle: { createBeforeDestroy: true },
      tags: props.tags,
    });
    const option = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
    const validationRecords = new Route53Record(this, "validation", {
      forEach: option,
      zoneId: props.hostedZoneId as string,
      name: option.getString("resource_record_name"),
      type: option.getString("resource_record_type"),
      records: [option.getString("resource_record_value")],
      ttl: 60,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "validated", {
      ...placement,
      certificateArn: certificate.arn,
      validationRecordFqdns: Token.asList(`\${[for record in ${validationRecords.fqn} : record.fqdn]}`),
    });
    this.certificateArn = validation.certificateArn;
  }

  /** A and AAAA alias records of every name, pointing at the distribution (when a hosted zone is given). */
  pointAt(distribution: { domainName: string; hostedZoneId: string }): void {
    if (this.hostedZoneId === undefined) return;
    this.names.forEach((name, index) => {
      for (const type of ["A", "AAAA"]) {
        new Route53Record(this, `alias-${index}-${type.toLowerCase()}`, {
          zoneId: this.hostedZoneId as string,
          name,
          type,
          alias: { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
        });
      }
    });
  }
}
