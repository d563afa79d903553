/**
 * DNS client for the live reads: TXT, MX and address lookups, asked of the zone's
 * authoritative servers first and of the configured resolvers when those do not
 * answer. Built on `dns-packet` and plain sockets, so every status a server returns
 * stays visible (a temporary failure must never read as "no record").
 */

import { isIP } from "node:net";
import type { Answer, RecordType } from "dns-packet";
import { findNameProblem, isInZone, normalizeName } from "./dns-name.js";
import { type DnsResponse, DnsTransport, recordData } from "./dns-transport.js";
import { usableServers, ZoneCache } from "./dns-zones.js";
import { type Endpoint, parseEndpoint } from "./endpoint.js";
import type { AddressLookup, DnsLookup, DnsStatus, MxRecord, TxtStrings } from "./types.js";

export interface DnsClientOptions {
  /** Recursive resolvers as "address:port" ("[v6]:port" for IPv6; the port defaults to 53). */
  resolvers: string[];
  /** Ask the zone's authoritative servers first, found through the resolvers. */
  authoritative: boolean;
  /** Port of servers found through NS records; 53 unless a test sandbox sets its own. */
  authoritativePort?: number;
  /** Time to wait for each answer from one server, in milliseconds. */
  timeoutMs: number;
  /** Rounds over a server list before it counts as not responding. */
  attempts: number;
  /** Allow NS-derived servers on private, loopback and link-local addresses. */
  allowPrivateAddresses: boolean;
}

export interface DnsClient {
  lookupTxt(name: string): Promise<DnsLookup<TxtStrings>>;
  lookupMx(name: string): Promise<DnsLookup<MxRecord>>;
  /** Looks up A and AAAA together; `addresses` lists IPv4 first. An IP literal is returned as is. */
  lookupAddresses(name: string): Promise<AddressLookup>;
  /** Messages sent so far, retries and zone discovery included. */
  stats(): { queries: number };
  /** Ends the queries in flight with an error; later lookups fail at once. */
  close(): void;
}

/** RFC 1034 gives no limit; resolvers commonly stop following CNAMEs at 8 to 16 links. */
const MAX_CNAME_CHAIN = 8;

/** Referrals followed below a known zone before giving up on the authoritative path. */
const MAX_REFERRALS = 4;

type FailureStatus = Exclude<DnsStatus, "ok" | "nxdomain" | "nodata">;

/** Outcome of asking about one name, before CNAME targets outside the answer are followed. */
type Step =
  | {
      kind: "answer";
      packet: DnsResponse;
      server: string;
      authoritative: boolean;
      fallback?: string;
    }
  | {
      kind: "failure";
      status: FailureStatus;
      server: string | null;
      detail: string;
      fallback?: string;
    };

/** A lookup result with raw records, shared by the typed lookups. */
interface Resolution {
  name: string;
  status: DnsStatus;
  records: Answer[];
  cnameChain: string[];
  ttl: number | null;
  server: string | null;
  authoritative: boolean;
  detail?: string;
  fallback?: string;
}

/**
 * Creates a DNS client for one run. Zone cuts and name server addresses are cached for
 * the client's lifetime, and identical lookups in flight share one set of queries.
 * Answers themselves are never cached, so a lookup after a write sees the write.
 *
 * Time bound: each server asked costs at most `timeoutMs * attempts` (plus one
 * `timeoutMs` for a TCP retry after a truncated answer). A lookup asks at most 4
 * authoritative addresses and then each resolver, per CNAME link; the first lookup in a
 * zone also waits for the zone discovery queries to the resolvers. When the resolvers
 * do not respond to discovery, the lookup returns "timeout" without asking them again.
 * A server that never responds is skipped for the rest of the run for that zone.
 */
