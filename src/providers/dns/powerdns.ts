/**
 * DNS provider for a PowerDNS Authoritative Server, over its HTTP API. It reads and
 * writes only the TXT RRsets at `_mta-sts.<domain>` and `_smtp._tls.<domain>`. Every
 * PATCH names just those RRsets, so other records in the zone are never sent.
 */

import { checkWrites, managedNames } from "../managed-names.js";
import type { DnsProvider, ManagedTxt, TxtWrite } from "../types.js";
import {
  createPowerDnsClient,
  PowerDnsApiError,
  type PowerDnsRrset,
  type PowerDnsRrsetChange,
  type PowerDnsZoneSummary,
} from "./powerdns-api.js";
import { formatTxtContent, parseTxtContent } from "./powerdns-txt.js";

export interface PowerDnsOptions {
  /** The provider's name in the configuration, used in logs and errors. */
  name: string;
  /** Base URL of the PowerDNS webserver, e.g. "http://127.0.0.1:8081". */
  apiUrl: string;
  /** The server id in API paths; PowerDNS Authoritative always calls itself "localhost". */
  serverId?: string;
  apiKey: string;
  /** Receives one line per step, "powerdns[<name>] <method>: key=value ...". */
  log: (line: string) => void;
  /** TTL in seconds for a new RRset when the write gives none. */
  defaultTtl?: number;
  /** Maximum time in ms for one API request. */
  timeoutMs?: number;
}

const DEFAULT_TTL = 3600;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Live state of one managed owner name in PowerDNS. */
interface NameState {
  name: string;
  zone: PowerDnsZoneSummary;
  /** The joined text of each enabled TXT record. */
  txt: string[];
  /** TTL of the TXT RRset, or null when there is none. */
  ttl: number | null;
  /** Target of a CNAME at the name, or null. */
  cname: string | null;
}

