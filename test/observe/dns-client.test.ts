import dgram from "node:dgram";
import dnsPacket from "dns-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDnsClient,
  type DnsClient,
  type DnsClientOptions,
} from "../../src/observe/dns-client.js";
import {
  type DnsServer,
  startDnsServer,
  type ZoneDefinition,
} from "../../src/sandbox/dns-server.js";

const TIMEOUT_MS = 500;
const ATTEMPTS = 2;

/** Slack for scheduling on a loaded machine; the checks are about never hanging, not speed. */
const SLACK_MS = 1500;

function exampleZone(stsId: string): ZoneDefinition {
  return {
    name: "example.com",
    records: {
      "example.com": {
        NS: ["ns1.example.com"],
        MX: [
          { preference: 10, exchange: "mx1.example.com" },
          { preference: 20, exchange: "MX2.Example.COM." },
        ],
      },
      "ns1.example.com": { A: ["127.0.0.1"] },
      "_mta-sts.example.com": { TXT: [["v=STSv1; ", `id=${stsId};`]] },
      "_smtp._tls.example.com": { CNAME: "_smtp._tls.reports.example.com" },
      "_smtp._tls.reports.example.com": { TXT: [["v=TLSRPTv1; rua=mailto:tls@example.com"]] },
      "_mta-sts.alias.example.com": { CNAME: "_mta-sts.provider.test" },
      "_mta-sts.dangling.example.com": { CNAME: "_mta-sts.gone.provider.test" },
      "loop1.example.com": { CNAME: "loop2.example.com" },
      "loop2.example.com": { CNAME: "loop1.example.com" },
      "bytes.example.com": { TXT: [[Uint8Array.from([0x76, 0x3d, 0xc3, 0xa9, 0xff])]] },
      "big.example.com": { TXT: [Array.from({ length: 6 }, (_, i) => String(i).repeat(250))] },
      "nullmx.example.com": { MX: [{ preference: 0, exchange: "." }] },
      "mta-sts.example.com": { A: ["192.0.2.10"], AAAA: ["2001:db8::10"] },
    },
  };
}

const PROVIDER_ZONE: ZoneDefinition = {
  name: "provider.test",
  records: {
    "provider.test": { NS: ["ns.provider.test"] },
    "ns.provider.test": { A: ["127.0.0.1"] },
    "_mta-sts.provider.test": { TXT: [["v=STSv1; id=provider1;"]] },
  },
};

let server: DnsServer;
const clients: DnsClient[] = [];

function client(overrides: Partial<DnsClientOptions> = {}): DnsClient {
  const created = createDnsClient({
    resolvers: [server.endpoint],
    authoritative: true,
    authoritativePort: server.port,
    timeoutMs: TIMEOUT_MS,
    attempts: ATTEMPTS,
    allowPrivateAddresses: true,
    ...overrides,
  });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  server = await startDnsServer({
    zones: [
      exampleZone("20240101T000000Z"),
      PROVIDER_ZONE,
      { name: "servfail.test", behaviour: "servfail" },
      { name: "refused.test", behaviour: "refused" },
      { name: "dead.test", behaviour: "drop" },
    ],
  });
});

afterEach(() => {
  for (const created of clients.splice(0)) {
    created.close();
  }
});

afterAll(async () => {
  await server.close();
});

