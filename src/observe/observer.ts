/**
 * Reads the live state of policy domains: MX records, the `_mta-sts` and `_smtp._tls`
 * TXT records and the hosted policy, plus STARTTLS probes of MX hosts on request. The
 * DNS client, the fetch settings and the probe cache are shared by the whole run.
 */

import type { ResolveAddresses } from "./connect-target.js";
import type { DnsClient } from "./dns-client.js";
import { normalizeName } from "./dns-name.js";
import { createMxProber, type MxProbeOptions } from "./mx-probe.js";
import { fetchPolicy, type PolicyFetchOptions } from "./policy-fetch.js";
import { mapWithConcurrency } from "./pool.js";
import type { MxProbe, ObservedDomain } from "./types.js";

export interface ObserverOptions {
  dns: DnsClient;
  /** Policy fetch settings; addresses resolve through `dns` unless `resolveAddresses` is given. */
  fetch: Omit<PolicyFetchOptions, "resolveAddresses"> & { resolveAddresses?: ResolveAddresses };
  /**
   * MX probe settings. The connect-to map, the address guard and the trusted CAs default
   * to those of `fetch`, and the time limit per step to `fetch.timeoutMs`.
   */
  probe?: Partial<Omit<MxProbeOptions, "resolveAddresses">>;
  /** Domains observed at the same time by `observeFleet`; each runs four reads at once. */
  concurrency: number;
}

export interface ObserverStats {
  dnsQueries: number;
  httpsFetches: number;
  smtpProbes: number;
}

export interface Observer {
  /** Reads MX, both TXT records and the policy of one domain, all at once. */
  observeDomain(domain: string): Promise<ObservedDomain>;
  /** Observes each domain with at most `concurrency` in flight; results keep the input order. */
  observeFleet(
    domains: readonly string[],
    options?: { onProgress?: (done: number, total: number) => void },
  ): Promise<ObservedDomain[]>;
  /** Probes an MX host; each host is probed once per observer. */
  probeMx(host: string): Promise<MxProbe>;
  stats(): ObserverStats;
  /** Closes the DNS client. */
  close(): void;
}

export function createObserver(options: ObserverOptions): Observer {
  const { dns } = options;
  const resolveAddresses: ResolveAddresses =
    options.fetch.resolveAddresses ?? ((host) => dns.lookupAddresses(host));
  const fetchOptions: PolicyFetchOptions = { ...options.fetch, resolveAddresses };

  const probeOptions: MxProbeOptions = {
    allowPrivateAddresses: options.fetch.allowPrivateAddresses,
    timeoutMs: options.fetch.timeoutMs,
    ...(options.fetch.connectTo === undefined ? {} : { connectTo: options.fetch.connectTo }),
    ...(options.fetch.trustedCaPem === undefined
      ? {}
      : { trustedCaPem: options.fetch.trustedCaPem }),
    ...options.probe,
    resolveAddresses,
  };
  const prober = createMxProber(probeOptions);
  let httpsFetches = 0;

  const observeDomain = async (domain: string): Promise<ObservedDomain> => {
    const name = normalizeName(domain);
    httpsFetches++;
    const [mx, stsTxt, tlsRptTxt, policy] = await Promise.all([
      dns.lookupMx(name),
      dns.lookupTxt(`_mta-sts.${name}`),
      dns.lookupTxt(`_smtp._tls.${name}`),
      fetchPolicy(name, fetchOptions),
    ]);
    return { domain: name, mx, stsTxt, tlsRptTxt, policy };
  };

  return {
    observeDomain,

    observeFleet(domains, fleetOptions = {}) {
      return mapWithConcurrency(
        domains,
        options.concurrency,
        observeDomain,
        fleetOptions.onProgress,
      );
    },

    probeMx: (host) => prober.probe(host),

    stats: () => ({
      dnsQueries: dns.stats().queries,
      httpsFetches,
      smtpProbes: prober.stats().probes,
    }),

    close: () => dns.close(),
  };
}