export function createDnsClient(options: DnsClientOptions): DnsClient {
  const resolvers = checkOptions(options);
  const transport = new DnsTransport({ timeoutMs: options.timeoutMs, attempts: options.attempts });
  const zones = new ZoneCache({
    transport,
    resolvers,
    authoritativePort: options.authoritativePort ?? 53,
    allowPrivateAddresses: options.allowPrivateAddresses,
  });
  const inFlight = new Map<string, Promise<Resolution>>();

  const resolve = (rawName: string, type: RecordType): Promise<Resolution> => {
    const name = normalizeName(rawName);
    const key = `${type} ${name}`;
    const running = inFlight.get(key);
    if (running !== undefined) {
      return running;
    }

    const resolution = resolveName(name, type, options.authoritative, resolvers, transport, zones);
    inFlight.set(key, resolution);
    resolution.finally(() => inFlight.delete(key)).catch(() => {});
    return resolution;
  };

  return {
    async lookupTxt(name) {
      const resolution = await resolve(name, "TXT");
      const records = resolution.records.map((record) => txtStrings(recordData(record)));
      return toLookup(resolution, "TXT", records);
    },

    async lookupMx(name) {
      const resolution = await resolve(name, "MX");
      const records = resolution.records.map((record) => mxRecord(recordData(record)));
      return toLookup(resolution, "MX", records);
    },

    async lookupAddresses(name) {
      const normalized = normalizeName(name);
      if (isIP(normalized) !== 0) {
        return { name: normalized, status: "ok", addresses: [normalized], cnameChain: [] };
      }
      const [v4, v6] = await Promise.all([resolve(normalized, "A"), resolve(normalized, "AAAA")]);
      return combineAddresses(normalized, v4, v6);
    },

    stats() {
      return { queries: transport.queries };
    },

    close() {
      transport.close();
    },
  };
}

