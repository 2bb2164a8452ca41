import { Testing, TerraformStack } from "cdktf";
import { ImageCdn, ImageCdnPropError, type ImageCdnProps } from "../modules";
import { resolveImageCdnProps } from "../modules/construct/validate-props";
import { PARAMETER_NAMES } from "../lambda-src/core/contract";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";

// Each wrong prop: the error names the prop, shows the value, and says what is allowed.
const cases: [string, ImageCdnProps, RegExp][] = [
  ["origin", { origin: "s3-website" as never }, /invalid origin: got "s3-website"; allowed: "function-url", "object-lambda"/],
  ["bucket: two kinds", { bucket: { name: "a-bucket", namePrefix: "images-" } }, /invalid bucket: .*allowed: exactly one of bucket.namePrefix, bucket.name, bucket.existingBucketName/],
  ["bucket.name: capitals", { bucket: { name: "My_Bucket" } }, /invalid bucket.name: got "My_Bucket"; allowed: 3-63 characters of a-z/],
  ["bucket.name: too short", { bucket: { name: "ab" } }, /invalid bucket.name: got "ab"/],
  ["bucket.name: IP address", { bucket: { name: "192.168.1.1" } }, /invalid bucket.name: got "192.168.1.1"/],
  ["bucket.name: reserved suffix", { bucket: { name: "photos-s3alias" } }, /invalid bucket.name: got "photos-s3alias".*-s3alias/],
  ["bucket.name: double dot", { bucket: { name: "a..b" } }, /invalid bucket.name: got "a..b"/],
  ["bucket.namePrefix: too long", { bucket: { namePrefix: "x".repeat(38) } }, /invalid bucket.namePrefix: .*1-37 characters/],
  ["bucket.versioning on an existing bucket", { bucket: { existingBucketName: "legacy", versioning: true } }, /invalid bucket.versioning: got true; allowed: unset with bucket.existingBucketName/],
  ["bucket.managePolicy on a managed bucket", { bucket: { namePrefix: "images-", managePolicy: true } }, /invalid bucket.managePolicy: got true; allowed: only with bucket.existingBucketName/],
  ["bucket.uploadCors origin", { bucket: { namePrefix: "i-", uploadCors: { allowedOrigins: ["app.example.com"] } } }, /invalid bucket.uploadCors.allowedOrigins\[0\]: got "app.example.com"/],
  ["bucket.managePolicy: not a boolean", { bucket: { existingBucketName: "legacy", managePolicy: "yes" as never } }, /invalid bucket.managePolicy: got "yes"; allowed: true or false/],
  ["resizer.reservedConcurrency: zero", { resizer: { reservedConcurrency: 0 } }, /invalid resizer.reservedConcurrency: got 0; allowed: an integer from 1 to 10000 concurrent executions/],
  ["webAclId: a WAF Classic id", { webAclId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" }, /invalid webAclId: got "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"; allowed: the ARN of a WAFv2 web ACL with scope CLOUDFRONT/],
  ["webAclId: a regional web ACL", { webAclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/images/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" }, /invalid webAclId: .*scope CLOUDFRONT/],
  ["presets: a bad name", { presets: { "Big Thumb": { w: 150 } } }, /invalid presets: got "Big Thumb"; allowed: preset names of 1-32 characters/],
  ["presets: a width over maxWidth", { presets: { huge: { w: 9000 } } }, /invalid presets\.huge: got \{"w":9000\}; allowed: w must be an integer from 1 to 4096$/],
  ["presets: outside the allow-list", { resizer: { allowedWidths: [150] }, presets: { mid: { w: 300 } } }, /invalid presets\.mid: .*allowed: w must be one of 150$/],
  ["presets: an unknown field", { presets: { odd: { width: 100 } as never } }, new RegExp(`invalid presets\\.odd: .*allowed: an object of ${PARAMETER_NAMES.join(", ")}`)],
  ["clientHints: not a boolean or object", { clientHints: "yes" as never }, /invalid clientHints: got "yes"; allowed: true, false or \{ widths, fallbackWidth \}/],
  ["clientHints: an unknown field", { clientHints: { ladder: [100] } as never }, /invalid clientHints: .*allowed: true, false or \{ widths, fallbackWidth \}/],
  ["clientHints.widths: over maxWidth", { resizer: { maxWidth: 1000 }, clientHints: { widths: [500, 2000] } }, /invalid clientHints.widths\[1\]: got 2000; allowed: an integer from 1 to 1000/],
  ["clientHints.widths: empty", { clientHints: { widths: [] } }, /invalid clientHints.widths: got \[\]; allowed: a non-empty list/],
  ["clientHints.widths: outside the allow-list", { resizer: { allowedWidths: [320, 640] }, clientHints: { widths: [320, 500] } }, /invalid clientHints.widths: .*allowed: widths in resizer.allowedWidths \(320, 640\); not 500/],
  ["clientHints.fallbackWidth: off the ladder", { clientHints: { widths: [320, 640], fallbackWidth: 500 } }, /invalid clientHints.fallbackWidth: got 500; allowed: one of the ladder's widths: 320, 640/],
  ["presets: w=auto without clientHints", { presets: { hero: { w: "auto" } } }, /invalid presets.hero.w: got "auto"; allowed: a width in pixels; "auto" only with clientHints/],
  ["onlyPresets without presets", { onlyPresets: true }, /invalid onlyPresets: got true; allowed: true only with at least one preset/],
  ["purgeOnChange: not a boolean or object", { purgeOnChange: "yes" as never }, /invalid purgeOnChange: got "yes"; allowed: true, false or \{ batchWindowSeconds \}/],
  ["purgeOnChange: unknown field", { purgeOnChange: { window: 10 } as never }, /invalid purgeOnChange: got \{"window":10\}; allowed: true, false or \{ batchWindowSeconds \}/],
  ["purgeOnChange.batchWindowSeconds over SQS's 300 s", { purgeOnChange: { batchWindowSeconds: 301 } }, /invalid purgeOnChange.batchWindowSeconds: got 301; allowed: .*1.*300 seconds/],
  ["purgeOnChange.batchWindowSeconds of 0", { purgeOnChange: { batchWindowSeconds: 0 } }, /invalid purgeOnChange.batchWindowSeconds: got 0/],
  ["signing: not a boolean", { signing: "yes" as never }, /invalid signing: got "yes"; allowed: true or false/],
  ["originShieldRegion: not a region", { originShieldRegion: "Frankfurt" }, /invalid originShieldRegion: got "Frankfurt"; allowed: a region CloudFront offers Origin Shield in \(the one nearest the bucket\): us-east-1, us-east-2, /],
  // Shaped like a region, but CloudFront has no regional edge cache there ("Choose the AWS Region for Origin Shield").
  // No "did you mean" for a real region: the Origin Shield region nearest by spelling is not the one nearest the bucket.
  ["originShieldRegion: a region without Origin Shield", { originShieldRegion: "eu-north-1" }, /invalid originShieldRegion: got "eu-north-1"; allowed: a region CloudFront offers Origin Shield in .*, sa-east-1$/],
  ["originShieldRegion: a typo", { originShieldRegion: "us-eats-1" }, /invalid originShieldRegion: got "us-eats-1"; allowed: a region CloudFront offers Origin Shield in .*, sa-east-1; did you mean us-east-1\?$/],
  ["originShieldRegion: a typo of a region without Origin Shield", { originShieldRegion: "eu-nroth-1" }, /invalid originShieldRegion: got "eu-nroth-1"; allowed: .*, sa-east-1$/],
  ["bucket.kmsKeyArn: an alias", { bucket: { namePrefix: "i-", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/images" } }, /invalid bucket\.kmsKeyArn: got "arn:aws:kms:eu-west-1:123456789012:alias\/images"; allowed: a KMS key ARN like .* \(not an alias\)$/],
  // Object Lambda reads as CloudFront on its behalf: no documented key policy condition pins that to one distribution.
  ["bucket.kmsKeyArn with object-lambda", { origin: "object-lambda", bucket: { namePrefix: "i-", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } }, /invalid bucket\.kmsKeyArn: got "arn:aws:kms:eu-west-1:123456789012:key\/1234abcd-12ab-34cd-56ef-1234567890ab"; allowed: unset with origin object-lambda: .*use the function-url origin/],
  ["originals", { originals: "hide" as never }, /invalid originals: got "hide"; allowed: "serve", "deny"$/],
  // An Object Lambda access point is an S3 origin, which CloudFront waits 30 s for (provider issue 44172).
  ["resizer.timeout over 30 s with object-lambda", { origin: "object-lambda", resizer: { timeout: 31 } }, /invalid resizer.timeout: got 31; allowed: an integer from 1 to 30 seconds with origin object-lambda \(CloudFront waits 30 s .*issue 44172\)$/],
  ["resizer.architecture", { resizer: { architecture: "arm" as never } }, /invalid resizer.architecture: got "arm"; allowed: "arm64", "x86_64"/],
  ["resizer.memorySize", { resizer: { memorySize: 64 } }, /invalid resizer.memorySize: got 64; allowed: an integer from 128 to 10240 MB/],
  ["resizer.memorySize: fraction", { resizer: { memorySize: 1024.5 } }, /invalid resizer.memorySize: got 1024.5/],
  ["resizer.timeout", { resizer: { timeout: 120 } }, /invalid resizer.timeout: got 120; allowed: an integer from 1 to 60 seconds/],
  ["resizer.maxWidth", { resizer: { maxWidth: 0 } }, /invalid resizer.maxWidth: got 0; allowed: an integer from 1 to 16383 pixels/],
  ["resizer.maxInputPixels", { resizer: { maxInputPixels: -1 } }, /invalid resizer.maxInputPixels: got -1/],
  ["resizer.allowedWidths over maxWidth", { resizer: { maxWidth: 1000, allowedWidths: [150, 2000] } }, /invalid resizer.allowedWidths\[1\]: got 2000; allowed: an integer from 1 to 1000/],
  ["resizer.allowedWidths empty", { resizer: { allowedWidths: [] } }, /invalid resizer.allowedWidths: got \[\]; allowed: a non-empty list/],
  ["resizer.allowedHeights repeated", { resizer: { allowedHeights: [150, 150] } }, /invalid resizer.allowedHeights: got \[150, 150\]; allowed: a list without repeated values/],
  ["resizer.defaultQuality", { resizer: { defaultQuality: 101 } }, /invalid resizer.defaultQuality: got 101; allowed: an integer from 1 to 100/],
  ["resizer.logRetentionDays", { resizer: { logRetentionDays: 10 } }, /invalid resizer.logRetentionDays: got 10; allowed: one of 1, 3, 5, 7, 14, 30/],
  ["resizer.functionName", { resizer: { functionName: "has space" } }, /invalid resizer.functionName: got "has space"/],
  ["cache: min above default", { cache: { minTtl: 100, defaultTtl: 10 } }, /invalid cache: .*allowed: minTtl <= defaultTtl <= maxTtl/],
  ["cache.errorTtl", { cache: { errorTtl: 3600 } }, /invalid cache.errorTtl: got 3600; allowed: an integer from 0 to 300 seconds/],
  ["cors.allowedOrigins with a path", { cors: { allowedOrigins: ["https://app.example.com/page"] } }, /invalid cors.allowedOrigins\[0\]: got "https:\/\/app.example.com\/page"/],
  ["cors.allowedOrigins star mixed", { cors: { allowedOrigins: ["*", "https://a.example.com"] } }, /invalid cors.allowedOrigins: .*"\*" alone/],
  ["cors.allowedOrigins empty", { cors: { allowedOrigins: [] } }, /invalid cors.allowedOrigins: got \[\]/],
  ["domain without hosted zone", { domain: { names: ["img.example.com"] } }, /invalid domain.hostedZoneId: got undefined; allowed: a Route 53 hosted zone id/],
  ["domain.names empty", { domain: { names: [], hostedZoneId: "Z123" } }, /invalid domain.names: got \[\]/],
  ["domain.names bad host", { domain: { names: ["Img.Example.com"], hostedZoneId: "Z123" } }, /invalid domain.names\[0\]: got "Img.Example.com"; allowed: a lowercase host name/],
  ["domain.hostedZoneId", { domain: { names: ["img.example.com"], hostedZoneId: "zone-1" } }, /invalid domain.hostedZoneId: got "zone-1"/],
  ["domain.certificateArn outside us-east-1", { domain: { names: ["img.example.com"], hostedZoneId: "Z123", certificateArn: CERT.replace("us-east-1", "eu-west-1") } }, /invalid domain.certificateArn: .*us-east-1/],
  ["priceClass", { priceClass: "PriceClass_50" as never }, /invalid priceClass: got "PriceClass_50"; allowed: "PriceClass_100", "PriceClass_200", "PriceClass_All"/],
  ["geoRestriction without locations", { geoRestriction: { type: "whitelist" } }, /invalid geoRestriction.locations: got \[\]; allowed: a non-empty list of ISO 3166-1 alpha-2 codes/],
  ["geoRestriction bad code", { geoRestriction: { type: "blacklist", locations: ["kr"] } }, /invalid geoRestriction.locations\[0\]: got "kr"/],
  ["logging.bucketDomainName", { logging: { bucketDomainName: "logs.example.com" } }, /invalid logging.bucketDomainName: got "logs.example.com"; allowed: an S3 bucket domain name/],
  ["resourcePrefix", { resourcePrefix: "Bad_Prefix" }, /invalid resourcePrefix: got "Bad_Prefix"/],
  ["tags: aws prefix", { tags: { "aws:team": "x" } }, /invalid tags: got "aws:team"/],
];

describe("ImageCdn prop validation", () => {
  it.each(cases)("%s", (_name, props, message) => {
    expect(() => resolveImageCdnProps(props)).toThrow(ImageCdnPropError);
    expect(() => resolveImageCdnProps(props)).toThrow(message);
  });

  it("client hints: the default ladder up to maxWidth and 1080 without hints; the allow-list as the ladder; a given ladder sorted", () => {
    expect(resolveImageCdnProps({}).resizer.config.clientHints).toBeUndefined();
    expect(resolveImageCdnProps({ clientHints: false }).resizer.config.clientHints).toBeUndefined();
    expect(resolveImageCdnProps({ clientHints: true, resizer: { maxWidth: 2000 } }).resizer.config.clientHints).toEqual({ widths: [160, 320, 480, 640, 828, 1080, 1440, 1920], fallbackWidth: 1080 });
    expect(resolveImageCdnProps({ clientHints: true, resizer: { maxWidth: 100 } }).resizer.config.clientHints).toEqual({ widths: [100], fallbackWidth: 100 });
    expect(resolveImageCdnProps({ clientHints: true, resizer: { allowedWidths: [1200, 300, 600] } }).resizer.config.clientHints).toEqual({ widths: [300, 600, 1200], fallbackWidth: 1200 });
    expect(resolveImageCdnProps({ clientHints: { widths: [800, 400], fallbackWidth: 400 } }).resizer.config.clientHints).toEqual({ widths: [400, 800], fallbackWidth: 400 });
    expect(resolveImageCdnProps({ clientHints: true, presets: { hero: { w: "auto", format: "webp" } } }).presets).toEqual({ hero: { w: "auto", format: "webp" } });
  });

  it("fails when the construct is built, before anything is synthesized", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(() => new ImageCdn(stack, "images", { resizer: { memorySize: 64 } })).toThrow(/resizer.memorySize/);
  });

  it("fills in safe defaults", () => {
    const resolved = resolveImageCdnProps({});
    expect(resolved).toMatchObject({
      origin: "function-url",
      originals: "serve",
      bucket: { kind: "managed", namePrefix: "images-", forceDestroy: false, versioning: false },
      resizer: { architecture: "arm64", memorySize: 512, timeout: 10, logRetentionDays: 30, config: { maxInputPixels: 100_000_000, maxWidth: 4096, maxHeight: 4096, defaultQuality: 80, allowedWidths: [], allowedHeights: [] } },
      cache: { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000, errorTtl: 10 },
      priceClass: "PriceClass_100",
      geoRestriction: { type: "none", locations: [] },
    });
    expect(resolved.cors).toBeUndefined();
    expect(resolved.domain).toBeUndefined();
  });

  it("accepts timeouts up to 60 s with the function URL and 30 s with Object Lambda, and every Origin Shield region", () => {
    expect(resolveImageCdnProps({ resizer: { timeout: 60 } }).resizer.timeout).toBe(60);
    expect(resolveImageCdnProps({ origin: "object-lambda", resizer: { timeout: 30 } }).resizer.timeout).toBe(30);
    for (const region of ["us-east-2", "ap-northeast-2", "sa-east-1", "eu-west-2"]) expect(resolveImageCdnProps({ originShieldRegion: region }).originShieldRegion).toBe(region);
  });

  it("accepts the design card's full example", () => {
    expect(() => resolveImageCdnProps({
      origin: "object-lambda",
      bucket: { namePrefix: "images-", forceDestroy: true, versioning: true },
      resizer: { architecture: "arm64", memorySize: 1024, timeout: 10, maxInputPixels: 100_000_000, maxWidth: 4096, maxHeight: 4096, allowedWidths: [150, 500], allowedHeights: [150, 700], defaultQuality: 80 },
      cache: { defaultTtl: 86400, minTtl: 0, maxTtl: 31536000 },
      cors: { allowedOrigins: ["https://app.example.com"] },
      domain: { names: ["img.example.com"], hostedZoneId: "Z123" },
      priceClass: "PriceClass_100",
      geoRestriction: { type: "whitelist", locations: ["KR"] },
      logging: { bucketDomainName: "logs.s3.amazonaws.com", prefix: "cdn/" },
    })).not.toThrow();
  });
});
