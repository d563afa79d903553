/**
 * Closes the loop from the fake Cloudflare API to what a sender observes:
 * - DNS: the fake's zones are served by a loopback DNS server (../dns-server.ts), each
 *   merged over a base zone with what the fake does not store: the sandbox world's
 *   name servers, MX and policy host addresses, and the zone's behaviour.
 * - HTTPS: a server with certificates from the run's test CA plays the part of
 *   Cloudflare's edge and hands each request for a Workers Custom Domain to the deployed
 *   Worker's fetch handler.
 * - Routing: Cloudflare serves a host with a Workers Custom Domain from the Worker, and a
 *   host without one from its earlier origin. The bridge models this in a connect-to map
 *   (read by the observer at every connection): a custom domain points
 *   `mta-sts.<domain>:443` at the edge, and deleting it restores the earlier entry.
 *
 * NOTE: ../https-host.ts serves fixed responses per site and has no way to hand a request
 * to a handler, so the edge is a server of its own.
 */
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { createSecureContext, type SecureContext } from "node:tls";
import type { TestCa } from "../ca.js";
import type { DnsServer, RecordSet, ZoneDefinition } from "../dns-server.js";
import type { CloudflareFake, FakeChange } from "./server.js";
import type { FetchHandler } from "./worker-runtime.js";

export interface LiveBridgeOptions {
  ca: TestCa;
  /** The DNS server to publish the fake's zones to. Without one, the bridge only serves HTTPS. */
  dns?: DnsServer;
  /**
   * The rest of each zone, by apex: the records the fake does not store and the zone's
   * behaviour. The fake's record sets replace the base's sets of the same name and type,
   * so the base must not contain records that the fake may delete.
   */
  baseZones?: ZoneDefinition[];
  /**
   * The connect-to map of the observation ("host:port" to "address:port"), changed in
   * place: each custom domain's `host:443` points at the edge while it exists, and
   * `close()` puts back the entries it replaced.
   */
  connectTo?: Record<string, string>;
}

export interface LiveBridge {
  readonly address: string;
  /** Port of the HTTPS server that plays the part of Cloudflare's edge. */
  readonly port: number;
  /** "address:port" of the edge, the form connect-to maps take. */
  readonly endpoint: string;
  /**
   * Copies every zone of the fake into the DNS server and updates the connect-to map.
   * It runs for the changed zones after each change the fake accepts; call it after
   * changing the fake's account directly.
   */
  pushDns(): void;
  close(): Promise<void>;
}

/** A connect-to entry the bridge replaced, to restore when the custom domain goes away. */
interface Redirected {
  zoneId: string;
  previous: string | undefined;
}

