/**
 * Builds the resolved model from files that passed every check: defaults applied,
 * relative paths made absolute against the project root, keys in camelCase.
 */

import path from "node:path";
import {
  formatSocketAddress,
  normalizeConnectTarget,
  parseHostPort,
  parseSocketAddress,
} from "./addresses.js";
import { DEFAULT_MAX_AGE } from "./check-domain.js";
import type { DomainLayers } from "./layers.js";
import { mergeMxPatterns } from "./presets.js";
import { isRecord, stringEntries } from "./raw.js";
import type { ConfigFile } from "./schema/config-file.js";
import type { DomainFile } from "./schema/domain-file.js";
import type {
  Config,
  DnsProviderConfig,
  DomainConfig,
  Mode,
  PolicyHostConfig,
  PromotionSettings,
  ReportSourceConfig,
} from "./types.js";

const DNS_PORT = 53;

export function resolveConfig(file: ConfigFile, root: string): Config {
  const absolute = (relative: string) => path.resolve(root, relative);

  const dnsProviders: Record<string, DnsProviderConfig> = {};
  for (const [name, provider] of Object.entries(file.dns_providers)) {
    dnsProviders[name] = resolveDnsProvider(name, provider, absolute);
  }

  const policyHosts: Record<string, PolicyHostConfig> = {};
  for (const [name, host] of Object.entries(file.policy_hosts)) {
    policyHosts[name] =
      host.type === "static"
        ? { type: "static", name, directory: absolute(host.directory) }
        : {
            type: "cloudflare-worker",
            name,
            accountId: host.account_id,
            scriptName: host.script_name,
            apiTokenEnv: host.api_token_env,
            apiUrl: host.api_url ?? null,
          };
  }

  const observe = file.observe;
  const connectTo: Record<string, string> = {};
  for (const [from, to] of Object.entries(observe.connect_to)) {
    const source = parseHostPort(from)!;
    connectTo[formatSocketAddress(source.host, source.port)] = normalizeConnectTarget(to)!;
  }

  return {
    dnsProviders,
    policyHosts,
    observe: {
      resolvers: observe.resolvers.map((text) => {
        const resolver = parseSocketAddress(text, DNS_PORT)!;
        return formatSocketAddress(resolver.address, resolver.port);
      }),
      authoritative: observe.authoritative,
      dnsTimeoutMs: observe.dns_timeout_ms,
      dnsAttempts: observe.dns_attempts,
      fetchTimeoutMs: observe.fetch_timeout_ms,
      smtpTimeoutMs: observe.smtp_timeout_ms,
      concurrency: observe.concurrency,
      allowPrivateAddresses: observe.allow_private_addresses,
      connectTo,
      trustedCaFiles: observe.trusted_ca_files.map(absolute),
    },
    reports: {
      sources: file.reports.sources.map((source): ReportSourceConfig => {
        if (source.type === "directory") {
          return { type: "directory", path: absolute(source.path) };
        }
        return {
          type: "imap",
          host: source.host,
          port: source.port,
          tls: source.tls,
          userEnv: source.user_env,
          passwordEnv: source.password_env,
          folder: source.folder,
          processedFolder: source.processed_folder ?? null,
          trustedCaFiles: source.trusted_ca_files.map(absolute),
        };
      }),
      summariesDir: absolute(file.reports.summaries_dir),
      quarantineDir: absolute(file.reports.quarantine_dir),
    },
    promotion: {
      minDaysInTesting: file.promotion.min_days_in_testing,
      windowDays: file.promotion.window_days,
      minReportingOrganizations: file.promotion.min_reporting_organizations,
      minSessions: file.promotion.min_sessions,
      minCertificateDays: file.promotion.min_certificate_days,
      blockingResultTypes: [...file.promotion.blocking_result_types],
    },
    safety: {
      maxChangeShare: file.safety.max_change_share,
      minFleetSize: file.safety.min_fleet_size,
      verifyTimeoutSeconds: file.safety.verify_timeout_seconds,
      verifyIntervalSeconds: file.safety.verify_interval_seconds,
    },
  };
}

function resolveDnsProvider(
  name: string,
  provider: ConfigFile["dns_providers"][string],
  absolute: (relative: string) => string,
): DnsProviderConfig {
  switch (provider.type) {
    case "cloudflare":
      return {
        type: "cloudflare",
        name,
        apiTokenEnv: provider.api_token_env,
        accountId: provider.account_id ?? null,
        apiUrl: provider.api_url ?? null,
      };
    case "powerdns":
      return {
        type: "powerdns",
        name,
        apiUrl: provider.api_url,
        serverId: provider.server_id,
        apiKeyEnv: provider.api_key_env,
      };
    case "octodns":
      return { type: "octodns", name, directory: absolute(provider.directory) };
  }
}

/**
 * Resolves one domain. `file` is the parsed domain file; the layers give the values it
 * inherits. Callers run this only after every check passed, so the picked values have
 * the types the schema promises.
 */
export function resolveDomain(
  file: DomainFile,
  layers: DomainLayers,
  config: Config,
): DomainConfig {
  const mode = layers.pick(["mta_sts", "mode"])!.value as Mode;
  const maxAge =
    (layers.pick(["mta_sts", "max_age"])?.value as number | undefined) ?? DEFAULT_MAX_AGE;

  const { explicit, presets } = layers.mxSources();

  const tlsRptValue = layers.pickKey([], "tls_rpt")?.value;
  const tlsRpt = isRecord(tlsRptValue)
    ? { rua: stringEntries(tlsRptValue, ["rua"]).map(([, uri]) => uri) }
    : null;

  const override = file.promotion?.enforce_override;

  return {
    domain: file.domain,
    file: layers.domainFile.yaml.file,
    state: file.state ?? "present",
    mtaSts: { mode, mx: mergeMxPatterns(explicit, presets), maxAge },
    tlsRpt,
    dns: layers.pick(["dns"])!.value as string,
    policyHost: layers.pick(["policy_host"])!.value as string,
    promotion: applyPromotionOverrides(config.promotion, file.promotion),
    enforceOverride:
      override === undefined ? null : { reason: override.reason, approvedBy: override.approved_by },
  };
}

function applyPromotionOverrides(
  fleet: PromotionSettings,
  overrides: DomainFile["promotion"],
): PromotionSettings {
  return {
    minDaysInTesting: overrides?.min_days_in_testing ?? fleet.minDaysInTesting,
    windowDays: overrides?.window_days ?? fleet.windowDays,
    minReportingOrganizations:
      overrides?.min_reporting_organizations ?? fleet.minReportingOrganizations,
    minSessions: overrides?.min_sessions ?? fleet.minSessions,
    minCertificateDays: overrides?.min_certificate_days ?? fleet.minCertificateDays,
    blockingResultTypes: [...(overrides?.blocking_result_types ?? fleet.blockingResultTypes)],
  };
}
