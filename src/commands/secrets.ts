import type { Config } from "../config/index.js";
import type { Secrets } from "./types.js";

/**
 * Secret values keyed by the environment variable names the configuration refers to.
 * The Action's `cloudflare-api-token` and `powerdns-api-key` inputs fill the variables
 * of every Cloudflare or PowerDNS provider that the environment leaves unset.
 */
export function secretsByEnvName(config: Config, secrets: Secrets): Record<string, string> {
  const byEnvName: Record<string, string> = { ...secrets.byEnvName };
  const fill = (envName: string, value: string | undefined) => {
    if (value && !byEnvName[envName]) byEnvName[envName] = value;
  };

  for (const provider of Object.values(config.dnsProviders)) {
    if (provider.type === "cloudflare") fill(provider.apiTokenEnv, secrets.cloudflareApiToken);
    if (provider.type === "powerdns") fill(provider.apiKeyEnv, secrets.powerdnsApiKey);
  }
  for (const host of Object.values(config.policyHosts)) {
    if (host.type === "cloudflare-worker") fill(host.apiTokenEnv, secrets.cloudflareApiToken);
  }
  return byEnvName;
}
