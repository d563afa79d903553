import { createSocket } from "node:dgram";
import dnsPacket from "dns-packet";
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  type MockInstance,
  test,
  vi,
} from "vitest";
import { createPowerDns } from "../../../src/providers/dns/powerdns.js";
import type { DnsProvider } from "../../../src/providers/types.js";
import { type PowerDnsServer, powerDnsSkipReason, startPowerDns } from "../../support/powerdns.js";

const skipReason = powerDnsSkipReason();

const STS = "v=STSv1; id=20240101T000000Z;";
const TLS_RPT = "v=TLSRPTv1; rua=mailto:tls-reports@example.com";

interface RawRrset {
  name: string;
  type: string;
  ttl: number;
  records: { content: string; disabled: boolean }[];
}

describe.skipIf(skipReason !== null)("PowerDNS provider against pdns_server", () => {
  let server: PowerDnsServer;
  let logLines: string[];

  beforeAll(async () => {
    server = await startPowerDns();
    await server.createZone("example.com");
    await server.createZone("sub.example.com");
    await server.createZone("example.org");
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function provider(apiKey = server.apiKey): DnsProvider {
    logLines = [];
    return createPowerDns({
      name: "pdns-test",
      apiUrl: server.apiUrl,
      apiKey,
      log: (line) => logLines.push(line),
    });
  }

  async function zoneRrsets(zone: string): Promise<RawRrset[]> {
    const response = await fetch(`${server.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, {
      headers: { "X-API-Key": server.apiKey },
    });
    const body = (await response.json()) as { rrsets: RawRrset[] };
    return body.rrsets;
  }

  async function patchZone(zone: string, rrsets: unknown[]): Promise<void> {
    const response = await fetch(`${server.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, {
      method: "PATCH",
      headers: { "X-API-Key": server.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ rrsets }),
    });
    expect(response.status).toBe(204);
  }

  function countPatches(spy: MockInstance<typeof fetch>): number {
    return spy.mock.calls.filter(([, init]) => init?.method === "PATCH").length;
  }

  test("write then read back", async () => {
    const dns = provider();

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: [STS], ttl: 300 },
      { name: "_smtp._tls.example.com", values: [TLS_RPT], ttl: 300 },
    ]);

    expect(await dns.readTxt("example.com")).toEqual({ sts: [STS], tlsRpt: [TLS_RPT] });
  });

  test("write sends one PATCH per zone", async () => {
    const dns = provider();
    const fetchSpy = vi.spyOn(globalThis, "fetch");

    await dns.writeTxt("example.org", [
      { name: "_mta-sts.example.org", values: [STS] },
      { name: "_smtp._tls.example.org", values: [TLS_RPT] },
    ]);

    expect(countPatches(fetchSpy)).toBe(1);
  });

  test("second identical write sends no PATCH", async () => {
    const dns = provider();
    const writes = [{ name: "_mta-sts.example.com", values: [STS], ttl: 300 }];
    await dns.writeTxt("example.com", writes);
    const fetchSpy = vi.spyOn(globalThis, "fetch");

    await dns.writeTxt("example.com", writes);

    expect(countPatches(fetchSpy)).toBe(0);
    expect(logLines).toContain(
      "powerdns[pdns-test] writeTxt: zone=example.com. name=_mta-sts.example.com change=none",
    );
  });

  test("ttl change alone is written", async () => {
    const dns = provider();
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 300 }]);

    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 600 }]);

    const rrset = (await zoneRrsets("example.com")).find(
      (entry) => entry.name === "_mta-sts.example.com." && entry.type === "TXT",
    );
    expect(rrset?.ttl).toBe(600);
  });

  test("write without ttl keeps the live ttl", async () => {
    const dns = provider();
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 900 }]);

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: ["v=STSv1; id=20240202T000000Z;"] },
    ]);

    const rrset = (await zoneRrsets("example.com")).find(
      (entry) => entry.name === "_mta-sts.example.com." && entry.type === "TXT",
    );
    expect(rrset?.ttl).toBe(900);
  });

  test("delete removes the record set", async () => {
    const dns = provider();
    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: [TLS_RPT] }]);

    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: null }]);

    expect((await dns.readTxt("example.com")).tlsRpt).toEqual([]);
    const names = (await zoneRrsets("example.com")).map((entry) => entry.name);
    expect(names).not.toContain("_smtp._tls.example.com.");
  });

  test("delete of an absent record sends no PATCH", async () => {
    const dns = provider();
    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: null }]);
    const fetchSpy = vi.spyOn(globalThis, "fetch");

    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: null }]);

    expect(countPatches(fetchSpy)).toBe(0);
  });

  test("other record sets stay untouched", async () => {
    await patchZone("example.com", [
      {
        name: "example.com.",
        type: "TXT",
        ttl: 3600,
        changetype: "REPLACE",
        records: [{ content: '"v=spf1 -all"', disabled: false }],
      },
      {
        name: "_mta-sts.example.com.",
        type: "A",
        ttl: 120,
        changetype: "REPLACE",
        records: [{ content: "192.0.2.10", disabled: false }],
      },
      {
        name: "_dmarc.example.com.",
        type: "TXT",
        ttl: 3600,
        changetype: "REPLACE",
        records: [{ content: '"v=DMARC1; p=none"', disabled: false }],
      },
    ]);
    const unmanaged = (rrsets: RawRrset[]) =>
      rrsets.filter(
        (entry) =>
          entry.type !== "SOA" &&
          !(
            entry.type === "TXT" &&
            ["_mta-sts.example.com.", "_smtp._tls.example.com."].includes(entry.name)
          ),
      );
    const before = unmanaged(await zoneRrsets("example.com"));
    const dns = provider();

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: ["v=STSv1; id=20240303T000000Z;"] },
      { name: "_smtp._tls.example.com", values: [TLS_RPT] },
    ]);
    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: null }]);

    expect(unmanaged(await zoneRrsets("example.com"))).toEqual(before);
  });

  test("DNS query returns the written TXT", async () => {
    const dns = provider();
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 300 }]);

    const answers = await queryTxt(server.dnsPort, "_mta-sts.example.com");

    expect(answers).toEqual([[STS]]);
  });

  test("value over 255 bytes is split into strings", async () => {
    const dns = provider();
    const rua = Array.from({ length: 8 }, (_, index) => `mailto:tls-${index}@reports.example.net`);
    const long = `v=TLSRPTv1; rua=${rua.join(",")},https://reports.example.net/tlsrpt/${"x".repeat(40)}`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(255);

    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: [long] }]);

    expect((await dns.readTxt("example.com")).tlsRpt).toEqual([long]);
    const answers = await queryTxt(server.dnsPort, "_smtp._tls.example.com");
    expect(answers[0]?.map((part) => part.length)).toEqual([255, long.length - 255]);
    expect(answers[0]?.join("")).toBe(long);
  });

  test("longest zone suffix wins", async () => {
    const dns = provider();

    await dns.writeTxt("sub.example.com", [{ name: "_mta-sts.sub.example.com", values: [STS] }]);

    const inSub = (await zoneRrsets("sub.example.com")).map((entry) => entry.name);
    const inParent = (await zoneRrsets("example.com")).map((entry) => entry.name);
    expect(inSub).toContain("_mta-sts.sub.example.com.");
    expect(inParent).not.toContain("_mta-sts.sub.example.com.");
  });

  test("domain below a zone apex uses that zone", async () => {
    const dns = provider();

    await dns.writeTxt("mail.example.org", [{ name: "_mta-sts.mail.example.org", values: [STS] }]);

    const names = (await zoneRrsets("example.org")).map((entry) => entry.name);
    expect(names).toContain("_mta-sts.mail.example.org.");
  });

  test("zone list is fetched once per provider", async () => {
    const dns = provider();
    const fetchSpy = vi.spyOn(globalThis, "fetch");

    await dns.readTxt("example.com");
    await dns.readTxt("example.org");

    const zoneLists = fetchSpy.mock.calls.filter((call) => String(call[0]).includes("/zones?"));
    expect(zoneLists).toHaveLength(1);
  });

  test("domain without a zone is an error", async () => {
    const dns = provider();

    await expect(dns.readTxt("example.net")).rejects.toThrow(
      'PowerDNS provider "pdns-test": no zone on server "localhost" contains _mta-sts.example.net; create the zone in PowerDNS or use another provider for this domain',
    );
  });

  test("CNAME at the name blocks a TXT write", async () => {
    await patchZone("example.org", [
      {
        name: "_mta-sts.cname.example.org.",
        type: "CNAME",
        ttl: 300,
        changetype: "REPLACE",
        records: [{ content: "_mta-sts.provider.example.net.", disabled: false }],
      },
    ]);
    const dns = provider();

    await expect(
      dns.writeTxt("cname.example.org", [{ name: "_mta-sts.cname.example.org", values: [STS] }]),
    ).rejects.toThrow(
      /_mta-sts\.cname\.example\.org in zone example\.org\. is a CNAME to _mta-sts\.provider\.example\.net\./,
    );
  });

  test("PowerDNS error names zone, record and message", async () => {
    const dns = provider();

    const error = await dns
      .writeTxt("a*b.example.com", [{ name: "_mta-sts.a*b.example.com", values: [STS] }])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("zone example.com.");
    expect(message).toContain("_mta-sts.a*b.example.com. TXT");
    expect(message).toContain(
      "HTTP 422: Name '_mta-sts.a*b.example.com.' contains unsupported characters",
    );
  });

  test("wrong API key fails without printing a key", async () => {
    const dns = provider("wrong-key-0123456789");

    const error = await dns.readTxt("example.com").catch((caught: unknown) => caught);

    const message = (error as Error).message;
    expect(message).toContain("HTTP 401");
    expect(message).toContain("check the API key");
    expect(message).not.toContain("wrong-key-0123456789");
    expect(message).not.toContain(server.apiKey);
  });

  test("unreachable API names the URL", async () => {
    const dns = createPowerDns({
      name: "pdns-down",
      apiUrl: "http://127.0.0.1:9",
      apiKey: "unused",
      log: () => {},
    });

    await expect(dns.readTxt("example.com")).rejects.toThrow(
      /check that http:\/\/127\.0\.0\.1:9 is the PowerDNS webserver/,
    );
  });

  test("write to an unmanaged name is rejected", async () => {
    const dns = provider();

    await expect(
      dns.writeTxt("example.com", [{ name: "_dmarc.example.com", values: ["v=DMARC1; p=reject"] }]),
    ).rejects.toThrow(/_dmarc\.example\.com/);
  });
});

/** Sends one TXT query over UDP to pdns_server and returns each answer's character-strings. */
async function queryTxt(port: number, name: string): Promise<string[][]> {
  const socket = createSocket("udp4");
  const query = dnsPacket.encode({
    type: "query",
    id: 4242,
    flags: 0,
    questions: [{ type: "TXT", name }],
  });

  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DNS reply for ${name}`)), 5000);
      socket.once("message", (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(query, port, "127.0.0.1");
    });

    const decoded = dnsPacket.decode(reply);
    return (decoded.answers ?? [])
      .filter((answer) => answer.type === "TXT")
      .map((answer) => {
        const data = answer.data as Buffer | Buffer[];
        const parts = Array.isArray(data) ? data : [data];
        return parts.map((part) => part.toString("utf8"));
      });
  } finally {
    socket.close();
  }
}