function checkOptions(options: DnsClientOptions): Endpoint[] {
  if (options.resolvers.length === 0) {
    throw new Error('DNS client: no resolver configured; set at least one, e.g. "127.0.0.53:53"');
  }
  if (!(options.timeoutMs > 0)) {
    throw new Error(`DNS client: timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  if (!Number.isInteger(options.attempts) || options.attempts < 1) {
    throw new Error(
      `DNS client: attempts must be an integer of at least 1, got ${options.attempts}`,
    );
  }
  return options.resolvers.map((resolver) => parseEndpoint(resolver, 53));
}

async function resolveName(
  name: string,
  type: RecordType,
  authoritative: boolean,
  resolvers: Endpoint[],
  transport: DnsTransport,
  zones: ZoneCache,
): Promise<Resolution> {
  const problem = findNameProblem(name);
  if (problem !== null) {
    return failed(name, [], "error", null, `invalid DNS name: ${problem}`);
  }

  const askOnce = (current: string): Promise<Step> =>
    authoritative
      ? askAuthoritative(current, type, resolvers, transport, zones)
      : askResolvers(current, type, resolvers, transport);

  const chain: string[] = [];
  const seen = new Set([name]);
  let current = name;
  let ttl: number | null = null;
  let fallback: string | undefined;

  for (;;) {
    const step = await askOnce(current);
    fallback ??= step.fallback;
    if (step.kind === "failure") {
      return { ...failed(name, chain, step.status, step.server, step.detail), fallback };
    }

    const read = readAnswer(step.packet, current, type);
    ttl = minTtl(ttl, read.ttl);
    for (const target of read.targets) {
      if (seen.has(target)) {
        const loop = [name, ...chain, target].join(" -> ");
        return { ...failed(name, chain, "error", step.server, `CNAME loop: ${loop}`), fallback };
      }
      seen.add(target);
      chain.push(target);
      if (chain.length > MAX_CNAME_CHAIN) {
        const detail = `the CNAME chain from ${name} is longer than ${MAX_CNAME_CHAIN} links`;
        return { ...failed(name, chain, "error", step.server, detail), fallback };
      }
    }

    const base = {
      name,
      cnameChain: [...chain],
      server: step.server,
      authoritative: step.authoritative,
      ...(fallback === undefined ? {} : { fallback }),
    };
    if (read.records.length > 0) {
      return { ...base, status: "ok", records: read.records, ttl };
    }
    if (step.packet.rcode === "NXDOMAIN") {
      const detail = chain.length > 0 ? `the CNAME target ${read.end} does not exist` : undefined;
      return { ...base, status: "nxdomain", records: [], ttl: null, ...(detail ? { detail } : {}) };
    }

    // A server answers for its own zones only. A chain that leaves them ends without
    // data and without an SOA for the target, so the target is asked about on its own.
    if (read.end !== current && !hasSoaCovering(step.packet, read.end)) {
      current = read.end;
      continue;
    }
    return { ...base, status: "nodata", records: [], ttl: null };
  }
}

/** Asks the authoritative servers of the zone of `name`, falling back to the resolvers. */
async function askAuthoritative(
  name: string,
  type: RecordType,
  resolvers: Endpoint[],
  transport: DnsTransport,
  zones: ZoneCache,
): Promise<Step> {
  const found = await zones.zoneFor(name);
  if (found.kind === "timeout") {
    return { kind: "failure", status: "timeout", server: null, detail: found.detail };
  }
  if (found.kind === "none") {
    return withFallback(await askResolvers(name, type, resolvers, transport), found.detail);
  }

  let zone = found.zone;
  let reason = "";
  for (let referrals = 0; referrals <= MAX_REFERRALS; referrals++) {
    const servers = usableServers(zone);
    if (servers.length === 0) {
      reason = zone.problem ?? `no name server of ${zone.apex} responded earlier in this run`;
      break;
    }

    const exchange = await transport.exchange(servers, { name, type }, false);
    for (const silent of exchange.silentServers) {
      zone.silent.add(silent);
    }

    const reply = exchange.reply;
    if (reply.kind !== "response") {
      reason = `the name servers of ${zone.apex} did not answer: ${reply.detail}`;
      break;
    }
    const { packet } = reply;
    if (packet.rcode !== "NOERROR" && packet.rcode !== "NXDOMAIN") {
      reason = `${reply.server} returned ${packet.rcode} for ${name} ${type}`;
      break;
    }
    if (packet.flag_aa) {
      return { kind: "answer", packet, server: reply.server, authoritative: true };
    }

    const child = zones.learnReferral(packet, name, zone.apex);
    if (child === null) {
      reason = `${reply.server} is not authoritative for ${zone.apex} (no AA flag and no referral)`;
      break;
    }
    zone = await child;
    reason = `more than ${MAX_REFERRALS} referrals below ${found.zone.apex}`;
  }

  return withFallback(await askResolvers(name, type, resolvers, transport), reason);
}

async function askResolvers(
  name: string,
  type: RecordType,
  resolvers: Endpoint[],
  transport: DnsTransport,
): Promise<Step> {
  const { reply } = await transport.exchange(resolvers, { name, type }, true);

  if (reply.kind === "timeout") {
    return { kind: "failure", status: "timeout", server: reply.server, detail: reply.detail };
  }
  if (reply.kind === "error") {
    return { kind: "failure", status: "error", server: reply.server, detail: reply.detail };
  }

  const { packet } = reply;
  if (packet.rcode === "NOERROR" || packet.rcode === "NXDOMAIN") {
    return { kind: "answer", packet, server: reply.server, authoritative: false };
  }
  return {
    kind: "failure",
    status: statusOfRcode(packet.rcode),
    server: reply.server,
    detail: `${reply.server} returned ${packet.rcode} for ${name} ${type}`,
  };
}

function statusOfRcode(rcode: string): FailureStatus {
  if (rcode === "SERVFAIL") {
    return "servfail";
  }
  if (rcode === "REFUSED") {
    return "refused";
  }
  return "error";
}

function withFallback(step: Step, reason: string): Step {
  return { ...step, fallback: `answer from a resolver because ${reason}` };
}

/**
 * Follows the CNAME records inside one answer from `name`. Returns the records of
 * `type` at the end of the chain, the targets passed through and the smallest TTL.
 * Records owned by names outside the chain are ignored.
 */
function readAnswer(
  packet: DnsResponse,
  name: string,
  type: RecordType,
): { records: Answer[]; targets: string[]; ttl: number | null; end: string } {
  const answers = packet.answers ?? [];
  const targets: string[] = [];
  const seen = new Set([name]);
  let current = name;
  let ttl: number | null = null;

  for (;;) {
    const owned = answers.filter((record) => normalizeName(record.name) === current);
    const records = owned.filter((record) => record.type === type);
    if (records.length > 0) {
      for (const record of records) {
        ttl = minTtl(ttl, ttlOf(record));
      }
      return { records, targets, ttl, end: current };
    }

    const cname = owned.find((record) => record.type === "CNAME");
    const cnameTarget = cname === undefined ? undefined : recordData(cname);
    if (cname === undefined || typeof cnameTarget !== "string") {
      return { records: [], targets, ttl, end: current };
    }

    const target = normalizeName(cnameTarget);
    ttl = minTtl(ttl, ttlOf(cname));
    targets.push(target);
    if (seen.has(target)) {
      return { records: [], targets, ttl, end: target };
    }
    seen.add(target);
    current = target;
  }
}

function hasSoaCovering(packet: DnsResponse, name: string): boolean {
  return (packet.authorities ?? []).some(
    (record) => record.type === "SOA" && isInZone(name, normalizeName(record.name)),
  );
}

function ttlOf(record: Answer): number | null {
  return "ttl" in record && typeof record.ttl === "number" ? record.ttl : null;
}

function minTtl(a: number | null, b: number | null): number | null {
  if (a === null) {
    return b;
  }
  return b === null ? a : Math.min(a, b);
}

function failed(
  name: string,
  chain: string[],
  status: DnsStatus,
  server: string | null,
  detail: string,
): Resolution {
  return {
    name,
    status,
    records: [],
    cnameChain: [...chain],
    ttl: null,
    server,
    authoritative: false,
    detail,
  };
}

function toLookup<T>(resolution: Resolution, type: "TXT" | "MX", records: T[]): DnsLookup<T> {
  const lookup: DnsLookup<T> = {
    name: resolution.name,
    type,
    status: resolution.status,
    records,
    cnameChain: resolution.cnameChain,
    ttl: resolution.ttl,
    server: resolution.server,
    authoritative: resolution.authoritative,
  };
  if (resolution.detail !== undefined) {
    lookup.detail = resolution.detail;
  }
  if (resolution.fallback !== undefined) {
    lookup.fallback = resolution.fallback;
  }
  return lookup;
}

/** TXT character-strings decoded as latin1, so every byte maps to one character and none is lost. */
function txtStrings(data: unknown): TxtStrings {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((part) => (Buffer.isBuffer(part) ? part.toString("latin1") : String(part)));
}

/** MX data with the exchange normalized; the null MX of RFC 7505 becomes ".". */
function mxRecord(data: unknown): MxRecord {
  const { preference, exchange } = data as { preference?: number; exchange: string };
  const host = normalizeName(exchange);
  return { preference: preference ?? 0, exchange: host === "" ? "." : host };
}

function combineAddresses(name: string, v4: Resolution, v6: Resolution): AddressLookup {
  const addresses = [...v4.records, ...v6.records].map((record) => String(recordData(record)));
  const cnameChain = v4.cnameChain.length > 0 ? v4.cnameChain : v6.cnameChain;
  if (addresses.length > 0) {
    return { name, status: "ok", addresses, cnameChain };
  }

  const absent = (status: DnsStatus) => status === "nxdomain" || status === "nodata";
  if (absent(v4.status) && absent(v6.status)) {
    const status = v4.status === "nxdomain" || v6.status === "nxdomain" ? "nxdomain" : "nodata";
    const detail =
      status === "nxdomain" ? `${name} does not exist` : `${name} has no A or AAAA record`;
    return { name, status, addresses, cnameChain, detail };
  }

  const failure = absent(v4.status) ? v6 : v4;
  const detail = failure.detail ?? `${failure.status} looking up ${name}`;
  return { name, status: failure.status, addresses, cnameChain, detail };
}
