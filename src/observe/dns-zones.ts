/**
 * Zone cuts and authoritative name servers, found through the configured resolvers and
 * cached for the run. Asking the authoritative servers directly keeps a plan that runs
 * right after apply from reading a stale answer out of a resolver's cache.
 *
 * Finding the zone of a name: the longest zone already known that contains the name is
 * used as it is (its servers return a referral for any deeper zone cut). Otherwise the
 * resolvers are asked for the SOA of the name, which names the zone apex in the answer
 * (the name is an apex) or in the authority section (NODATA and NXDOMAIN answers carry
 * the SOA of the enclosing zone, RFC 2308 section 3). Without an SOA the walk goes up
 * one label. The NS records of the apex and their addresses come from the resolvers too.
 */

import type { Answer } from "dns-packet";
import { checkAddress } from "./address-guard.js";
import { isInZone, normalizeName, parentName, selfAndAncestors } from "./dns-name.js";
import { type DnsResponse, type DnsTransport, recordData } from "./dns-transport.js";
import { type Endpoint, formatEndpoint } from "./endpoint.js";

/** At most this many addresses of a zone's name servers are queried. */
const MAX_ZONE_SERVERS = 4;

/** The authoritative servers of one zone, as this run has found them. */
export interface ZoneServers {
  /** Zone apex, normalized. */
  apex: string;
  /** Addresses to query (IPv4 first), after the address guard. */
  servers: Endpoint[];
  /** Cause of an empty `servers` list. */
  problem?: string;
  /** Servers that did not respond to a query for this zone in this run, so they are skipped. */
  silent: Set<string>;
}

export type ZoneLookup =
  | { kind: "zone"; zone: ZoneServers }
  /** The resolvers did not respond, so asking them again is pointless. */
  | { kind: "timeout"; detail: string }
  /** No zone could be found; the caller falls back to the resolvers. */
  | { kind: "none"; detail: string };

export interface ZoneCacheOptions {
  transport: DnsTransport;
  resolvers: Endpoint[];
  /** Port of NS-derived servers (53 outside tests). */
  authoritativePort: number;
  allowPrivateAddresses: boolean;
}

export class ZoneCache {
  readonly #options: ZoneCacheOptions;
  /** Known zones by apex; the promise is pending while the NS addresses are looked up. */
  readonly #zones = new Map<string, Promise<ZoneServers>>();
  /** Discoveries in flight by the name they started from. */
  readonly #discoveries = new Map<string, Promise<ZoneLookup>>();
  /** NS host addresses by host name, for the whole run. */
  readonly #hostAddresses = new Map<string, Promise<string[]>>();

  constructor(options: ZoneCacheOptions) {
    this.#options = options;
  }

  /**
   * Returns the zone to ask about `name`. A discovery already running for the name or
   * one of its ancestors is awaited first, so the names of one domain share one
   * discovery instead of each sending its own SOA query.
   */
  async zoneFor(name: string): Promise<ZoneLookup> {
    for (;;) {
      const known = this.#longestKnownZone(name);
      if (known !== null) {
        return { kind: "zone", zone: await known };
      }

      const running = this.#runningDiscovery(name);
      if (running === null) {
        break;
      }
      await running;
    }

    const discovery = this.#discover(name);
    this.#discoveries.set(name, discovery);
    try {
      return await discovery;
    } finally {
      this.#discoveries.delete(name);
    }
  }

  /**
   * Reads a referral (a response without AA whose authority section contains the NS
   * records of a zone cut between `parentApex` and `name`) and caches the child zone.
   * Returns null when the response is not such a referral.
   */
  learnReferral(
    response: DnsResponse,
    name: string,
    parentApex: string,
  ): Promise<ZoneServers> | null {
    const nsRecords = (response.authorities ?? []).filter(
      (record) => record.type === "NS" && typeof recordData(record) === "string",
    );
    const childApex = nsRecords.length > 0 ? normalizeName(nsRecords[0]!.name) : null;
    if (childApex === null || childApex === parentApex) {
      return null;
    }
    if (!isInZone(name, childApex) || !isInZone(childApex, parentApex)) {
      return null;
    }

    const existing = this.#zones.get(childApex);
    if (existing !== undefined) {
      return existing;
    }

    const hosts = nsRecords
      .filter((record) => normalizeName(record.name) === childApex)
      .map((record) => normalizeName(String(recordData(record))));
    // Glue outside the parent zone is ignored: the parent's servers cannot vouch for it.
    const zone = this.#serversFor(childApex, hosts, glueOf(response, parentApex));
    this.#zones.set(childApex, zone);
    return zone;
  }

