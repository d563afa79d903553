/**
 * The live state as read from DNS and the policy host. These types are the contract
 * between `observe/` (which fills them) and `plan/` (which compares them with the
 * declared intent), so a plan can be computed from recorded observations in tests.
 */

/**
 * Outcome of one DNS lookup. RFC 8461 section 3.3 and RFC 8460 section 3 both treat a
 * temporary failure differently from an absent record, so `servfail`, `timeout`,
 * `refused` and `error` must never be read as "no policy".
 */
export type DnsStatus = "ok" | "nxdomain" | "nodata" | "servfail" | "timeout" | "refused" | "error";

/** The statuses that mean "the record set is known not to exist". */
export const DNS_ABSENT: ReadonlySet<DnsStatus> = new Set(["nxdomain", "nodata"]);

/** One MX record. `exchange` is lower-case without the trailing dot; a null MX (RFC 7505) is ".". */
export interface MxRecord {
  preference: number;
  exchange: string;
}

/** Result of looking up one name and type, after following any CNAME chain. */
export interface DnsLookup<T> {
  /** The name that was asked for, lower-case, without the trailing dot. */
  name: string;
  type: "TXT" | "MX";
  status: DnsStatus;
  /** The record data when `status` is "ok"; empty otherwise. */
  records: T[];
  /** CNAME targets followed from `name`, in order (empty when there was no CNAME). */
  cnameChain: string[];
  /** Smallest TTL of the answer records in seconds, or null when there were none. */
  ttl: number | null;
  /** The server that gave the final answer, as "address:port". */
  server: string | null;
  /** Whether that server is authoritative for the zone (as opposed to a configured resolver). */
  authoritative: boolean;
  /** Human-readable cause for the failure statuses. */
  detail?: string;
  /**
   * Set when the answer came from a configured resolver although authoritative lookups
   * were requested, with the reason (e.g. the zone's name servers did not respond).
   * A resolver may serve a cached answer, so a plan right after apply may see old data.
   */
  fallback?: string;
}

/** Result of looking up the A and AAAA records of one host. */
export interface AddressLookup {
  /** The host name, lower-case, without the trailing dot. */
  name: string;
  /** "ok" when at least one address was found. */
  status: DnsStatus;
  /** IPv4 addresses first, then IPv6. */
  addresses: string[];
  cnameChain: string[];
  detail?: string;
}

/** A TXT record as its character-strings, before they are joined (RFC 8461 section 3.1). */
export type TxtStrings = string[];

/** Reason a policy fetch failed; the planner names it in the finding message. */
export type PolicyFetchFailure =
  | "dns" // mta-sts.<domain> has no address, or the lookup failed
  | "address-blocked" // resolved to a private, loopback or link-local address that is not allowed
  | "connect" // TCP connection refused or reset
  | "timeout" // connect, TLS handshake or body read took too long
  | "certificate" // chain not trusted, expired, or not valid for mta-sts.<domain>
  | "redirect" // 3xx: RFC 8461 section 3.3 forbids following it
  | "status" // any other status than 200
  | "media-type" // Content-Type is not text/plain
  | "too-large" // body over the 64 KiB limit
  | "protocol"; // anything else the HTTP client rejected

export type PolicyFetch =
  | {
      ok: true;
      url: string;
      /** The media type with parameters, as sent. */
      contentType: string;
      /** The body decoded as UTF-8, unchanged otherwise (line endings kept). */
      body: string;
      /** The address the connection went to, as "address:port". */
      address: string;
      /** The Last-Modified header when the host sent one, as sent. */
      lastModified?: string;
    }
  | {
      ok: false;
      url: string;
      reason: PolicyFetchFailure;
      /** One line that names the cause, e.g. "HTTP 301 to https://www.example.com/". */
      detail: string;
      status?: number;
      location?: string;
      contentType?: string;
      /** The address the failed attempt went to, as "address:port", once one was chosen. */
      address?: string;
    };

/** Everything read about one policy domain. */
export interface ObservedDomain {
  domain: string;
  mx: DnsLookup<MxRecord>;
  stsTxt: DnsLookup<TxtStrings>;
  tlsRptTxt: DnsLookup<TxtStrings>;
  /** The policy at https://mta-sts.<domain>/.well-known/mta-sts.txt, fetched whether or not a TXT record exists. */
  policy: PolicyFetch;
}

/**
 * Outcome of an MX STARTTLS probe. The certificate and STARTTLS outcomes use the RFC 8460
 * section 4.3 result type names; the others say why no TLS session was reached.
 */
export type MxProbeResult =
  | "ok"
  | "starttls-not-supported"
  | "certificate-host-mismatch"
  | "certificate-expired"
  | "certificate-not-trusted"
  | "validation-failure"
  | "dns" // the MX host has no address, or the lookup failed
  | "address-blocked" // only private, loopback or link-local addresses, and they are not allowed
  | "connect" // TCP connection refused, reset or closed early
  | "timeout"
  | "protocol"; // the server sent an SMTP reply the probe cannot continue after

/** Result of one STARTTLS probe of an MX host. */
export interface MxProbe {
  /** The MX host name, lower-case, without the trailing dot. */
  host: string;
  result: MxProbeResult;
  /** One line that names the cause when `result` is not "ok". */
  detail?: string;
  /** The address the probe connected to, as "address:port", or null before a connection. */
  address: string | null;
  /** The 220 greeting line, when one was read. */
  banner: string | null;
  /** Negotiated protocol, e.g. "TLSv1.3", when the handshake completed. */
  tlsVersion: string | null;
  /** ISO 8601 expiry of the server certificate, known when the chain verified. */
  notAfter: string | null;
  /** Whole days from the probe to `notAfter` (negative once expired). */
  daysToExpiry: number | null;
  /** The certificate's subjectAltName DNS names, known when the chain verified. */
  certificateNames: string[];
}