export function createPowerDns(options: PowerDnsOptions): DnsProvider {
  const serverId = options.serverId ?? "localhost";
  const defaultTtl = options.defaultTtl ?? DEFAULT_TTL;
  const client = createPowerDnsClient({
    apiUrl: options.apiUrl,
    serverId,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const label = `PowerDNS provider "${options.name}"`;
  const log = (line: string) => options.log(`powerdns[${options.name}] ${line}`);

  // One zone list per provider instance, which lives for one run.
  let zones: Promise<PowerDnsZoneSummary[]> | null = null;
  // Null until a response shows whether the server honours the rrset_name filter.
  // PowerDNS 4.7.3 does, and a server that ignores it sends the whole zone.
  let filterHonoured: boolean | null = null;

  function hint(error: unknown): string {
    const status = error instanceof PowerDnsApiError ? error.status : null;
    if (status === null) {
      return `check that ${client.baseUrl} is the PowerDNS webserver and that pdns.conf sets api=yes`;
    }
    if (status === 401 || status === 403) {
      return "check the API key given to this provider against api-key in pdns.conf";
    }
    if (status === 404) {
      return `check serverId "${serverId}" and that the zone still exists`;
    }
    if (status === 422) {
      return "PowerDNS rejected the data; its message names the problem";
    }
    return "see the PowerDNS server log";
  }

  function fail(action: string, error: unknown): never {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`${label}: ${action} failed: ${detail}; ${hint(error)}`, { cause: error });
  }

  async function listZones(): Promise<PowerDnsZoneSummary[]> {
    if (zones === null) {
      zones = client.listZones().then((list) => {
        log(`listZones: count=${list.length}`);
        return list;
      });
      // A failed lookup is not cached, so the next domain tries again.
      zones.catch(() => {
        zones = null;
      });
    }

    try {
      return await zones;
    } catch (error) {
      fail(`listing zones on server "${serverId}"`, error);
    }
  }

  /** Returns the zone whose name is the longest suffix of `name`, as DNS delegation does. */
  async function findZone(name: string): Promise<PowerDnsZoneSummary> {
    const fqdn = `${name}.`;
    let best: PowerDnsZoneSummary | null = null;
    for (const zone of await listZones()) {
      const zoneName = zone.name.toLowerCase();
      const contains = zoneName === "." || fqdn === zoneName || fqdn.endsWith(`.${zoneName}`);
      if (contains && (best === null || zoneName.length > best.name.length)) {
        best = zone;
      }
    }

    if (best === null) {
      throw new Error(
        `${label}: no zone on server "${serverId}" contains ${name}; create the zone in PowerDNS or use another provider for this domain`,
      );
    }
    return best;
  }

  async function fetchRrsets(zone: PowerDnsZoneSummary, names: string[]): Promise<PowerDnsRrset[]> {
    const action = `reading ${names.join(" and ")} in zone ${zone.name}`;
    try {
      if (filterHonoured === false) {
        return await client.getRrsets(zone.id);
      }

      const collected: PowerDnsRrset[] = [];
      for (const name of names) {
        const rrsets = await client.getRrsets(zone.id, `${name}.`);
        if (rrsets.some((rrset) => !sameName(rrset.name, name))) {
          filterHonoured = false;
          log(`readTxt: server=${serverId} rrsetNameFilter=ignored`);
          return rrsets;
        }
        if (rrsets.length > 0) {
          filterHonoured = true;
        }
        collected.push(...rrsets);
      }
      return collected;
    } catch (error) {
      fail(action, error);
    }
  }

  async function readNames(names: string[]): Promise<Map<string, NameState>> {
    const byZone = new Map<string, { zone: PowerDnsZoneSummary; names: string[] }>();
    for (const name of names) {
      const zone = await findZone(name);
      const group = byZone.get(zone.id) ?? { zone, names: [] };
      group.names.push(name);
      byZone.set(zone.id, group);
    }

    const states = new Map<string, NameState>();
    for (const { zone, names: zoneNames } of byZone.values()) {
      const rrsets = await fetchRrsets(zone, zoneNames);
      for (const name of zoneNames) {
        states.set(name, nameState(zone, name, rrsets));
      }
    }
    return states;
  }

  function nameState(zone: PowerDnsZoneSummary, name: string, rrsets: PowerDnsRrset[]): NameState {
    const atName = rrsets.filter((rrset) => sameName(rrset.name, name));
    const txtRrset = atName.find((rrset) => rrset.type === "TXT");
    const cnameRrset = atName.find((rrset) => rrset.type === "CNAME");

    const txt: string[] = [];
    for (const record of txtRrset?.records ?? []) {
      if (record.disabled) {
        continue;
      }
      try {
        txt.push(parseTxtContent(record.content));
      } catch (error) {
        throw new Error(`${label}: cannot read TXT at ${name} in zone ${zone.name}`, {
          cause: error,
        });
      }
    }

    const cname = cnameRrset?.records.find((record) => !record.disabled)?.content ?? null;
    return { name, zone, txt, ttl: txtRrset?.ttl ?? null, cname };
  }

  function planChange(write: TxtWrite, state: NameState): PowerDnsRrsetChange | null {
    const desired = [...new Set(write.values ?? [])];
    if (desired.length === 0) {
      return state.txt.length === 0 && state.ttl === null
        ? null
        : { name: `${state.name}.`, type: "TXT", changetype: "DELETE" };
    }

    if (state.cname !== null) {
      throw new Error(
        `${label}: ${state.name} in zone ${state.zone.name} is a CNAME to ${state.cname}; a name with a CNAME cannot hold TXT records, so remove the CNAME or stop managing this record here`,
      );
    }

    const ttlMatches = write.ttl === undefined || write.ttl === state.ttl;
    if (ttlMatches && sameValues(desired, state.txt)) {
      return null;
    }

    return {
      name: `${state.name}.`,
      type: "TXT",
      ttl: write.ttl ?? state.ttl ?? defaultTtl,
      changetype: "REPLACE",
      records: desired.map((text) => ({ content: formatTxtContent(text), disabled: false })),
    };
  }

  // PowerDNS 4.7 with the gsqlite3 backend answers concurrent PATCH requests with HTTP
  // 500 ("database is locked"), and apply writes several domains at once, so this
  // provider sends one PATCH at a time.
  let patchQueue: Promise<unknown> = Promise.resolve();
  const serializePatch = <T>(send: () => Promise<T>): Promise<T> => {
    const result = patchQueue.then(send, send);
    patchQueue = result.catch(() => undefined);
    return result;
  };

  return {
    name: options.name,
    type: "powerdns",
    capabilities: { batchWrites: true, cnameAware: true },

    async readTxt(domain) {
      const names = managedNames(domain);
      const states = await readNames([names.sts, names.tlsRpt]);
      const result: ManagedTxt = {
        sts: states.get(names.sts)?.txt ?? [],
        tlsRpt: states.get(names.tlsRpt)?.txt ?? [],
      };
      log(
        `readTxt: domain=${names.domain} sts=${result.sts.length} tlsRpt=${result.tlsRpt.length}`,
      );
      return result;
    },

    async writeTxt(domain, writes) {
      const names = managedNames(domain);
      const checked = checkWrites(label, names, writes);
      if (checked.length === 0) {
        return;
      }

      const states = await readNames(checked.map((write) => write.name));
      const patches = new Map<
        string,
        { zone: PowerDnsZoneSummary; rrsets: PowerDnsRrsetChange[] }
      >();
      for (const write of checked) {
        const state = states.get(write.name)!;
        const change = planChange(write, state);
        if (change === null) {
          log(`writeTxt: zone=${state.zone.name} name=${write.name} change=none`);
          continue;
        }

        const patch = patches.get(state.zone.id) ?? { zone: state.zone, rrsets: [] };
        patch.rrsets.push(change);
        patches.set(state.zone.id, patch);
      }

      for (const { zone, rrsets } of patches.values()) {
        for (const rrset of rrsets) {
          const detail =
            rrset.changetype === "REPLACE"
              ? ` records=${rrset.records.length} ttl=${rrset.ttl}`
              : "";
          log(`writeTxt: zone=${zone.name} name=${rrset.name} change=${rrset.changetype}${detail}`);
        }

        try {
          await serializePatch(() => client.patchRrsets(zone.id, rrsets));
        } catch (error) {
          const records = rrsets.map((rrset) => `${rrset.name} TXT`).join(", ");
          fail(`writing ${records} in zone ${zone.name}`, error);
        }
      }
    },
  };
}

function sameName(rrsetName: string, name: string): boolean {
  return rrsetName.toLowerCase().replace(/\.$/, "") === name;
}

function sameValues(desired: string[], current: string[]): boolean {
  if (desired.length !== current.length) {
    return false;
  }
  const sortedCurrent = [...current].sort();
  return [...desired].sort().every((value, index) => value === sortedCurrent[index]);
}
