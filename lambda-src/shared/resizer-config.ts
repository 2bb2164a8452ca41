import { configFromEnv, type ResizerConfig } from "../core/config";
import { configureSharp } from "../core";

let containerConfig: ResizerConfig | undefined;

/** Read once per container; a broken environment fails each request with a 500, not the init. */
export function resizerConfig(): ResizerConfig {
  if (containerConfig === undefined) {
    configureSharp();
    containerConfig = configFromEnv();
  }
  return containerConfig;
}
