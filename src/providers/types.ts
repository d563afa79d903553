/**
 * The two extension points for writing the live state. Every provider declares what it
 * can do as data (`capabilities`), and `apply` decides the order of calls; a provider
 * never decides when it is safe to change something.
 */

/** The TXT record sets the tool owns for one policy domain. Nothing else is ever touched. */
export interface ManagedTxt {
  /** Records at `_mta-sts.<domain>`, each the joined text of one TXT record. */
  sts: string[];
  /** Records at `_smtp._tls.<domain>`. */
  tlsRpt: string[];
}

/** A write of one managed TXT record set: the full set of values after the write, or null to delete it. */
export interface TxtWrite {
  /** `_mta-sts.<domain>` or `_smtp._tls.<domain>`, without the trailing dot. */
  name: string;
  values: string[] | null;
  /** TTL in seconds for new records; providers that cannot set it use their default. */
  ttl?: number;
}

export interface DnsProviderCapabilities {
  /** Several writes of one domain are sent in one request (Cloudflare batch, PowerDNS PATCH). */
  batchWrites: boolean;
  /** The provider can serve a CNAME at `_mta-sts`; the tool still writes only TXT. */
  cnameAware: boolean;
}

/**
 * A DNS provider reads and writes the TXT record sets at `_mta-sts.<domain>` and
 * `_smtp._tls.<domain>` and never touches any other record.
 *
 * Lifecycle per run: `readTxt` for every domain the plan covers, then `writeTxt` once
 * per changed domain. Writes replace the whole record set at each name, so a rerun
 * after a partial failure converges on the same state. Errors name the provider, the
 * zone, the record and the API's own message, and never include a secret.
 */
export interface DnsProvider {
  /** The name the configuration gives this provider. */
  readonly name: string;
  readonly type: string;
  readonly capabilities: DnsProviderCapabilities;
  readTxt(domain: string): Promise<ManagedTxt>;
  writeTxt(domain: string, writes: TxtWrite[]): Promise<void>;
}

export interface PolicyHostCapabilities {
  /** All policies are uploaded together (one Worker module), so publishing is per run, not per domain. */
  bulkPublish: boolean;
}

/** A policy body to serve at `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
export interface HostedPolicy {
  domain: string;
  body: string;
}

/**
 * A policy host publishes, replaces and withdraws the policy body of each domain and
 * lists what it serves. Publishing only makes the body available; `apply` then fetches
 * it back from the live URL before any `_mta-sts` TXT record points senders at it.
 */
export interface PolicyHost {
  readonly name: string;
  readonly type: string;
  readonly capabilities: PolicyHostCapabilities;
  /** Returns the body served for each domain this host serves. */
  list(): Promise<Map<string, string>>;
  /** Creates or replaces the given policies; domains not listed keep what they serve. */
  publish(policies: HostedPolicy[]): Promise<void>;
  /** Stops serving the policies of the given domains. */
  withdraw(domains: string[]): Promise<void>;
}
