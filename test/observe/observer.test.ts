import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDnsClient } from "../../src/observe/dns-client.js";
import { createObserver, type Observer } from "../../src/observe/observer.js";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";
import { type DnsServer, type RecordSet, startDnsServer } from "../../src/sandbox/dns-server.js";
import { type PolicyHostServer, startPolicyHost } from "../../src/sandbox/https-host.js";
import { type LoopbackSmtpServer, startSmtpServer } from "../../src/sandbox/smtp-server.js";

const DOMAINS = Array.from({ length: 10 }, (_, index) => `d${index}.fleet.test`);
const CONCURRENCY = 3;

function policyOf(domain: string): string {
  return `version: STSv1\r\nmode: testing\r\nmx: mx.${domain}\r\nmax_age: 86400\r\n`;
}

let ca: TestCa;
let dnsServer: DnsServer;
let host: PolicyHostServer;
let smtp: LoopbackSmtpServer;
const observers: Observer[] = [];

function observer(): Observer {
  const dns = createDnsClient({
    resolvers: [dnsServer.endpoint],
    authoritative: true,
    authoritativePort: dnsServer.port,
    timeoutMs: 500,
    attempts: 2,
    allowPrivateAddresses: true,
  });
  const connectTo: Record<string, string> = { "mx.shared.test:25": smtp.endpoint };
  for (const domain of DOMAINS) {
    connectTo[`mta-sts.${domain}:443`] = host.endpoint;
  }
  const created = createObserver({
    dns,
    fetch: { connectTo, allowPrivateAddresses: true, trustedCaPem: [ca.certPem], timeoutMs: 1000 },
    probe: { heloName: "probe.test" },
    concurrency: CONCURRENCY,
  });
  observers.push(created);
  return created;
}

beforeAll(async () => {
  ca = await createTestCa();
  const records: Record<string, RecordSet> = {
    "fleet.test": { NS: ["ns1.fleet.test"] },
    "ns1.fleet.test": { A: ["127.0.0.1"] },
  };
  for (const domain of DOMAINS) {
    records[domain] = { MX: [{ preference: 10, exchange: "mx.shared.test" }] };
    records[`_mta-sts.${domain}`] = { TXT: [["v=STSv1; id=1;"]] };
    records[`_smtp._tls.${domain}`] = { TXT: [[`v=TLSRPTv1; rua=mailto:tls@${domain}`]] };
  }
  dnsServer = await startDnsServer({ zones: [{ name: "fleet.test", records }] });

  host = await startPolicyHost({ ca });
  for (const domain of DOMAINS) {
    host.setSite(`mta-sts.${domain}`, { kind: "body", body: policyOf(domain) });
  }

  smtp = await startSmtpServer({ certificate: await ca.issue(["mx.shared.test"]), starttls: true });
});

afterEach(() => {
  for (const created of observers.splice(0)) {
    created.close();
  }
});

afterAll(async () => {
  await Promise.all([dnsServer.close(), host.close(), smtp.close()]);
});

describe("observer", () => {
  it("observeDomain reads records and policy", async () => {
    const observed = await observer().observeDomain("D0.Fleet.test.");

    expect(observed.domain).toBe("d0.fleet.test");
    expect(observed.mx.records).toEqual([{ preference: 10, exchange: "mx.shared.test" }]);
    expect(observed.stsTxt.records).toEqual([["v=STSv1; id=1;"]]);
    expect(observed.tlsRptTxt.records).toEqual([["v=TLSRPTv1; rua=mailto:tls@d0.fleet.test"]]);
    expect(observed.policy).toMatchObject({ ok: true, body: policyOf("d0.fleet.test") });
  });

  it("observeDomain reports a domain that does not exist", async () => {
    const observed = await observer().observeDomain("gone.fleet.test");

    expect(observed.mx.status).toBe("nxdomain");
    expect(observed.stsTxt.status).toBe("nxdomain");
    expect(observed.tlsRptTxt.status).toBe("nxdomain");
    expect(observed.policy).toMatchObject({ ok: false, reason: "dns" });
  });

  it("observeFleet keeps the input order", async () => {
    const observed = await observer().observeFleet(DOMAINS);

    expect(observed.map((entry) => entry.domain)).toEqual(DOMAINS);
    expect(observed.every((entry) => entry.policy.ok)).toBe(true);
  });

  it("observeFleet reports progress per domain", async () => {
    const seen: number[] = [];

    await observer().observeFleet(DOMAINS, { onProgress: (done) => seen.push(done) });

    expect(seen).toEqual(DOMAINS.map((_, index) => index + 1));
  });

  it("observeFleet finds the zone's name servers once", async () => {
    const before = dnsServer.queryLog.length;

    await observer().observeFleet(DOMAINS);

    const queries = dnsServer.queryLog.slice(before);
    expect(queries.filter((query) => query.type === "NS")).toHaveLength(1);
    expect(queries.filter((query) => query.type === "SOA").length).toBeLessThanOrEqual(CONCURRENCY);
  });

  it("stats count queries, fetches and probes", async () => {
    const watcher = observer();
    await watcher.observeFleet(DOMAINS.slice(0, 4));
    await watcher.probeMx("mx.shared.test");
    await watcher.probeMx("MX.shared.test");

    const stats = watcher.stats();
    expect(stats.httpsFetches).toBe(4);
    expect(stats.smtpProbes).toBe(1);
    expect(stats.dnsQueries).toBeGreaterThan(0);
  });

  it("probeMx uses the fetch connect-to map and trust", async () => {
    const probe = await observer().probeMx("mx.shared.test");

    expect(probe.result).toBe("ok");
    expect(probe.address).toBe(smtp.endpoint);
  });
});