  #longestKnownZone(name: string): Promise<ZoneServers> | null {
    for (const candidate of selfAndAncestors(name)) {
      const zone = this.#zones.get(candidate);
      if (zone !== undefined) {
        return zone;
      }
    }
    return null;
  }

  #runningDiscovery(name: string): Promise<ZoneLookup> | null {
    for (const candidate of selfAndAncestors(name)) {
      const discovery = this.#discoveries.get(candidate);
      if (discovery !== undefined) {
        return discovery;
      }
    }
    return null;
  }

  async #discover(name: string): Promise<ZoneLookup> {
    const { transport, resolvers } = this.#options;

    for (let current = name; current !== ""; current = parentName(current)) {
      const exchange = await transport.exchange(resolvers, { name: current, type: "SOA" }, true);
      const reply = exchange.reply;

      if (reply.kind === "timeout") {
        return { kind: "timeout", detail: reply.detail };
      }
      if (reply.kind === "error") {
        return { kind: "none", detail: `zone of ${name} not found: ${reply.detail}` };
      }
      if (reply.packet.rcode !== "NOERROR" && reply.packet.rcode !== "NXDOMAIN") {
        return {
          kind: "none",
          detail: `zone of ${name} not found: ${reply.packet.rcode} from ${reply.server} for ${current} SOA`,
        };
      }

      const apex = apexFromSoaResponse(reply.packet, current);
      if (apex !== null) {
        return { kind: "zone", zone: await this.#zoneAt(apex) };
      }
    }

    return { kind: "none", detail: `zone of ${name} not found: no SOA record above it` };
  }

  #zoneAt(apex: string): Promise<ZoneServers> {
    const existing = this.#zones.get(apex);
    if (existing !== undefined) {
      return existing;
    }
    const zone = this.#loadZone(apex);
    this.#zones.set(apex, zone);
    return zone;
  }

  async #loadZone(apex: string): Promise<ZoneServers> {
    const { transport, resolvers } = this.#options;
    const exchange = await transport.exchange(resolvers, { name: apex, type: "NS" }, true);
    const reply = exchange.reply;

    if (reply.kind !== "response") {
      return emptyZone(apex, `NS lookup for ${apex} failed: ${reply.detail}`);
    }
    if (reply.packet.rcode !== "NOERROR") {
      return emptyZone(
        apex,
        `NS lookup for ${apex} failed: ${reply.packet.rcode} from ${reply.server}`,
      );
    }

    const hosts = (reply.packet.answers ?? [])
      .filter((record) => record.type === "NS" && normalizeName(record.name) === apex)
      .map((record) => normalizeName(String(recordData(record))));
    if (hosts.length === 0) {
      return emptyZone(apex, `${apex} has no NS records`);
    }
    return this.#serversFor(apex, hosts, glueOf(reply.packet, ""));
  }

  async #serversFor(
    apex: string,
    hosts: string[],
    glue: Map<string, string[]>,
  ): Promise<ZoneServers> {
    const perHost = await Promise.all(
      hosts.map((host) => glue.get(host) ?? this.#addressesOfHost(host)),
    );
    const addresses = [...new Set(perHost.flat())];
    const ordered = [
      ...addresses.filter((address) => !address.includes(":")),
      ...addresses.filter((address) => address.includes(":")),
    ];

    const rejected: string[] = [];
    const servers: Endpoint[] = [];
    for (const address of ordered) {
      const problem = checkAddress(address, this.#options.allowPrivateAddresses);
      if (problem !== null) {
        rejected.push(problem);
        continue;
      }
      servers.push({ address, port: this.#options.authoritativePort });
    }

    const limited = servers.slice(0, MAX_ZONE_SERVERS);
    if (limited.length > 0) {
      return { apex, servers: limited, silent: new Set() };
    }
    if (rejected.length > 0) {
      return emptyZone(apex, `the name servers of ${apex} are not usable: ${rejected.join("; ")}`);
    }
    return emptyZone(apex, `the name servers of ${apex} (${hosts.join(", ")}) have no address`);
  }

  #addressesOfHost(host: string): Promise<string[]> {
    const existing = this.#hostAddresses.get(host);
    if (existing !== undefined) {
      return existing;
    }

    const { transport, resolvers } = this.#options;
    const lookup = Promise.all(
      (["A", "AAAA"] as const).map(async (type) => {
        const exchange = await transport.exchange(resolvers, { name: host, type }, true);
        const reply = exchange.reply;
        if (reply.kind !== "response") {
          return [];
        }
        return (reply.packet.answers ?? [])
          .filter((record) => record.type === type)
          .map((record) => String(recordData(record)));
      }),
    ).then((lists) => lists.flat());

    this.#hostAddresses.set(host, lookup);
    return lookup;
  }
}

function emptyZone(apex: string, problem: string): ZoneServers {
  return { apex, servers: [], problem, silent: new Set() };
}

/** Finds the apex in an SOA response for `name`, or returns null when the response does not show it. */
function apexFromSoaResponse(response: DnsResponse, name: string): string | null {
  const answers = response.answers ?? [];
  const aliased = answers.some(
    (record) => record.type === "CNAME" && normalizeName(record.name) === name,
  );
  if (aliased) {
    // The SOA in such an answer belongs to the target's zone, not to the zone of `name`.
    return null;
  }

  const ownSoa = answers.find(
    (record) => record.type === "SOA" && normalizeName(record.name) === name,
  );
  if (ownSoa !== undefined) {
    return name;
  }

  const enclosing = (response.authorities ?? []).find(
    (record) => record.type === "SOA" && isInZone(name, normalizeName(record.name)),
  );
  return enclosing === undefined ? null : normalizeName(enclosing.name);
}

/** Collects the A and AAAA records of the additional section whose owner lies in `zone`, by owner name. */
function glueOf(response: DnsResponse, zone: string): Map<string, string[]> {
  const glue = new Map<string, string[]>();
  for (const record of response.additionals ?? []) {
    const owner = normalizeName(record.name);
    if (!isAddressRecord(record) || !isInZone(owner, zone)) {
      continue;
    }
    glue.set(owner, [...(glue.get(owner) ?? []), String(recordData(record))]);
  }
  return glue;
}

function isAddressRecord(record: Answer): boolean {
  return record.type === "A" || record.type === "AAAA";
}

/** Returns the servers of a zone that have not been silent in this run. */
export function usableServers(zone: ZoneServers): Endpoint[] {
  return zone.servers.filter((server) => !zone.silent.has(formatEndpoint(server)));
}
