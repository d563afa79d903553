/**
 * Moves the TXT records of the domains whose DNS is on Cloudflare from the sandbox world
 * into the fake Cloudflare account, so the DNS provider reads and writes them through
 * the API. The world keeps everything else: name servers, MX, the policy host's address
 * and site, and the zone's behaviour. The bridge (./live.ts) serves both halves as one
 * zone again.
 */
import type { WorldDomain } from "../world.js";
import type { FakeAccount } from "./state.js";

/** The world split in two: what the world's servers keep, and what the fake stores. */
export interface CloudflareWorld {
  /** Every domain, with the `_mta-sts` and `_smtp._tls` records of Cloudflare domains removed. */
  world: WorldDomain[];
  /** The Cloudflare domains as they were, with their records, for `seedCloudflareZones`. */
  cloudflare: WorldDomain[];
}

/** Splits the world; `onCloudflare` returns true for the domains whose zone is on Cloudflare. */
export function splitForCloudflare(
  domains: WorldDomain[],
  onCloudflare: (domain: string) => boolean,
): CloudflareWorld {
  const world: WorldDomain[] = [];
  const cloudflare: WorldDomain[] = [];

  for (const entry of domains) {
    if (!onCloudflare(entry.domain)) {
      world.push(entry);
      continue;
    }

    cloudflare.push(entry);
    const { stsCname: _moved, ...rest } = entry;
    world.push({ ...rest, sts: null, tlsRpt: null });
  }
  return { world, cloudflare };
}

/**
 * Adds one zone per domain to the fake account, holding the domain's `_mta-sts` TXT
 * records or CNAME and its `_smtp._tls` TXT records, stored as the API stores TXT content.
 */
export function seedCloudflareZones(account: FakeAccount, domains: WorldDomain[]): void {
  for (const entry of domains) {
    const zone = account.addZone(entry.domain);
    const sts = `_mta-sts.${entry.domain}`;
    const tlsRpt = `_smtp._tls.${entry.domain}`;

    if (entry.stsCname) {
      account.addRecord(zone, { name: sts, type: "CNAME", content: entry.stsCname });
    }
    for (const strings of entry.sts ?? []) {
      account.addRecord(zone, { name: sts, type: "TXT", content: quoteTxt(sts, strings) });
    }
    for (const strings of entry.tlsRpt ?? []) {
      account.addRecord(zone, { name: tlsRpt, type: "TXT", content: quoteTxt(tlsRpt, strings) });
    }
  }
}

/**
 * Writes TXT character-strings as the API stores them: each string in double quotes,
 * with `"` and `\` escaped, separated by a space (`"v=STSv1; id=1;"`).
 */
function quoteTxt(name: string, strings: (string | Uint8Array)[]): string {
  return strings
    .map((text) => {
      if (typeof text !== "string") {
        throw new Error(
          `cannot seed ${name} TXT into the fake Cloudflare: a character-string given as bytes has no text form; give it as a string`,
        );
      }
      return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
    })
    .join(" ");
}
