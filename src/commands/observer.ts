import { readFile } from "node:fs/promises";
import type { ObserveSettings } from "../config/index.js";
import { createDnsClient } from "../observe/dns-client.js";
import { createObserver, type Observer } from "../observe/observer.js";
import { fetchPolicy } from "../observe/policy-fetch.js";
import type { PolicyFetch } from "../observe/types.js";
import type { ObserveOverrides } from "./types.js";

/** Applies the command-line or sandbox overrides to the configured observation settings. */
export function effectiveSettings(
  settings: ObserveSettings,
  overrides: ObserveOverrides = {},
): ObserveSettings & Pick<ObserveOverrides, "trustedCaPem" | "authoritativePort"> {
  const merged = { ...settings };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** The run's observer, and a policy fetch with the same settings for apply's verification. */
export interface RunObserver {
  observer: Observer;
  fetchPolicy: (domain: string) => Promise<PolicyFetch>;
}

/** Builds the run's observer: one DNS client, fetch settings and MX prober shared by all domains. */
export async function createRunObserver(
  settings: ObserveSettings,
  overrides: ObserveOverrides = {},
): Promise<RunObserver> {
  const effective = effectiveSettings(settings, overrides);
  const caFromFiles = await Promise.all(
    effective.trustedCaFiles.map(async (file) => {
      try {
        return await readFile(file, "utf8");
      } catch (error) {
        throw new Error(
          `failed to read trusted CA file ${file}: ${(error as Error).message}; check --ca-file or observe.trusted_ca_files`,
        );
      }
    }),
  );
  const trustedCaPem = [...caFromFiles, ...(effective.trustedCaPem ?? [])];

  const dns = createDnsClient({
    resolvers: effective.resolvers,
    authoritative: effective.authoritative,
    ...(effective.authoritativePort === undefined
      ? {}
      : { authoritativePort: effective.authoritativePort }),
    timeoutMs: effective.dnsTimeoutMs,
    attempts: effective.dnsAttempts,
    allowPrivateAddresses: effective.allowPrivateAddresses,
  });

  const connectTo = effective.connectTo;

  const fetchOptions = {
    timeoutMs: effective.fetchTimeoutMs,
    allowPrivateAddresses: effective.allowPrivateAddresses,
    connectTo,
    ...(trustedCaPem.length > 0 ? { trustedCaPem } : {}),
  };
  const observer = createObserver({
    dns,
    fetch: fetchOptions,
    probe: { timeoutMs: effective.smtpTimeoutMs },
    concurrency: effective.concurrency,
  });
  return {
    observer,
    fetchPolicy: (domain) =>
      fetchPolicy(domain, {
        ...fetchOptions,
        resolveAddresses: (host) => dns.lookupAddresses(host),
      }),
  };
}
