/**
 * Connection targets for "host:port": the connect-to map first (as curl's
 * `--connect-to`), else the host's A and AAAA records, then filtered by the address guard.
 */

import { checkAddress } from "./address-guard.js";
import { normalizeName } from "./dns-name.js";
import { type Endpoint, parseConnectTarget } from "./endpoint.js";
import type { AddressLookup } from "./types.js";

/** Resolves a host to addresses; normally `DnsClient.lookupAddresses`. */
export type ResolveAddresses = (
  host: string,
) => Promise<Pick<AddressLookup, "status" | "addresses" | "detail">>;

export interface ConnectTargetOptions {
  resolveAddresses: ResolveAddresses;
  /** "host:port" to "address:port", or to ":port" to keep the resolved addresses. */
  connectTo?: Record<string, string>;
  allowPrivateAddresses: boolean;
}

export type ConnectTargets =
  | { ok: true; endpoints: Endpoint[] }
  | { ok: false; reason: "dns" | "address-blocked"; detail: string };

/**
 * Returns the endpoints to try for `host:port`, in order. Throws when the connect-to
 * entry for this host is malformed, because that is a configuration error.
 */
export async function resolveConnectTargets(
  host: string,
  port: number,
  options: ConnectTargetOptions,
): Promise<ConnectTargets> {
  const override = findConnectTo(host, port, options.connectTo ?? {});

  let endpoints: Endpoint[];
  if (override?.kind === "endpoint") {
    endpoints = [override.endpoint];
  } else {
    const lookup = await options.resolveAddresses(host);
    if (lookup.status !== "ok" || lookup.addresses.length === 0) {
      const cause = lookup.detail ?? `${lookup.status} for the A and AAAA records`;
      return { ok: false, reason: "dns", detail: `${host} has no usable address: ${cause}` };
    }
    const targetPort = override?.kind === "port" ? override.port : port;
    endpoints = lookup.addresses.map((address) => ({ address, port: targetPort }));
  }

  const allowed: Endpoint[] = [];
  const rejected: string[] = [];
  for (const endpoint of endpoints) {
    const problem = checkAddress(endpoint.address, options.allowPrivateAddresses);
    if (problem === null) {
      allowed.push(endpoint);
    } else {
      rejected.push(problem);
    }
  }

  if (allowed.length === 0) {
    return {
      ok: false,
      reason: "address-blocked",
      detail: `${host} resolves only to blocked addresses: ${rejected.join("; ")}; private addresses are allowed only when the configuration allows them`,
    };
  }
  return { ok: true, endpoints: allowed };
}

/** Finds the entry for host:port; keys compare like DNS names (case, trailing dot). */
function findConnectTo(host: string, port: number, connectTo: Record<string, string>) {
  const wanted = `${normalizeName(host)}:${port}`;
  // Keys are normally written normalized, so a direct lookup finds them without a scan
  // over every entry (a sandbox or large fleet map has thousands).
  const direct = Object.hasOwn(connectTo, wanted) ? connectTo[wanted] : undefined;
  if (direct !== undefined) return parseConnectTarget(wanted, direct);

  for (const [key, value] of Object.entries(connectTo)) {
    const colon = key.lastIndexOf(":");
    const keyHost = colon === -1 ? key : key.slice(0, colon);
    const keyPort = colon === -1 ? "" : key.slice(colon + 1);
    if (`${normalizeName(keyHost)}:${keyPort}` === wanted) {
      return parseConnectTarget(key, value);
    }
  }
  return null;
}
