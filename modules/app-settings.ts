import type { ImageCdnProps, LambdaArchitecture, OriginMode, PriceClass } from "./props";

/** What `main.ts` needs to build its one stack. */
export interface AppSettings {
  readonly stackName: string;
  readonly region: string;
  /** Where the state lives: local (a path relative to the stack folder), S3, or Terraform Cloud. */
  readonly backend: BackendSettings;
  readonly imageCdn: ImageCdnProps;
}

export type BackendSettings =
  | { kind: "local" }
  | { kind: "s3"; bucket: string; key: string; region: string }
  | { kind: "cloud"; organization: string; workspace: string; hostname?: string };

/**
 * Every setting of the app, by environment variable. The same names (without the IMAGE_CDN_ prefix,
 * lowercase) may be set under "context" in cdktf.json; an environment variable wins.
 */
export const SETTINGS = {
  IMAGE_CDN_STACK: "stack name (default image-cdn)",
  IMAGE_CDN_REGION: "AWS region of the bucket and the resizer (default us-east-1)",
  IMAGE_CDN_ORIGIN: "object-lambda (default) or function-url",
  IMAGE_CDN_BUCKET_PREFIX: "bucket name prefix (default images-)",
  IMAGE_CDN_BUCKET_NAME: "exact bucket name, instead of a prefix",
  IMAGE_CDN_EXISTING_BUCKET: "serve an existing bucket instead of creating one",
  IMAGE_CDN_MANAGE_BUCKET_POLICY: "true or false: write the existing bucket's policy (required with object-lambda)",
  IMAGE_CDN_ARCHITECTURE: "arm64 (default) or x86_64",
  IMAGE_CDN_MEMORY_SIZE: "resizer memory in MB (default 512)",
  IMAGE_CDN_ALLOWED_WIDTHS: "comma-separated allow-list of w values",
  IMAGE_CDN_ALLOWED_HEIGHTS: "comma-separated allow-list of h values",
  IMAGE_CDN_CORS_ORIGINS: "comma-separated origins allowed to read images cross-origin",
  IMAGE_CDN_DOMAIN_NAMES: "comma-separated custom host names",
  IMAGE_CDN_HOSTED_ZONE_ID: "Route 53 hosted zone of the custom host names",
  IMAGE_CDN_CERTIFICATE_ARN: "existing ACM certificate in us-east-1",
  IMAGE_CDN_PRICE_CLASS: "PriceClass_100 (default), PriceClass_200 or PriceClass_All",
  IMAGE_CDN_RESOURCE_PREFIX: "prefix of every resource name (default: derived from stack, construct and region)",
  IMAGE_CDN_STATE_BUCKET: "S3 bucket for the Terraform state (S3 backend with native locking)",
  IMAGE_CDN_STATE_KEY: "state object key in that bucket (default image-cdn/<stack>.tfstate)",
  IMAGE_CDN_STATE_REGION: "region of the state bucket (default the stack's region)",
  IMAGE_CDN_TFC_ORGANIZATION: "Terraform Cloud organization (with IMAGE_CDN_TFC_WORKSPACE)",
  IMAGE_CDN_TFC_WORKSPACE: "Terraform Cloud workspace (with IMAGE_CDN_TFC_ORGANIZATION)",
  IMAGE_CDN_TFC_HOSTNAME: "Terraform Enterprise host name (default app.terraform.io)",
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingLookup = (name: SettingName) => string | undefined;

/** Reads a setting from the environment first, then from cdktf.json context ("bucket_prefix" for IMAGE_CDN_BUCKET_PREFIX). */
export function settingLookup(env: NodeJS.ProcessEnv, context: (key: string) => unknown): SettingLookup {
  return (name) => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    const fromContext = context(name.replace(/^IMAGE_CDN_/, "").toLowerCase());
    if (fromContext === undefined || fromContext === null) return undefined;
    return Array.isArray(fromContext) ? fromContext.join(",") : String(fromContext);
  };
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function numbers(name: SettingName, value: string | undefined): number[] | undefined {
  return list(value)?.map((item) => {
    if (!/^[0-9]+$/.test(item)) throw new Error(`${name} must be a comma-separated list of integers, got "${value}"`);
    return Number(item);
  });
}

/** Pure: turns settings into the stack's configuration. Values are validated by ImageCdn itself. */
export function resolveAppSettings(get: SettingLookup): AppSettings {
  const memory = get("IMAGE_CDN_MEMORY_SIZE");
  if (memory !== undefined && !/^[0-9]+$/.test(memory)) throw new Error(`IMAGE_CDN_MEMORY_SIZE must be an integer (MB), got "${memory}"`);
  const bucketName = get("IMAGE_CDN_BUCKET_NAME");
  const existing = get("IMAGE_CDN_EXISTING_BUCKET");
  const managePolicy = get("IMAGE_CDN_MANAGE_BUCKET_POLICY");
  if (managePolicy !== undefined && managePolicy !== "true" && managePolicy !== "false") {
    throw new Error(`IMAGE_CDN_MANAGE_BUCKET_POLICY must be true or false, got "${managePolicy}"`);
  }
  const bucket = existing !== undefined ? { existingBucketName: existing, managePolicy: managePolicy === undefined ? undefined : managePolicy === "true" }
    : bucketName !== undefined ? { name: bucketName }
    : { namePrefix: get("IMAGE_CDN_BUCKET_PREFIX") ?? "images-" };
  const names = list(get("IMAGE_CDN_DOMAIN_NAMES"));
  const cors = list(get("IMAGE_CDN_CORS_ORIGINS"));
  const stackName = get("IMAGE_CDN_STACK") ?? "image-cdn";
  const region = get("IMAGE_CDN_REGION") ?? "us-east-1";
  return {
    stackName,
    region,
    backend: resolveBackend(get, stackName, region),
    imageCdn: {
      origin: get("IMAGE_CDN_ORIGIN") as OriginMode | undefined,
      bucket,
      resizer: {
        architecture: get("IMAGE_CDN_ARCHITECTURE") as LambdaArchitecture | undefined,
        memorySize: memory === undefined ? undefined : Number(memory),
        allowedWidths: numbers("IMAGE_CDN_ALLOWED_WIDTHS", get("IMAGE_CDN_ALLOWED_WIDTHS")),
        allowedHeights: numbers("IMAGE_CDN_ALLOWED_HEIGHTS", get("IMAGE_CDN_ALLOWED_HEIGHTS")),
      },
      cors: cors ? { allowedOrigins: cors } : undefined,
      domain: names ? { names, hostedZoneId: get("IMAGE_CDN_HOSTED_ZONE_ID"), certificateArn: get("IMAGE_CDN_CERTIFICATE_ARN") } : undefined,
      priceClass: get("IMAGE_CDN_PRICE_CLASS") as PriceClass | undefined,
      resourcePrefix: get("IMAGE_CDN_RESOURCE_PREFIX"),
    },
  };
}

/**
 * Local state by default, at a path relative to the stack folder (cdktf.out/stacks/<stack>), so that the
 * synthesized JSON holds no machine's absolute path; an S3 bucket or Terraform Cloud for pipelines.
 */
function resolveBackend(get: SettingLookup, stackName: string, region: string): BackendSettings {
  const organization = get("IMAGE_CDN_TFC_ORGANIZATION");
  const workspace = get("IMAGE_CDN_TFC_WORKSPACE");
  const stateBucket = get("IMAGE_CDN_STATE_BUCKET");
  if ((organization === undefined) !== (workspace === undefined)) {
    throw new Error("IMAGE_CDN_TFC_ORGANIZATION and IMAGE_CDN_TFC_WORKSPACE go together: set both or neither");
  }
  if (organization !== undefined && stateBucket !== undefined) {
    throw new Error("IMAGE_CDN_STATE_BUCKET and IMAGE_CDN_TFC_ORGANIZATION choose two backends: set one");
  }
  if (organization && workspace) return { kind: "cloud", organization, workspace, hostname: get("IMAGE_CDN_TFC_HOSTNAME") };
  if (stateBucket !== undefined) {
    return { kind: "s3", bucket: stateBucket, key: get("IMAGE_CDN_STATE_KEY") ?? `image-cdn/${stackName}.tfstate`, region: get("IMAGE_CDN_STATE_REGION") ?? region };
  }
  for (const name of ["IMAGE_CDN_STATE_KEY", "IMAGE_CDN_STATE_REGION"] as const) {
    if (get(name) !== undefined) throw new Error(`${name} needs IMAGE_CDN_STATE_BUCKET`);
  }
  return { kind: "local" };
}