export async function startLiveBridge(
  fake: CloudflareFake,
  options: LiveBridgeOptions,
): Promise<LiveBridge> {
  const address = "127.0.0.1";
  const server = startEdge(fake, options.ca);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `${address}:${port}`;

  const baseZones = new Map(
    (options.baseZones ?? []).map((zone) => [normalizeName(zone.name), zone]),
  );
  const redirected = new Map<string, Redirected>();

  const pushZone = (zoneId: string): void => {
    const zone = fake.account.zoneById(zoneId);
    if (!zone) return;

    if (options.dns) {
      const base = baseZones.get(zone.name);
      const records = mergeRecordSets(base?.records ?? {}, zoneRecords(fake, zone.id, address));
      options.dns.setZone({ ...base, name: zone.name, records });
    }
    if (options.connectTo) routeCustomDomains(zone.id, options.connectTo);
  };

  const routeCustomDomains = (zoneId: string, connectTo: Record<string, string>): void => {
    const hosts = new Set(
      fake.account.customDomains
        .filter((domain) => domain.zoneId === zoneId)
        .map((domain) => `${domain.hostname}:443`),
    );

    for (const key of hosts) {
      if (!redirected.has(key)) redirected.set(key, { zoneId, previous: connectTo[key] });
      connectTo[key] = endpoint;
    }

    for (const [key, entry] of redirected) {
      if (entry.zoneId !== zoneId || hosts.has(key)) continue;
      restoreRoute(connectTo, key, entry);
      redirected.delete(key);
    }
  };

  const pushDns = (): void => {
    for (const zone of fake.account.zones) pushZone(zone.id);
  };
  fake.onChange((change: FakeChange) => {
    for (const zoneId of change.zoneIds) pushZone(zoneId);
  });
  pushDns();

  return {
    address,
    port,
    endpoint,
    pushDns,
    close: async () => {
      fake.onChange(null);
      if (options.connectTo) {
        const connectTo = options.connectTo;
        for (const [key, entry] of redirected) restoreRoute(connectTo, key, entry);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Puts back the connect-to entry that a custom domain replaced, or removes it when there was none. */
function restoreRoute(connectTo: Record<string, string>, key: string, entry: Redirected): void {
  if (entry.previous === undefined) delete connectTo[key];
  else connectTo[key] = entry.previous;
}

/** Creates the edge's HTTPS server, with one certificate per host name issued on first use. */
function startEdge(fake: CloudflareFake, ca: TestCa): https.Server {
  const contexts = new Map<string, Promise<SecureContext>>();
  const contextFor = (host: string): Promise<SecureContext> => {
    let context = contexts.get(host);
    if (!context) {
      context = ca
        .issue([host])
        .then((issued) => createSecureContext({ cert: issued.chainPem, key: issued.keyPem }));
      contexts.set(host, context);
    }
    return context;
  };

  return https.createServer(
    {
      SNICallback: (servername, callback) => {
        contextFor(servername.toLowerCase()).then(
          (context) => callback(null, context),
          (error: Error) => callback(error),
        );
      },
    },
    (incoming, outgoing) => {
      const host = (
        (incoming.socket as TLSSocket).servername ||
        incoming.headers.host ||
        ""
      ).toLowerCase();
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const handler = fake.handlerFor(host).catch(() => null);
        handler
          .then((found) => serveFromWorker(found, host, incoming, Buffer.concat(chunks)))
          .catch(
            (error: Error) =>
              new Response(`the Worker failed: ${error.message}\n`, {
                status: 500,
                headers: { "content-type": "text/plain" },
              }),
          )
          .then(async (response) => {
            const body = Buffer.from(await response.arrayBuffer());
            outgoing.writeHead(response.status, Object.fromEntries(response.headers));
            outgoing.end(incoming.method === "HEAD" ? undefined : body);
          });
      });
    },
  );
}

/** Runs the Worker for one request, or returns a 404 response when no custom domain routes the host. */
async function serveFromWorker(
  handler: FetchHandler | null,
  host: string,
  incoming: IncomingMessage,
  body: Buffer,
): Promise<Response> {
  if (!handler) {
    return new Response(`no Worker routes ${host}\n`, {
      status: 404,
      headers: { "content-type": "text/plain" },
    });
  }

  const method = incoming.method ?? "GET";
  const request = new Request(`https://${host}${incoming.url ?? "/"}`, {
    method,
    headers: Object.entries(incoming.headers).flatMap(([name, value]) =>
      value === undefined
        ? []
        : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
    ),
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
  return handler(request);
}

/** Lower-cases a DNS name and removes one trailing dot. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Returns `base` with every record set of `overlay` replacing the base's set of the same name and type. */
function mergeRecordSets(
  base: Record<string, RecordSet>,
  overlay: Record<string, RecordSet>,
): Record<string, RecordSet> {
  const merged: Record<string, RecordSet> = {};
  for (const [owner, sets] of Object.entries(base)) merged[normalizeName(owner)] = { ...sets };
  for (const [owner, sets] of Object.entries(overlay)) {
    merged[owner] = { ...merged[owner], ...sets };
  }
  return merged;
}

/** Converts the fake's records of one zone to record sets, plus an address for each custom domain. */
function zoneRecords(
  fake: CloudflareFake,
  zoneId: string,
  address: string,
): Record<string, RecordSet> {
  const sets: Record<string, RecordSet> = {};
  const at = (name: string): RecordSet => {
    sets[name] ??= {};
    return sets[name];
  };

  for (const record of fake.account.records) {
    if (record.zoneId !== zoneId) continue;

    const set = at(record.name);
    if (record.type === "TXT") set.TXT = [...(set.TXT ?? []), characterStrings(record.content)];
    if (record.type === "A") set.A = [...(set.A ?? []), record.content];
    if (record.type === "AAAA") set.AAAA = [...(set.AAAA ?? []), record.content];
    if (record.type === "CNAME") set.CNAME = record.content;
    // NOTE: the fake stores no MX priority, so every MX is served with preference 10.
    if (record.type === "MX")
      set.MX = [...(set.MX ?? []), { preference: 10, exchange: record.content }];
  }

  // Cloudflare resolves a custom domain to its own edge addresses, and here the bridge is the edge.
  for (const domain of fake.account.customDomains) {
    if (domain.zoneId === zoneId) at(domain.hostname).A = [address];
  }
  return sets;
}

/** Splits stored TXT content into its character-strings. Bare content is one string. */
function characterStrings(content: string): string[] {
  if (!content.startsWith('"')) return [content];
  return [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    (match[1] ?? "").replaceAll(/\\(.)/g, "$1"),
  );
}
