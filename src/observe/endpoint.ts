/**
 * "address:port" strings, the form used for DNS servers, connect-to targets and the
 * `server` and `address` fields of observations. IPv6 addresses are bracketed, as in
 * URLs: "[2001:db8::53]:53".
 */

import { isIP } from "node:net";

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * Parses "address:port", "[v6]:port" or a bare address (which takes `defaultPort`).
 * Throws when the address is not an IP literal or the port is outside 1-65535.
 */
export function parseEndpoint(text: string, defaultPort?: number): Endpoint {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    return checkedEndpoint(text, bracketed[1]!, bracketed[2], defaultPort);
  }

  if (isIP(text) !== 0) {
    return checkedEndpoint(text, text, undefined, defaultPort);
  }

  const colon = text.lastIndexOf(":");
  if (colon === -1) {
    return checkedEndpoint(text, text, undefined, defaultPort);
  }
  return checkedEndpoint(text, text.slice(0, colon), text.slice(colon + 1), defaultPort);
}

function checkedEndpoint(
  text: string,
  address: string,
  portText: string | undefined,
  defaultPort: number | undefined,
): Endpoint {
  if (isIP(address) === 0) {
    throw new Error(
      `invalid endpoint ${JSON.stringify(text)}: ${JSON.stringify(address)} is not an IP address; write "192.0.2.53:53" or "[2001:db8::53]:53"`,
    );
  }

  const port = portText === undefined ? defaultPort : Number(portText);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(
      `invalid endpoint ${JSON.stringify(text)}: the port must be a number from 1 to 65535`,
    );
  }

  return { address, port };
}

/** Formats an endpoint as "address:port", bracketing IPv6 addresses. */
export function formatEndpoint(endpoint: Endpoint): string {
  const address = isIP(endpoint.address) === 6 ? `[${endpoint.address}]` : endpoint.address;
  return `${address}:${endpoint.port}`;
}

/**
 * A connect-to target, as curl's `--connect-to HOST:PORT:ADDRESS:PORT` without the
 * first half. "address:port" replaces both; ":port" keeps the resolved addresses of
 * the host and replaces only the port.
 */
export type ConnectTarget =
  | { kind: "endpoint"; endpoint: Endpoint }
  | { kind: "port"; port: number };

/** Parses a connect-to map value. Throws with the key and value when it is malformed. */
export function parseConnectTarget(key: string, value: string): ConnectTarget {
  try {
    if (value.startsWith(":")) {
      const port = Number(value.slice(1));
      if (!Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new Error("the port must be a number from 1 to 65535");
      }
      return { kind: "port", port };
    }
    return { kind: "endpoint", endpoint: parseEndpoint(value) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `invalid connect-to entry ${JSON.stringify(key)}: ${JSON.stringify(value)}: ${reason}`,
      { cause: error },
    );
  }
}
