/** Parsing of the "address:port" and "host:port" strings in the observe settings. */

import { isIP } from "node:net";

/** An IP address and port; IPv6 addresses are stored without brackets. */
export interface SocketAddress {
  address: string;
  port: number;
}

/** A host name (lower case) or IP address and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses "192.0.2.1", "192.0.2.1:53", "[2001:db8::1]:53" or a bare IPv6 address.
 * Returns null unless the host part is an IP address and the port is 1-65535.
 */
export function parseSocketAddress(text: string, defaultPort: number | null): SocketAddress | null {
  if (isIP(text) !== 0) {
    return defaultPort === null ? null : { address: text, port: defaultPort };
  }

  const split = splitHostPort(text);
  if (split === null) {
    return null;
  }
  if (isIP(split.host) === 0) {
    return null;
  }
  if (split.port === null) {
    return defaultPort === null ? null : { address: split.host, port: defaultPort };
  }
  return { address: split.host, port: split.port };
}

/** Parses "host:port" or "[ipv6]:port"; the port is required. The host is lower-cased. */
export function parseHostPort(text: string): HostPort | null {
  const split = splitHostPort(text);
  if (split === null || split.port === null) {
    return null;
  }

  const host = split.host.toLowerCase();
  const isName = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(
    host,
  );
  if (!isName && isIP(host) === 0) {
    return null;
  }
  return { host, port: split.port };
}

/**
 * Parses a connect-to value: "address:port", or ":port" to keep the host's resolved
 * addresses and change only the port (as curl's --connect-to). Returns the value in
 * normal form, or null when it is malformed.
 */
export function normalizeConnectTarget(text: string): string | null {
  if (text.startsWith(":")) {
    const port = parsePort(text.slice(1));
    return port === null ? null : `:${port}`;
  }

  const target = parseSocketAddress(text, null);
  return target === null ? null : formatSocketAddress(target.address, target.port);
}

/** Formats an address as "address:port", with brackets around IPv6. */
export function formatSocketAddress(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function splitHostPort(text: string): { host: string; port: number | null } | null {
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text);
  if (bracketed !== null) {
    const port = bracketed[2] === undefined ? null : parsePort(bracketed[2]);
    if (bracketed[2] !== undefined && port === null) {
      return null;
    }
    return isIP(bracketed[1]!) === 6 ? { host: bracketed[1]!, port } : null;
  }

  const colon = text.lastIndexOf(":");
  if (colon === -1) {
    return text === "" ? null : { host: text, port: null };
  }
  if (text.indexOf(":") !== colon) {
    return null;
  }

  const port = parsePort(text.slice(colon + 1));
  const host = text.slice(0, colon);
  return port === null || host === "" ? null : { host, port };
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) {
    return null;
  }
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : null;
}
