/**
 * Zone data and the authoritative answer logic of the loopback DNS server. It follows
 * RFC 1034 section 4.3.2 closely enough for the client to see every case it must
 * handle: NXDOMAIN versus NODATA (an empty non-terminal is NODATA), the SOA in the
 * authority section of negative answers (RFC 2308 section 3), CNAME chains chased inside
 * the zone, referrals at zone cuts, and zones that fail on purpose.
 */

import dnsPacket, { type Answer, type Packet, type SoaData } from "dns-packet";

/** Record sets at one owner name. */
export interface RecordSet {
  A?: string[];
  AAAA?: string[];
  /** The alias target; a name with a CNAME should have no other data. */
  CNAME?: string;
  MX?: { preference: number; exchange: string }[];
  /** Name servers: at the apex for the zone itself, below it for a delegation. */
  NS?: string[];
  /**
   * TXT records, each as its character-strings (at most 255 bytes each). Strings are
   * sent as UTF-8; pass a Uint8Array for exact bytes.
   */
  TXT?: (string | Uint8Array)[][];
  /** Replaces the default SOA; only read at the apex. */
  SOA?: SoaData;
}

/**
 * How a zone responds: "normal" answers from the data, "servfail" and "refused" send
 * that code for every name in the zone, and "drop" never responds.
 */
export type ZoneBehaviour = "normal" | "servfail" | "refused" | "drop";

export interface ZoneDefinition {
  /** The zone apex, e.g. "example.com". */
  name: string;
  /** Record sets by absolute owner name (case and a trailing dot are ignored). */
  records?: Record<string, RecordSet>;
  behaviour?: ZoneBehaviour;
  /** TTL of every record in seconds; 300 by default. */
  ttl?: number;
}

interface StoredZone {
  apex: string;
  behaviour: ZoneBehaviour;
  ttl: number;
  soa: SoaData;
  nodes: Map<string, StoredRecordSet>;
  /** Every owner name and each of its ancestors up to the apex, so empty non-terminals exist. */
  existing: Set<string>;
}

/** A record set with TXT strings converted to bytes once, because `dns-packet` rewrites string arrays in place. */
type StoredRecordSet = Omit<RecordSet, "TXT"> & { TXT?: Buffer[][] };

/** Longest CNAME chain the server chases inside one zone before it stops. */
const MAX_CHASE = 8;

/** Mutable set of zones, looked up by the longest apex that contains a name. */
export class ZoneStore {
  readonly #zones = new Map<string, StoredZone>();

  setZone(definition: ZoneDefinition): void {
    const apex = normalize(definition.name);
    const ttl = definition.ttl ?? 300;
    const previous = this.#zones.get(apex);
    const zone: StoredZone = {
      apex,
      behaviour: definition.behaviour ?? "normal",
      ttl,
      soa: defaultSoa(apex, ttl, (previous?.soa.serial ?? 0) + 1),
      nodes: new Map(),
      existing: new Set([apex]),
    };

    for (const [owner, records] of Object.entries(definition.records ?? {})) {
      putRecords(zone, normalize(owner), records);
    }
    this.#zones.set(apex, zone);
  }

  removeZone(apex: string): void {
    this.#zones.delete(normalize(apex));
  }

  /**
   * Replaces the record sets at one owner name (null removes the name) in the zone
   * that contains it, and bumps that zone's SOA serial. Throws when no zone contains it.
   */
  setRecords(owner: string, records: RecordSet | null): void {
    const name = normalize(owner);
    const zone = this.findZone(name);
    if (zone === undefined) {
      throw new Error(
        `no zone on this DNS server contains ${JSON.stringify(owner)}; add one with setZone`,
      );
    }

    if (records === null) {
      zone.nodes.delete(name);
      rebuildExisting(zone);
    } else {
      putRecords(zone, name, records);
    }
    zone.soa = { ...zone.soa, serial: (zone.soa.serial ?? 0) + 1 };
  }

