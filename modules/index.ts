export { ImageCdn } from "./image-cdn";
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
  PriceClass,
  ResizerProps,
} from "./props";
export { ImageCdnPropError } from "./validate-props";
export { signImageUrl, SIGNING_KEY_SLOTS, type SignableParams, type SignOptions } from "./signing";
