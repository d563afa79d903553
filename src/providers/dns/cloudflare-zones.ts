/**
 * Finds the Cloudflare zone that contains a DNS name. The list of every zone the token can
 * see is read once per session, 50 zones per request (the API's maximum page size). The
 * DNS provider and the Worker host share it, because a fleet apply looks up a zone for
 * every domain. Each provider filters by its own account.
 */
import {
  type CloudflareSession,
  describeApiError,
  listAll,
  redactErrorChain,
} from "../cloudflare-client.js";

export interface CloudflareZone {
  id: string;
  /** Lower case, without the trailing dot. */
  name: string;
  accountId: string;
}

/** Lower-cases a DNS name and removes one trailing dot. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export class ZoneIndex {
  private zones: Promise<Map<string, CloudflareZone[]>> | null = null;
  private reloading: Promise<Map<string, CloudflareZone[]>> | null = null;
  /** Names that already caused a fresh listing, so each miss costs one listing at most. */
  private readonly relistedFor = new Set<string>();

  constructor(private readonly session: CloudflareSession) {}

  /**
   * Returns the zone whose name is the longest suffix of `name`, so
   * `_mta-sts.a.b.example` lands in `a.b.example` when that zone exists and in
   * `b.example` otherwise. Returns null when no zone (of `accountId`, when given) contains
   * it. A miss lists the zones once more, because the session (and its list) may outlive a
   * run in a long-lived process, and a zone added since would be missed otherwise.
   */
  async zoneFor(name: string, accountId?: string): Promise<CloudflareZone | null> {
    const found = findZone(await this.load(), name, accountId);
    if (found) return found;

    const key = `${normalizeName(name)} ${accountId ?? ""}`;
    if (this.relistedFor.has(key)) return null;
    this.relistedFor.add(key);
    return findZone(await this.reload(), name, accountId);
  }

  /** Number of zones listed (of `accountId`, when given), for error messages. */
  async size(accountId?: string): Promise<number> {
    const zones = [...(await this.load()).values()].flat();
    return zones.filter((zone) => accountId === undefined || zone.accountId === accountId).length;
  }

  private reload(): Promise<Map<string, CloudflareZone[]>> {
    if (!this.reloading) {
      this.zones = null;
      this.reloading = this.load().finally(() => {
        this.reloading = null;
      });
    }
    return this.reloading;
  }

  private load(): Promise<Map<string, CloudflareZone[]>> {
    if (!this.zones) {
      this.zones = this.fetchZones();
      // A failed listing is not cached, so the next lookup lists the zones again.
      this.zones.catch(() => {
        this.zones = null;
      });
    }
    return this.zones;
  }

  private async fetchZones(): Promise<Map<string, CloudflareZone[]>> {
    let listed: Array<{ id: string; name: string; status?: string; account?: { id?: string } }>;
    try {
      listed = await listAll(this.session.client.zones.list({ per_page: 50 }));
    } catch (error) {
      throw new Error(`failed to list the zones: ${describeApiError(error, this.session.redact)}`, {
        cause: redactErrorChain(error, this.session.redact),
      });
    }

    const zones = new Map<string, CloudflareZone[]>();
    for (const zone of listed) {
      // A zone moved to other name servers is no longer served by Cloudflare.
      if (zone.status === "moved") continue;

      const name = normalizeName(zone.name);
      const entry = { id: zone.id, name, accountId: zone.account?.id ?? "" };
      zones.set(name, [...(zones.get(name) ?? []), entry]);
    }
    return zones;
  }
}

function findZone(
  zones: Map<string, CloudflareZone[]>,
  name: string,
  accountId?: string,
): CloudflareZone | null {
  const labels = normalizeName(name).split(".");

  for (let start = 0; start < labels.length; start++) {
    const candidates = zones.get(labels.slice(start).join(".")) ?? [];
    const zone = candidates.find(
      (candidate) => accountId === undefined || candidate.accountId === accountId,
    );
    if (zone) return zone;
  }
  return null;
}

const indexes = new WeakMap<CloudflareSession, ZoneIndex>();

/** Returns the zone index of a session, shared by every provider on that session. */
export function zoneIndexFor(session: CloudflareSession): ZoneIndex {
  let index = indexes.get(session);
  if (!index) {
    index = new ZoneIndex(session);
    indexes.set(session, index);
  }
  return index;
}
