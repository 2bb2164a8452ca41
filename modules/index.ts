export { ImageCdn } from "./construct/image-cdn";
export { useKitBackend } from "./app/image-cdn-stack";
export { PurgeOnChange } from "./construct/purge-on-change";
export type {
  AccessLogsProps,
  BucketProps,
  CacheProps,
  ClientHintsProps,
  CorsProps,
  DomainProps,
  GeoRestrictionProps,
  ImageCdnProps,
  LambdaArchitecture,
  LoggingProps,
  MonitoringProps,
  OriginMode,
  PresetProps,
  PriceClass,
  PurgeOnChangeProps,
  ResizerProps,
} from "./construct/props";
export { ImageCdnPropError } from "./construct/validate-props";
export { signImageUrl, SIGNING_KEY_SLOTS, type SignableParams, type SignOptions } from "./construct/signing";
