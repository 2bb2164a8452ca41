import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { DomainProps } from "./props";

/** CloudFront only uses ACM certificates from this region. */
export const CLOUDFRONT_CERTIFICATE_REGION = "us-east-1";

/**
 * The names that need their own validation record. ACM gives `*.example.com` the same record as
 * `example.com` (ACM user guide, "DNS validation"): with both, only the apex gets one, so that no two
 * record instances of the stack manage the same DNS record.
 */
export function validationNames(names: readonly string[]): string[] {
  return names.filter((name) => !(name.startsWith("*.") && names.includes(name.slice(2))));
}

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
    // for_each over the configured names, known at synth: domain_validation_options is unknown until the
    // certificate exists, so Terraform refuses it as a for_each key with two or more names ("Invalid
    // for_each argument", hashicorp/terraform#31074). Each record looks its own option up by name.
    const name = TerraformIterator.fromList(validationNames(props.names));
    const option = (attribute: string): string => Token.asString(
      `\${one([for option in ${certificate.fqn}.domain_validation_options : option.${attribute} if option.domain_name == each.key])}`,
    );
    const validationRecords = new Route53Record(this, "validation", {
      forEach: name,
      zoneId: props.hostedZoneId as string,
      name: option("resource_record_name"),
      type: option("resource_record_type"),
      records: [option("resource_record_value")],
      ttl: 60,
      // ACM reuses a name's validation record across certificates: take it over if it is already there.
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "validated", {
      ...placement,
      certificateArn: certificate.arn,
      validationRecordFqdns: Token.asList(`\${[for record in ${validationRecords.fqn} : record.fqdn]}`),
    });
    this.certificateArn = validation.certificateArn;
  }

  /**
   * A and AAAA alias records of every name, pointing at the distribution (when a hosted zone is given).
   * Keyed by name, not position: reordering `domain.names` replaces no record.
   */
  pointAt(distribution: { domainName: string; hostedZoneId: string }): void {
    if (this.hostedZoneId === undefined) return;
    for (const type of ["A", "AAAA"]) {
      const name = TerraformIterator.fromList(this.names);
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        forEach: name,
        zoneId: this.hostedZoneId,
        name: name.value as string,
        type,
        alias: { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
      });
    }
  }
}
