/**
 * The loopback world: an authoritative DNS server, an HTTPS policy host with a CA made
 * for the run, and STARTTLS MX servers, all on 127.0.0.1. The offline demo, the tests
 * and the benchmark observe it under real host names through connect-to maps, so the
 * same code paths run as against the Internet, with verification on.
 */

import { createServer } from "node:net";
import type { ObserveOverrides } from "../commands/types.js";
import { createTestCa, type TestCa } from "./ca.js";
import {
  type DnsServer,
  type RecordSet,
  startDnsServer,
  type ZoneBehaviour,
  type ZoneDefinition,
} from "./dns-server.js";
import { type PolicyHostServer, type Site, startPolicyHost } from "./https-host.js";
import { type LoopbackSmtpServer, startSmtpServer } from "./smtp-server.js";

/** One policy domain as the world serves it. */
export interface WorldDomain {
  domain: string;
  mx: { preference: number; exchange: string }[];
  /** TXT records at `_mta-sts.<domain>`, each as its character-strings; null for none. */
  sts: (string | Uint8Array)[][] | null;
  /** A CNAME at `_mta-sts.<domain>` instead of TXT records (policy delegation). */
  stsCname?: string;
  /** TXT records at `_smtp._tls.<domain>`; null for none. */
  tlsRpt: string[][] | null;
  /** The site at `mta-sts.<domain>`; "unreachable" leads to a closed port, null serves nothing. */
  policy: Site | "unreachable" | null;
  zoneBehaviour?: ZoneBehaviour;
  /** Record sets outside the domain's own names, e.g. the target of a CNAME in another zone. */
  extra?: { zone: string; records: Record<string, RecordSet> }[];
}

export interface WorldOptions {
  domains: WorldDomain[];
  /** MX host names that get a valid certificate from the run's CA. */
  mxHosts?: string[];
  /** MX host names served with an expired certificate (for audit findings). */
  expiredMxHosts?: string[];
}

export interface World {
  ca: TestCa;
  dns: DnsServer;
  https: PolicyHostServer;
  smtp: LoopbackSmtpServer[];
  /** The zones the DNS server started with, for the Cloudflare bridge, which serves them merged with the fake's records. */
  zones: ZoneDefinition[];
  /** The observation settings that point every lookup and connection into this world. */
  observe: ObserveOverrides;
  close(): Promise<void>;
}

/** Returns a TCP port on 127.0.0.1 with nothing listening, for the "unreachable" policy host. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port was assigned");
  return address.port;
}

function addRecords(
  zones: Map<string, Record<string, RecordSet>>,
  zone: string,
  records: Record<string, RecordSet>,
): void {
  const existing = zones.get(zone) ?? {};
  for (const [owner, set] of Object.entries(records)) {
    existing[owner] = { ...existing[owner], ...set };
  }
  zones.set(zone, existing);
}

/** Returns the NS record of a zone apex and the address of that name server (the world's DNS server). */
function apexRecords(zone: string): Record<string, RecordSet> {
  return {
    [zone]: { NS: [`ns1.${zone}`] },
    [`ns1.${zone}`]: { A: ["127.0.0.1"] },
  };
}

/** Starts the servers and loads every domain; close() stops them all. */
export async function startWorld(options: WorldOptions): Promise<World> {
  const ca = await createTestCa("mta-sts-gitops sandbox CA");
  const https = await startPolicyHost({ ca });
  const unreachablePort = await closedPort();
  const connectTo: Record<string, string> = {};
  const zones = new Map<string, Record<string, RecordSet>>();
  const behaviours = new Map<string, ZoneBehaviour>();

  for (const entry of options.domains) {
    const domain = entry.domain;
    const records: Record<string, RecordSet> = { ...apexRecords(domain) };
    if (entry.mx.length > 0) records[domain] = { ...records[domain], MX: entry.mx };
    if (entry.stsCname) records[`_mta-sts.${domain}`] = { CNAME: entry.stsCname };
    else if (entry.sts) records[`_mta-sts.${domain}`] = { TXT: entry.sts };
    if (entry.tlsRpt) records[`_smtp._tls.${domain}`] = { TXT: entry.tlsRpt };
    records[`mta-sts.${domain}`] = { A: ["127.0.0.1"] };
    addRecords(zones, domain, records);
    if (entry.zoneBehaviour) behaviours.set(domain, entry.zoneBehaviour);

    for (const extra of entry.extra ?? []) {
      addRecords(zones, extra.zone, { ...apexRecords(extra.zone), ...extra.records });
    }

    const host = `mta-sts.${domain}`;
    if (entry.policy === "unreachable") {
      connectTo[`${host}:443`] = `127.0.0.1:${unreachablePort}`;
    } else {
      connectTo[`${host}:443`] = https.endpoint;
      if (entry.policy) https.setSite(host, entry.policy);
    }
  }

  const zoneDefinitions: ZoneDefinition[] = [...zones].map(([name, records]) => ({
    name,
    records,
    behaviour: behaviours.get(name) ?? "normal",
  }));
  const dns = await startDnsServer({ zones: zoneDefinitions });

  const smtp: LoopbackSmtpServer[] = [];
  const mxHosts = [...new Set(options.mxHosts ?? [])];
  if (mxHosts.length > 0) {
    const server = await startSmtpServer({ certificate: await ca.issue(mxHosts), starttls: true });
    smtp.push(server);
    for (const host of mxHosts) connectTo[`${host}:25`] = server.endpoint;
  }
  const expired = [...new Set(options.expiredMxHosts ?? [])];
  if (expired.length > 0) {
    const notAfter = new Date(Date.now() - 86_400_000);
    const certificate = await ca.issue(expired, {
      notBefore: new Date(notAfter.getTime() - 90 * 86_400_000),
      notAfter,
    });
    const server = await startSmtpServer({ certificate, starttls: true });
    smtp.push(server);
    for (const host of expired) connectTo[`${host}:25`] = server.endpoint;
  }

  return {
    ca,
    dns,
    https,
    smtp,
    zones: zoneDefinitions,
    observe: {
      resolvers: [dns.endpoint],
      authoritative: true,
      authoritativePort: dns.port,
      allowPrivateAddresses: true,
      connectTo,
      trustedCaPem: [ca.certPem],
      dnsTimeoutMs: 1000,
      dnsAttempts: 2,
      fetchTimeoutMs: 3000,
      smtpTimeoutMs: 3000,
    },
    close: async () => {
      await Promise.all([dns.close(), https.close(), ...smtp.map((server) => server.close())]);
    },
  };
}
