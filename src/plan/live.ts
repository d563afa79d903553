import {
  DNS_ABSENT,
  type DnsLookup,
  type ObservedDomain,
  type PolicyFetch,
} from "../observe/types.js";
import { type Policy, type PolicyParse, parsePolicy } from "../sts/policy.js";
import {
  joinTxtStrings,
  type RecordSelection,
  type StsRecord,
  selectStsRecord,
  selectTlsRptRecord,
  type TlsRptRecord,
} from "../sts/txt.js";

/** A lookup that failed temporarily, so the record set it asked for is unknown. */
export interface TemporaryFailure {
  name: string;
  type: string;
  status: string;
  detail: string;
}

/** The observed state of one domain, interpreted with the RFC rules. */
export interface LiveState {
  domain: string;
  sts: {
    /** Every TXT record at `_mta-sts`, joined; null when the lookup failed temporarily. */
    texts: string[] | null;
    selection: RecordSelection<StsRecord> | null;
    /** The id of the one valid STS record, or null. */
    id: string | null;
    cnameChain: string[];
    ttl: number | null;
  };
  tlsRpt: {
    texts: string[] | null;
    selection: RecordSelection<TlsRptRecord> | null;
    /** The destinations of the one valid TLS-RPT record, or null. */
    rua: string[] | null;
    cnameChain: string[];
  };
  policy: {
    fetch: PolicyFetch;
    parse: PolicyParse | null;
    /** The served policy when it was fetched and is valid. */
    value: Policy | null;
  };
  /** MX host names, lower-case; null when the lookup failed temporarily. */
  mxHosts: string[] | null;
  nullMx: boolean;
  /** No MX record: RFC 5321 section 5.1 makes the domain itself the implicit MX. */
  implicitMx: boolean;
  temporaryFailures: TemporaryFailure[];
}

function temporaryFailure<T>(lookup: DnsLookup<T>): TemporaryFailure | null {
  if (lookup.status === "ok" || DNS_ABSENT.has(lookup.status)) return null;
  return {
    name: lookup.name,
    type: lookup.type,
    status: lookup.status,
    detail: lookup.detail ?? lookup.status,
  };
}

/** Joins each TXT record's character-strings (RFC 8461 section 3.1: no spaces added). */
function joinedTexts(lookup: DnsLookup<string[]>): string[] | null {
  if (temporaryFailure(lookup)) return null;
  return lookup.records.map(joinTxtStrings);
}

function readMx(observed: ObservedDomain): Pick<LiveState, "mxHosts" | "nullMx" | "implicitMx"> {
  const lookup = observed.mx;
  if (temporaryFailure(lookup)) return { mxHosts: null, nullMx: false, implicitMx: false };

  const records = lookup.status === "ok" ? lookup.records : [];
  if (records.length === 0) {
    return { mxHosts: [observed.domain], nullMx: false, implicitMx: true };
  }

  // RFC 7505: a single MX with the root as exchange means the domain accepts no mail.
  if (records.length === 1 && (records[0]!.exchange === "." || records[0]!.exchange === "")) {
    return { mxHosts: [], nullMx: true, implicitMx: false };
  }

  const hosts = [...new Set(records.map((record) => record.exchange))].sort();
  return { mxHosts: hosts, nullMx: false, implicitMx: false };
}

/** Interprets an observation: record selection, policy parsing and MX hosts. */
export function readLiveState(observed: ObservedDomain): LiveState {
  const stsTexts = joinedTexts(observed.stsTxt);
  const stsSelection = stsTexts === null ? null : selectStsRecord(observed.stsTxt.records);
  const tlsTexts = joinedTexts(observed.tlsRptTxt);
  const tlsSelection = tlsTexts === null ? null : selectTlsRptRecord(observed.tlsRptTxt.records);

  const parse = observed.policy.ok ? parsePolicy(observed.policy.body) : null;

  const failures = [observed.mx, observed.stsTxt, observed.tlsRptTxt]
    .map((lookup) => temporaryFailure(lookup as DnsLookup<unknown>))
    .filter((failure): failure is TemporaryFailure => failure !== null);

  return {
    domain: observed.domain,
    sts: {
      texts: stsTexts,
      selection: stsSelection,
      id:
        stsSelection?.kind === "one" && stsSelection.parsed.ok
          ? stsSelection.parsed.record.id
          : null,
      cnameChain: observed.stsTxt.cnameChain,
      ttl: observed.stsTxt.ttl,
    },
    tlsRpt: {
      texts: tlsTexts,
      selection: tlsSelection,
      rua:
        tlsSelection?.kind === "one" && tlsSelection.parsed.ok
          ? tlsSelection.parsed.record.rua
          : null,
      cnameChain: observed.tlsRptTxt.cnameChain,
    },
    policy: { fetch: observed.policy, parse, value: parse?.policy ?? null },
    ...readMx(observed),
    temporaryFailures: failures,
  };
}

/** Every id found in the live `_mta-sts` records, valid or not, so a new id differs from all. */
export function liveStsIds(live: LiveState): string[] {
  const ids: string[] = [];
  for (const text of live.sts.texts ?? []) {
    const match = /(?:^|;)\s*id=([^;\s]*)/.exec(text);
    if (match?.[1]) ids.push(match[1]);
  }
  return ids;
}
