/**
 * The configuration layer: loads mta-sts-gitops.yaml and domains/*.yaml, validates
 * them against the schemas generated from ./schema, and resolves the model that every
 * command works from.
 */

export type { ConfigError } from "./errors.js";
export { formatConfigError } from "./errors.js";
export {
  DEFAULT_CONFIG_FILE,
  DEFAULT_DOMAINS_DIR,
  type LoadOptions,
  type LoadResult,
  loadProject,
} from "./load.js";
export { MX_PRESET_NAMES, MX_PRESETS, type MxPreset, mergeMxPatterns } from "./presets.js";
export type {
  CloudflareDnsConfig,
  CloudflareWorkerHostConfig,
  Config,
  DirectoryReportSource,
  DnsProviderConfig,
  DomainConfig,
  ImapReportSource,
  Mode,
  ObserveSettings,
  OctoDnsConfig,
  PolicyHostConfig,
  PowerDnsConfig,
  Project,
  PromotionSettings,
  ReportSettings,
  ReportSourceConfig,
  SafetySettings,
  StaticHostConfig,
} from "./types.js";
export { runValidate, type ValidateOptions } from "./validate.js";
