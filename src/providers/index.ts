/**
 * The provider registry: builds the DNS providers and policy hosts named in the
 * configuration. Secrets come in by the name of the environment variable the
 * configuration gives; only the entry points read the environment itself.
 */

import type { Config, DnsProviderConfig, PolicyHostConfig } from "../config/index.js";
import type { Plan } from "../plan/types.js";
import { createCloudflareDns } from "./dns/cloudflare.js";
import { createOctoDnsFiles } from "./dns/octodns.js";
import { createPowerDns } from "./dns/powerdns.js";
import { createCloudflareWorkerHost } from "./hosting/cloudflare-worker.js";
import { createStaticHost } from "./hosting/static.js";
import type { DnsProvider, PolicyHost } from "./types.js";

export type * from "./types.js";

/** Secret values by environment variable name, as the entry points collect them. */
export interface ProviderSecrets {
  byEnvName?: Record<string, string>;
}

export interface CreateProvidersOptions {
  log: (line: string) => void;
  /**
   * Cloudflare API root for every Cloudflare provider and host, for tests and the
   * offline demo. It takes precedence over `api_url` in the configuration.
   */
  cloudflareBaseUrl?: string;
  /**
   * Builds only these providers and hosts, so a run needs only the secrets of the
   * providers its plan writes to (see `providersUsedBy`). Absent means all.
   */
  only?: { dnsProviders: Iterable<string>; policyHosts: Iterable<string> };
}

export interface Providers {
  dnsProviders: Map<string, DnsProvider>;
  policyHosts: Map<string, PolicyHost>;
}

/** Raised when a provider cannot be built, such as for a missing secret; names every problem. */
export class ProviderSetupError extends Error {
  override name = "ProviderSetupError";
}

/** Reads the secret of one provider, or records why it is missing and returns null. */
function secretFor(
  secrets: ProviderSecrets,
  envName: string,
  owner: string,
  problems: string[],
): string | null {
  const value = secrets.byEnvName?.[envName];
  if (value !== undefined && value !== "") return value;

  problems.push(
    `${owner} needs its secret in the environment variable ${envName}, which is not set; set ${envName} in the environment of the workflow step or the shell that runs apply`,
  );
  return null;
}

function createDnsProvider(
  config: DnsProviderConfig,
  secrets: ProviderSecrets,
  options: CreateProvidersOptions,
  problems: string[],
): DnsProvider | null {
  const owner = `DNS provider "${config.name}" (${config.type})`;

  switch (config.type) {
    case "cloudflare": {
      const apiToken = secretFor(secrets, config.apiTokenEnv, owner, problems);
      if (apiToken === null) return null;
      const baseUrl = options.cloudflareBaseUrl ?? config.apiUrl ?? undefined;
      return createCloudflareDns({
        name: config.name,
        apiToken,
        log: options.log,
        ...(baseUrl ? { baseUrl } : {}),
        ...(config.accountId ? { accountId: config.accountId } : {}),
      });
    }
    case "powerdns": {
      const apiKey = secretFor(secrets, config.apiKeyEnv, owner, problems);
      if (apiKey === null) return null;
      return createPowerDns({
        name: config.name,
        apiUrl: config.apiUrl,
        serverId: config.serverId,
        apiKey,
        log: options.log,
      });
    }
    case "octodns":
      return createOctoDnsFiles({
        name: config.name,
        directory: config.directory,
        log: options.log,
      });
  }
}

function createPolicyHost(
  config: PolicyHostConfig,
  secrets: ProviderSecrets,
  options: CreateProvidersOptions,
  problems: string[],
): PolicyHost | null {
  const owner = `policy host "${config.name}" (${config.type})`;

  switch (config.type) {
    case "cloudflare-worker": {
      const apiToken = secretFor(secrets, config.apiTokenEnv, owner, problems);
      if (apiToken === null) return null;
      const baseUrl = options.cloudflareBaseUrl ?? config.apiUrl ?? undefined;
      return createCloudflareWorkerHost({
        name: config.name,
        apiToken,
        accountId: config.accountId,
        scriptName: config.scriptName,
        log: options.log,
        ...(baseUrl ? { baseUrl } : {}),
      });
    }
    case "static":
      return createStaticHost({ name: config.name, directory: config.directory, log: options.log });
  }
}

/**
 * Builds every configured DNS provider and policy host (or those in `options.only`),
 * keyed by configured name. Raises ProviderSetupError that lists every missing secret
 * or unknown name at once, so one run shows all that needs fixing.
 */
export function createProviders(
  config: Pick<Config, "dnsProviders" | "policyHosts">,
  secrets: ProviderSecrets,
  options: CreateProvidersOptions,
): Providers {
  const problems: string[] = [];
  const dnsNames = options.only
    ? [...new Set(options.only.dnsProviders)]
    : Object.keys(config.dnsProviders);
  const hostNames = options.only
    ? [...new Set(options.only.policyHosts)]
    : Object.keys(config.policyHosts);

  const dnsProviders = new Map<string, DnsProvider>();
  for (const name of dnsNames) {
    const entry = config.dnsProviders[name];
    if (!entry) {
      problems.push(
        `DNS provider "${name}" is not configured; add it under dns_providers in the configuration file`,
      );
      continue;
    }
    const provider = createDnsProvider(entry, secrets, options, problems);
    if (provider) dnsProviders.set(name, provider);
  }

  const policyHosts = new Map<string, PolicyHost>();
  for (const name of hostNames) {
    const entry = config.policyHosts[name];
    if (!entry) {
      problems.push(
        `policy host "${name}" is not configured; add it under policy_hosts in the configuration file`,
      );
      continue;
    }
    const host = createPolicyHost(entry, secrets, options, problems);
    if (host) policyHosts.set(name, host);
  }

  if (problems.length > 0) {
    const plural = problems.length === 1 ? "" : "s";
    throw new ProviderSetupError(
      `cannot set up the providers (${problems.length} problem${plural}):\n${problems.map((line) => `  - ${line}`).join("\n")}`,
    );
  }
  return { dnsProviders, policyHosts };
}

/**
 * Returns the DNS providers and policy hosts that the runnable changes of `plan` write
 * to. Held changes do not count, because apply does not run them.
 */
export function providersUsedBy(plan: Plan): { dnsProviders: string[]; policyHosts: string[] } {
  const dnsProviders = new Set<string>();
  const policyHosts = new Set<string>();

  for (const domain of plan.domains) {
    for (const change of domain.changes) {
      if (change.heldReason) continue;
      if (change.kind === "publish-policy" || change.kind === "withdraw-policy") {
        policyHosts.add(change.provider);
      } else {
        dnsProviders.add(change.provider);
      }
    }
  }
  return { dnsProviders: [...dnsProviders].sort(), policyHosts: [...policyHosts].sort() };
}
