/**
 * The resolved configuration that every command works from: defaults applied, names
 * checked, paths made absolute, keys in camelCase. The YAML shapes users write are in
 * schema/; docs/configuration.md documents both sides.
 */

import type { Mode } from "../sts/policy.js";

export type { Mode } from "../sts/policy.js";

export interface CloudflareDnsConfig {
  type: "cloudflare";
  /** The name under `dns_providers`. */
  name: string;
  /** Name of the environment variable that contains the API token (never the token). */
  apiTokenEnv: string;
  accountId: string | null;
  /** API base URL when overridden, for tests and proxies; null means Cloudflare's own. */
  apiUrl: string | null;
}

export interface PowerDnsConfig {
  type: "powerdns";
  name: string;
  apiUrl: string;
  serverId: string;
  apiKeyEnv: string;
}

export interface OctoDnsConfig {
  type: "octodns";
  name: string;
  /** Absolute path of the folder of octoDNS zone files. */
  directory: string;
}

export type DnsProviderConfig = CloudflareDnsConfig | PowerDnsConfig | OctoDnsConfig;

export interface CloudflareWorkerHostConfig {
  type: "cloudflare-worker";
  name: string;
  accountId: string;
  scriptName: string;
  apiTokenEnv: string;
  apiUrl: string | null;
}

export interface StaticHostConfig {
  type: "static";
  name: string;
  /** Absolute path of the folder that receives `<domain>/.well-known/mta-sts.txt`. */
  directory: string;
}

export type PolicyHostConfig = CloudflareWorkerHostConfig | StaticHostConfig;

export interface ObserveSettings {
  /** Recursive resolvers in order of preference, as "address:port" ("[v6]:port" for IPv6). */
  resolvers: string[];
  /** Query each zone's authoritative servers before the resolvers. */
  authoritative: boolean;
  dnsTimeoutMs: number;
  dnsAttempts: number;
  fetchTimeoutMs: number;
  smtpTimeoutMs: number;
  concurrency: number;
  /** Allow connections to private, loopback and link-local addresses. */
  allowPrivateAddresses: boolean;
  /**
   * Connection targets that replace DNS, as curl's --connect-to. Keys are "host:port"
   * with the host in lower case. Values are "address:port", or ":port" to keep the
   * resolved addresses and change only the port.
   */
  connectTo: Record<string, string>;
  /** Absolute paths of extra PEM CA files, added to the default roots. */
  trustedCaFiles: string[];
}

export interface DirectoryReportSource {
  type: "directory";
  /** Absolute path. */
  path: string;
}

export interface ImapReportSource {
  type: "imap";
  host: string;
  port: number;
  /** TLS from the start; false means STARTTLS. */
  tls: boolean;
  userEnv: string;
  passwordEnv: string;
  folder: string;
  /** Folder that read messages move to, or null to leave them in place. */
  processedFolder: string | null;
  /** Absolute paths of extra PEM CA files, added to the default roots. */
  trustedCaFiles: string[];
}

export type ReportSourceConfig = DirectoryReportSource | ImapReportSource;

export interface ReportSettings {
  sources: ReportSourceConfig[];
  /** Absolute path of the committed summaries folder. */
  summariesDir: string;
  /** Absolute path of the folder for unreadable reports. */
  quarantineDir: string;
}

export interface PromotionSettings {
  minDaysInTesting: number;
  windowDays: number;
  minReportingOrganizations: number;
  minSessions: number;
  minCertificateDays: number;
  /** RFC 8460 result types; one failed session of these in the window blocks promotion. */
  blockingResultTypes: string[];
}

export interface SafetySettings {
  /** Share of the fleet (0 to 1) a plan may change before apply needs --force. */
  maxChangeShare: number;
  /** The share check applies only from this fleet size on. */
  minFleetSize: number;
  verifyTimeoutSeconds: number;
  verifyIntervalSeconds: number;
}

export interface Config {
  dnsProviders: Record<string, DnsProviderConfig>;
  policyHosts: Record<string, PolicyHostConfig>;
  observe: ObserveSettings;
  reports: ReportSettings;
  promotion: PromotionSettings;
  safety: SafetySettings;
}

export interface DomainConfig {
  domain: string;
  /** The declaring file, relative to the project root with "/" separators. */
  file: string;
  /** "absent" retires MTA-STS, and `mtaSts` is then the last declared policy. */
  state: "present" | "absent";
  /** mx contains the explicit and the preset patterns, lower case, each once. */
  mtaSts: { mode: Mode; mx: string[]; maxAge: number };
  /** null when the domain publishes no TLS-RPT record. */
  tlsRpt: { rua: string[] } | null;
  /** Names of the DNS provider and policy host; both exist in `Config`. */
  dns: string;
  policyHost: string;
  /** The fleet thresholds with this domain's overrides applied. */
  promotion: PromotionSettings;
  enforceOverride: { reason: string; approvedBy: string } | null;
}

export interface Project {
  /** Absolute path of the project root. */
  root: string;
  /** The configuration file, relative to the root with "/" separators. */
  configFile: string;
  config: Config;
  /** Declared domains, sorted by name. */
  domains: DomainConfig[];
}
