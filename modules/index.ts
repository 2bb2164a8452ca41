export { ImageCdn } from "./image-cdn";
export { useKitBackend } from "./image-cdn-stack";
export { PurgeOnChange } from "./purge-on-change";
export type {
  BucketProps,
  CacheProps,
  CorsProps,
  DomainProps,
  GeoRestrictionProps,
  ImageCdnProps,
  LambdaArchitecture,
  LoggingProps,
  OriginMode,
  PresetProps,
  PriceClass,
  PurgeOnChangeProps,
  ResizerProps,
} from "./props";
export { ImageCdnPropError } from "./validate-props";
export { signImageUrl, SIGNING_KEY_SLOTS, type SignableParams, type SignOptions } from "./signing";