  setBehaviour(apex: string, behaviour: ZoneBehaviour): void {
    const zone = this.#zones.get(normalize(apex));
    if (zone === undefined) {
      throw new Error(`no zone ${JSON.stringify(apex)} on this DNS server`);
    }
    zone.behaviour = behaviour;
  }

  findZone(name: string): StoredZone | undefined {
    let current = name;
    for (;;) {
      const zone = this.#zones.get(current);
      if (zone !== undefined) {
        return zone;
      }
      const dot = current.indexOf(".");
      if (dot === -1) {
        return this.#zones.get("");
      }
      current = current.slice(dot + 1);
    }
  }

  /**
   * Builds the response to a decoded query, or returns null when the zone drops it.
   * Truncation to the transport's size limit is left to the caller.
   */
  answer(query: Packet & { opcode?: string }): Packet | null {
    const questions = query.questions ?? [];
    const base: Packet = {
      type: "response",
      id: query.id ?? 0,
      flags: query.flags !== undefined ? query.flags & dnsPacket.RECURSION_DESIRED : 0,
      questions,
      answers: [],
      authorities: [],
      additionals: [],
    };
    if (query.opcode !== undefined && query.opcode !== "QUERY") {
      return withRcode(base, RCODE.NOTIMP);
    }
    if (questions.length !== 1) {
      return withRcode(base, RCODE.FORMERR);
    }

    const question = questions[0]!;
    const name = normalize(question.name);
    const zone = this.findZone(name);
    if (zone === undefined) {
      return withRcode(base, RCODE.REFUSED);
    }

    switch (zone.behaviour) {
      case "drop":
        return null;
      case "servfail":
        return withRcode(base, RCODE.SERVFAIL);
      case "refused":
        return withRcode(base, RCODE.REFUSED);
      case "normal":
        return this.#answerFromZone(base, zone, name, question.type);
    }
  }

  #answerFromZone(base: Packet, zone: StoredZone, name: string, type: string): Packet {
    const cut = findCut(zone, name);
    if (cut !== null && !(cut === name && type === "DS")) {
      return this.#referral(base, zone, cut);
    }

    const answers: Answer[] = [];
    const authorities: Answer[] = [];
    let rcode: number = RCODE.NOERROR;
    let current = name;

    for (let link = 0; link <= MAX_CHASE; link++) {
      const node = zone.nodes.get(current);
      if (node === undefined) {
        rcode = zone.existing.has(current) ? RCODE.NOERROR : RCODE.NXDOMAIN;
        authorities.push(soaRecord(zone));
        break;
      }

      if (node.CNAME !== undefined && type !== "CNAME") {
        const target = normalize(node.CNAME);
        answers.push({ type: "CNAME", name: current, ttl: zone.ttl, data: target });
        // Chase only inside this zone and above any cut; a resolver asks about the rest.
        if (this.findZone(target) !== zone || findCut(zone, target) !== null) {
          break;
        }
        current = target;
        continue;
      }

      const records = recordsOf(zone, node, current, type);
      if (records.length === 0) {
        authorities.push(soaRecord(zone));
      }
      answers.push(...records);
      break;
    }

    const additionals = type === "NS" ? this.#glueFor(answers) : [];
    return withRcode(
      {
        ...base,
        flags: (base.flags ?? 0) | dnsPacket.AUTHORITATIVE_ANSWER,
        answers,
        authorities,
        additionals,
      },
      rcode,
    );
  }

  #referral(base: Packet, zone: StoredZone, cut: string): Packet {
    const hosts = zone.nodes.get(cut)?.NS ?? [];
    const authorities: Answer[] = hosts.map((host) => ({
      type: "NS",
      name: cut,
      ttl: zone.ttl,
      data: normalize(host),
    }));
    return { ...base, authorities, additionals: this.#glueFor(authorities) };
  }

  /** A and AAAA records of the NS hosts in `records`, from any zone of this server. */
  #glueFor(records: Answer[]): Answer[] {
    const glue: Answer[] = [];
    for (const record of records) {
      if (record.type !== "NS") {
        continue;
      }
      const host = normalize(record.data);
      const zone = this.findZone(host);
      const node = zone?.nodes.get(host);
      if (zone === undefined || node === undefined) {
        continue;
      }
      glue.push(...recordsOf(zone, node, host, "A"), ...recordsOf(zone, node, host, "AAAA"));
    }
    return glue;
  }
}

