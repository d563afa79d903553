import { stsRecordName, tlsRptRecordName } from "../sts/txt.js";
import type { TxtWrite } from "./types.js";

/** A policy domain and the two TXT owner names the tool manages for it. */
export interface ManagedNames {
  domain: string;
  sts: string;
  tlsRpt: string;
}

/**
 * Returns the domain and its two managed owner names, lower-case without the trailing dot.
 * Throws for an empty name, an empty label, whitespace or a slash, so no name can form a
 * path outside the zone file directory.
 */
export function managedNames(domain: string): ManagedNames {
  const normalized = domain.trim().toLowerCase().replace(/\.$/, "");
  if (normalized === "" || normalized.includes("..") || /[\s/\\]/.test(normalized)) {
    throw new Error(`invalid domain "${domain}": expected a DNS name such as example.com`);
  }
  return {
    domain: normalized,
    sts: stsRecordName(normalized),
    tlsRpt: tlsRptRecordName(normalized),
  };
}

/** Rejects writes to names the tool does not own, and two writes to one name. */
export function checkWrites(label: string, names: ManagedNames, writes: TxtWrite[]): TxtWrite[] {
  const seen = new Set<string>();
  return writes.map((write) => {
    const name = write.name.trim().toLowerCase().replace(/\.$/, "");
    if (name !== names.sts && name !== names.tlsRpt) {
      throw new Error(
        `${label}: cannot write ${write.name} for domain ${names.domain}; only ${names.sts} and ${names.tlsRpt} are managed`,
      );
    }
    if (seen.has(name)) {
      throw new Error(`${label}: two writes for ${name} in one call; merge them into one`);
    }
    seen.add(name);
    return { ...write, name };
  });
}