describe.each([true, false])("dns client (authoritative %s)", (authoritative) => {
  it("keeps TXT character-strings apart", async () => {
    const lookup = await client({ authoritative }).lookupTxt("_mta-sts.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.records).toEqual([["v=STSv1; ", "id=20240101T000000Z;"]]);
    expect(lookup.authoritative).toBe(authoritative);
    expect(lookup.server).toBe(server.endpoint);
    expect(lookup.ttl).toBe(300);
  });

  it("decodes TXT bytes as latin1 without loss", async () => {
    const lookup = await client({ authoritative }).lookupTxt("bytes.example.com");
    const bytes = Buffer.from(lookup.records[0]![0]!, "latin1");

    expect([...bytes]).toEqual([0x76, 0x3d, 0xc3, 0xa9, 0xff]);
  });

  it("follows a CNAME inside the zone", async () => {
    const lookup = await client({ authoritative }).lookupTxt("_smtp._tls.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.cnameChain).toEqual(["_smtp._tls.reports.example.com"]);
    expect(lookup.records).toEqual([["v=TLSRPTv1; rua=mailto:tls@example.com"]]);
  });

  it("follows a CNAME into another zone", async () => {
    const lookup = await client({ authoritative }).lookupTxt("_mta-sts.alias.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.cnameChain).toEqual(["_mta-sts.provider.test"]);
    expect(lookup.records).toEqual([["v=STSv1; id=provider1;"]]);
  });

  it("reports a dangling CNAME as NXDOMAIN", async () => {
    const lookup = await client({ authoritative }).lookupTxt("_mta-sts.dangling.example.com");

    expect(lookup.status).toBe("nxdomain");
    expect(lookup.cnameChain).toEqual(["_mta-sts.gone.provider.test"]);
  });

  it("stops at a CNAME loop", async () => {
    const lookup = await client({ authoritative }).lookupTxt("loop1.example.com");

    expect(lookup.status).toBe("error");
    expect(lookup.detail).toMatch(/CNAME loop/);
  });

  it.each([
    ["missing.example.com", "nxdomain"],
    ["example.com", "nodata"],
    ["_smtp._tls.servfail.test", "servfail"],
    ["_smtp._tls.refused.test", "refused"],
  ] as const)("%s TXT is %s", async (name, status) => {
    const lookup = await client({ authoritative }).lookupTxt(name);

    expect(lookup.status).toBe(status);
  });

  it("normalizes MX exchanges", async () => {
    const lookup = await client({ authoritative }).lookupMx("Example.COM.");

    expect(lookup.name).toBe("example.com");
    expect(lookup.records).toEqual([
      { preference: 10, exchange: "mx1.example.com" },
      { preference: 20, exchange: "mx2.example.com" },
    ]);
  });

  it("returns a null MX as a dot", async () => {
    const lookup = await client({ authoritative }).lookupMx("nullmx.example.com");

    expect(lookup.records).toEqual([{ preference: 0, exchange: "." }]);
  });

  it("looks up IPv4 and IPv6 addresses", async () => {
    const lookup = await client({ authoritative }).lookupAddresses("mta-sts.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.addresses).toEqual(["192.0.2.10", "2001:db8::10"]);
  });

  it("reports a name without addresses as nxdomain", async () => {
    const lookup = await client({ authoritative }).lookupAddresses("mta-sts.missing.example.com");

    expect(lookup.status).toBe("nxdomain");
    expect(lookup.addresses).toEqual([]);
  });

  it("retries a truncated answer over TCP", async () => {
    const tcpBefore = server.tcpQueries;
    const lookup = await client({ authoritative }).lookupTxt("big.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.records[0]).toHaveLength(6);
    expect(lookup.records[0]![5]).toBe("5".repeat(250));
    expect(server.tcpQueries).toBe(tcpBefore + 1);
  });

  it("times out on a silent zone within the bound", async () => {
    const dns = client({ authoritative });
    const started = Date.now();

    const [silent, answered] = await Promise.all([
      dns.lookupTxt("_mta-sts.dead.test"),
      dns.lookupTxt("_mta-sts.example.com"),
    ]);

    expect(silent.status).toBe("timeout");
    expect(silent.detail).toMatch(/no response from/);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * ATTEMPTS + SLACK_MS);
    expect(answered.status).toBe("ok");
  });
});

describe("dns client input", () => {
  it("returns an IP literal without a query", async () => {
    const dns = client();
    const lookup = await dns.lookupAddresses("127.0.0.1");

    expect(lookup.addresses).toEqual(["127.0.0.1"]);
    expect(dns.stats().queries).toBe(0);
  });

  it("rejects a name with an empty label", async () => {
    const lookup = await client().lookupTxt("a..example.com");

    expect(lookup.status).toBe("error");
    expect(lookup.detail).toMatch(/empty label/);
  });

  it("rejects options without a resolver", () => {
    expect(() => client({ resolvers: [] })).toThrow(/no resolver configured/);
  });

  it("fails lookups after close", async () => {
    const dns = client({ authoritative: false });
    dns.close();

    const lookup = await dns.lookupTxt("_mta-sts.example.com");

    expect(lookup.status).toBe("error");
    expect(lookup.detail).toMatch(/closed/);
  });
});

describe("dns client query counts", () => {
  it("shares one set of queries between identical lookups in flight", async () => {
    const single = client();
    await single.lookupTxt("_mta-sts.example.com");
    const shared = client();

    await Promise.all([
      shared.lookupTxt("_mta-sts.example.com"),
      shared.lookupTxt("_MTA-STS.example.com."),
    ]);

    expect(shared.stats().queries).toBe(single.stats().queries);
  });

  it("finds the zone once for sequential names", async () => {
    const dns = client();
    for (let index = 0; index < 10; index++) {
      await dns.lookupTxt(`_mta-sts.d${index}.example.com`);
    }

    // One SOA and one NS query find the zone (the NS answer carries glue), then one query per name.
    expect(dns.stats().queries).toBe(2 + 10);
  });

  it("sends one NS query per zone for concurrent names", async () => {
    const before = server.queryLog.length;
    const dns = client();

    await Promise.all(
      Array.from({ length: 20 }, (_, index) => dns.lookupTxt(`_mta-sts.c${index}.example.com`)),
    );

    const nsQueries = server.queryLog.slice(before).filter((query) => query.type === "NS");
    expect(nsQueries).toHaveLength(1);
  });

  it("lets the names of one domain share the zone discovery", async () => {
    const before = server.queryLog.length;
    const dns = client();

    await Promise.all([
      dns.lookupMx("example.com"),
      dns.lookupTxt("_mta-sts.example.com"),
      dns.lookupTxt("_smtp._tls.example.com"),
      dns.lookupAddresses("mta-sts.example.com"),
    ]);

    const soaQueries = server.queryLog.slice(before).filter((query) => query.type === "SOA");
    expect(soaQueries).toHaveLength(1);
  });
});

describe("dns client authoritative path", () => {
  let resolver: DnsServer;
  let authority: DnsServer;

  beforeAll(async () => {
    // The resolver has the zone as it was before an apply, and the authority has the new id.
    resolver = await startDnsServer({ zones: [exampleZone("old1")] });
    authority = await startDnsServer({ zones: [exampleZone("new2")] });
  });

  afterAll(async () => {
    await resolver.close();
    await authority.close();
  });

  function splitClient(overrides: Partial<DnsClientOptions> = {}): DnsClient {
    return client({
      resolvers: [resolver.endpoint],
      authoritativePort: authority.port,
      ...overrides,
    });
  }

  it("reads the new record from the authoritative server", async () => {
    const lookup = await splitClient().lookupTxt("_mta-sts.example.com");

    expect(lookup.records).toEqual([["v=STSv1; ", "id=new2;"]]);
    expect(lookup.authoritative).toBe(true);
    expect(lookup.server).toBe(authority.endpoint);
    expect(lookup.fallback).toBeUndefined();
  });

  it("reads the stale record from the resolver without authoritative mode", async () => {
    const lookup = await splitClient({ authoritative: false }).lookupTxt("_mta-sts.example.com");

    expect(lookup.records).toEqual([["v=STSv1; ", "id=old1;"]]);
  });

  it("falls back to the resolver when the name servers are blocked", async () => {
    const lookup = await splitClient({ allowPrivateAddresses: false }).lookupTxt(
      "_mta-sts.example.com",
    );

    expect(lookup.records).toEqual([["v=STSv1; ", "id=old1;"]]);
    expect(lookup.authoritative).toBe(false);
    expect(lookup.fallback).toMatch(/127\.0\.0\.1 is a loopback address/);
  });

  it("falls back to the resolver when the authority is silent", async () => {
    authority.setBehaviour("example.com", "drop");
    try {
      const dns = splitClient();
      const started = Date.now();
      const first = await dns.lookupTxt("_mta-sts.example.com");
      const elapsed = Date.now() - started;
      const queriesAfterFirst = authority.queries;
      const second = await dns.lookupTxt("_smtp._tls.example.com");

      expect(first.records).toEqual([["v=STSv1; ", "id=old1;"]]);
      expect(first.authoritative).toBe(false);
      expect(first.fallback).toMatch(/did not answer/);
      expect(elapsed).toBeLessThan(TIMEOUT_MS * ATTEMPTS + SLACK_MS);
      expect(second.status).toBe("ok");
      expect(authority.queries).toBe(queriesAfterFirst);
    } finally {
      authority.setBehaviour("example.com", "normal");
    }
  });

  it("falls back to the resolver when the authority refuses", async () => {
    authority.setBehaviour("example.com", "refused");
    try {
      const lookup = await splitClient().lookupTxt("_mta-sts.example.com");

      expect(lookup.records).toEqual([["v=STSv1; ", "id=old1;"]]);
      expect(lookup.fallback).toMatch(/REFUSED/);
    } finally {
      authority.setBehaviour("example.com", "normal");
    }
  });

  it("follows a referral to a delegated zone", async () => {
    // NS-derived servers share one port, so the child zone's server listens on another
    // loopback address with the authority's port.
    const child = await startDnsServer({
      address: "127.0.0.2",
      port: authority.port,
      zones: [
        {
          name: "sub.example.com",
          records: { "_mta-sts.sub.example.com": { TXT: [["v=STSv1; id=sub3;"]] } },
        },
      ],
    });
    authority.setRecords("sub.example.com", { NS: ["ns.sub.example.com"] });
    authority.setRecords("ns.sub.example.com", { A: ["127.0.0.2"] });
    try {
      const dns = splitClient();
      await dns.lookupTxt("_mta-sts.example.com");

      const lookup = await dns.lookupTxt("_mta-sts.sub.example.com");

      expect(lookup.records).toEqual([["v=STSv1; id=sub3;"]]);
      expect(lookup.authoritative).toBe(true);
      expect(lookup.server).toBe(child.endpoint);
    } finally {
      await child.close();
    }
  });
});

describe("dns client response matching", () => {
  let rogue: dgram.Socket;
  let port: number;
  const seen: { id: number; port: number }[] = [];

  beforeAll(async () => {
    // Answers every query twice: first with a wrong id, then correctly, unless the name
    // starts with "wrong-question", which gets an answer for another name only.
    rogue = dgram.createSocket("udp4");
    rogue.on("message", (message, remote) => {
      const query = dnsPacket.decode(message);
      const question = query.questions![0]!;
      seen.push({ id: query.id!, port: remote.port });
      const answer = (id: number, name: string) =>
        dnsPacket.encode({
          type: "response",
          id,
          flags: dnsPacket.AUTHORITATIVE_ANSWER,
          questions: [{ name, type: question.type }],
          answers: [{ type: "TXT", name, ttl: 60, data: [`for ${id}`] }],
        });

      if (question.name.startsWith("wrong-question")) {
        rogue.send(answer(query.id!, "other.example.com"), remote.port, remote.address);
        return;
      }
      rogue.send(answer((query.id! + 1) % 65_536, question.name), remote.port, remote.address);
      rogue.send(answer(query.id!, question.name), remote.port, remote.address);
    });
    await new Promise<void>((resolve) => rogue.bind(0, "127.0.0.1", resolve));
    port = rogue.address().port;
  });

  afterAll(() => {
    rogue.close();
  });

  it("ignores a response with the wrong id", async () => {
    const dns = client({ resolvers: [`127.0.0.1:${port}`], authoritative: false });

    const lookup = await dns.lookupTxt("a.example.com");

    expect(lookup.status).toBe("ok");
    expect(lookup.records).toEqual([[`for ${seen.at(-1)!.id}`]]);
  });

  it("ignores a response for another question", async () => {
    const dns = client({ resolvers: [`127.0.0.1:${port}`], authoritative: false });

    const lookup = await dns.lookupTxt("wrong-question.example.com");

    expect(lookup.status).toBe("timeout");
  });

  it("uses a separate source port per query", async () => {
    const dns = client({ resolvers: [`127.0.0.1:${port}`], authoritative: false });
    const before = seen.length;

    await Promise.all([dns.lookupTxt("b.example.com"), dns.lookupTxt("c.example.com")]);

    const ports = new Set(seen.slice(before).map((query) => query.port));
    expect(ports.size).toBe(2);
  });
});