/** DNS RCODE values (RFC 1035 section 4.1.1, RFC 2136). */
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

function withRcode(packet: Packet, rcode: number): Packet {
  return { ...packet, flags: ((packet.flags ?? 0) & ~0xf) | rcode };
}

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function defaultSoa(apex: string, ttl: number, serial: number): SoaData {
  return {
    mname: `ns1.${apex}`,
    rname: `hostmaster.${apex}`,
    serial,
    refresh: 3600,
    retry: 600,
    expire: 86_400,
    minimum: ttl,
  };
}

function putRecords(zone: StoredZone, owner: string, records: RecordSet): void {
  const { TXT, ...others } = records;
  const stored: StoredRecordSet = { ...others };
  if (TXT !== undefined) {
    stored.TXT = TXT.map((strings) =>
      strings.map((part) =>
        typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part),
      ),
    );
  }
  if (owner === zone.apex && records.SOA !== undefined) {
    zone.soa = { ...records.SOA };
  }
  zone.nodes.set(owner, stored);
  addExisting(zone, owner);
}

function addExisting(zone: StoredZone, owner: string): void {
  let current = owner;
  while (current !== zone.apex && current.endsWith(`.${zone.apex}`)) {
    zone.existing.add(current);
    current = current.slice(current.indexOf(".") + 1);
  }
}

function rebuildExisting(zone: StoredZone): void {
  zone.existing = new Set([zone.apex]);
  for (const owner of zone.nodes.keys()) {
    addExisting(zone, owner);
  }
}

/** Finds the delegation point closest to the apex at or above `name` and below the apex, or returns null. */
function findCut(zone: StoredZone, name: string): string | null {
  let cut: string | null = null;
  let current = name;
  while (current !== zone.apex && current.endsWith(`.${zone.apex}`)) {
    if (zone.nodes.get(current)?.NS !== undefined) {
      cut = current;
    }
    current = current.slice(current.indexOf(".") + 1);
  }
  return cut;
}

function soaRecord(zone: StoredZone): Answer {
  // RFC 2308 section 3: the negative-caching TTL is the smaller of the SOA TTL and MINIMUM.
  const ttl = Math.min(zone.ttl, zone.soa.minimum ?? zone.ttl);
  return { type: "SOA", name: zone.apex, ttl, data: { ...zone.soa } };
}

function recordsOf(zone: StoredZone, node: StoredRecordSet, owner: string, type: string): Answer[] {
  const ttl = zone.ttl;
  switch (type) {
    case "A":
      return (node.A ?? []).map((data) => ({ type: "A", name: owner, ttl, data }));
    case "AAAA":
      return (node.AAAA ?? []).map((data) => ({ type: "AAAA", name: owner, ttl, data }));
    case "CNAME":
      return node.CNAME === undefined
        ? []
        : [{ type: "CNAME", name: owner, ttl, data: normalize(node.CNAME) }];
    case "MX":
      return (node.MX ?? []).map((data) => ({ type: "MX", name: owner, ttl, data: { ...data } }));
    case "NS":
      return (node.NS ?? []).map((data) => ({
        type: "NS",
        name: owner,
        ttl,
        data: normalize(data),
      }));
    case "TXT":
      // Fresh arrays, because dns-packet's TXT encoder replaces array items in place.
      return (node.TXT ?? []).map((data) => ({ type: "TXT", name: owner, ttl, data: [...data] }));
    case "SOA":
      return owner === zone.apex ? [{ type: "SOA", name: owner, ttl, data: { ...zone.soa } }] : [];
    default:
      return [];
  }
}
