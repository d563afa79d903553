import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsServer, startDnsServer } from "../../src/sandbox/dns-server.js";
import { encodeRawQuery, queryTcp, queryUdp, type RawResponse, sendUdp } from "./raw-dns.js";

let server: DnsServer;

/** The data of the first answer record; throws when there is none. */
function firstData<T>(packet: RawResponse): T {
  const record = packet.answers?.[0];
  if (record === undefined || !("data" in record)) {
    throw new Error("the response has no answer record");
  }
  return record.data as T;
}

function txtOf(packet: RawResponse): string[] {
  return firstData<Buffer[]>(packet).map((part) => part.toString());
}

/** A TXT record of this many 250-byte strings makes an answer of roughly 250 * n bytes. */
function bigTxt(strings: number): string[] {
  return Array.from({ length: strings }, (_, index) => String(index % 10).repeat(250));
}

beforeAll(async () => {
  server = await startDnsServer({
    zones: [
      {
        name: "example.com",
        ttl: 120,
        records: {
          "example.com": {
            NS: ["ns1.example.com"],
            MX: [{ preference: 10, exchange: "mx1.example.com" }],
          },
          "ns1.example.com": { A: ["127.0.0.1"] },
          "_mta-sts.example.com": { TXT: [["v=STSv1; ", "id=1;"]] },
          "_smtp._tls.example.com": { CNAME: "reports.example.com" },
          "reports.example.com": { CNAME: "_smtp._tls.final.example.com" },
          "_smtp._tls.final.example.com": { TXT: [["v=TLSRPTv1; rua=mailto:r@example.com"]] },
          "outside.example.com": { CNAME: "target.other.test" },
          "medium.example.com": { TXT: [bigTxt(3)] },
          "big.example.com": { TXT: [bigTxt(8)] },
          "sub.example.com": { NS: ["ns.sub.example.com"] },
          "ns.sub.example.com": { A: ["127.0.0.2"] },
        },
      },
      { name: "other.test", records: { "target.other.test": { TXT: [["x"]] } } },
      { name: "servfail.test", behaviour: "servfail" },
      { name: "refused.test", behaviour: "refused" },
      { name: "dead.test", behaviour: "drop" },
    ],
  });
});

afterAll(async () => {
  await server.close();
});

describe("dns server answers", () => {
  it("answers TXT with AA and the strings apart", async () => {
    const reply = await queryUdp(server, { name: "_mta-sts.example.com", type: "TXT" });
    const packet = reply!.packet;

    expect(packet.rcode).toBe("NOERROR");
    expect(packet.flag_aa).toBe(true);
    expect(packet.answers?.[0]).toMatchObject({ type: "TXT", ttl: 120 });
    expect(txtOf(packet)).toEqual(["v=STSv1; ", "id=1;"]);
  });

  it("matches names case-insensitively and echoes the question", async () => {
    const reply = await queryUdp(server, { name: "_MTA-STS.Example.COM", type: "TXT" });

    expect(reply!.packet.questions?.[0]?.name).toBe("_MTA-STS.Example.COM");
    expect(reply!.packet.answers).toHaveLength(1);
  });

  it("returns NXDOMAIN with the zone SOA", async () => {
    const reply = await queryUdp(server, { name: "missing.example.com", type: "TXT" });
    const packet = reply!.packet;

    expect(packet.rcode).toBe("NXDOMAIN");
    expect(packet.flag_aa).toBe(true);
    expect(packet.authorities?.[0]).toMatchObject({ type: "SOA", name: "example.com" });
  });

  it("returns NODATA for an existing name without the type", async () => {
    const reply = await queryUdp(server, { name: "example.com", type: "TXT" });
    const packet = reply!.packet;

    expect(packet.rcode).toBe("NOERROR");
    expect(packet.answers).toHaveLength(0);
    expect(packet.authorities?.[0]).toMatchObject({ type: "SOA", name: "example.com" });
  });

  it("returns NODATA for an empty non-terminal", async () => {
    const reply = await queryUdp(server, { name: "_tls.example.com", type: "TXT" });

    expect(reply!.packet.rcode).toBe("NOERROR");
    expect(reply!.packet.answers).toHaveLength(0);
  });

  it("chases a CNAME chain inside the zone", async () => {
    const reply = await queryUdp(server, { name: "_smtp._tls.example.com", type: "TXT" });
    const types = reply!.packet.answers?.map((record) => record.type);

    expect(types).toEqual(["CNAME", "CNAME", "TXT"]);
  });

  it("stops at a CNAME that leaves the zone", async () => {
    const reply = await queryUdp(server, { name: "outside.example.com", type: "TXT" });
    const packet = reply!.packet;

    expect(packet.rcode).toBe("NOERROR");
    expect(packet.answers?.map((record) => record.type)).toEqual(["CNAME"]);
    expect(packet.authorities).toHaveLength(0);
  });

  it("adds glue to NS answers", async () => {
    const reply = await queryUdp(server, { name: "example.com", type: "NS" });

    expect(reply!.packet.additionals?.[0]).toMatchObject({
      type: "A",
      name: "ns1.example.com",
      data: "127.0.0.1",
    });
  });

  it("refers names below a delegation", async () => {
    const reply = await queryUdp(server, { name: "_mta-sts.sub.example.com", type: "TXT" });
    const packet = reply!.packet;

    expect(packet.flag_aa).toBe(false);
    expect(packet.answers).toHaveLength(0);
    expect(packet.authorities?.[0]).toMatchObject({ type: "NS", name: "sub.example.com" });
    expect(packet.additionals?.[0]).toMatchObject({ type: "A", data: "127.0.0.2" });
  });

  it("refuses names outside its zones", async () => {
    const reply = await queryUdp(server, { name: "example.net", type: "TXT" });

    expect(reply!.packet.rcode).toBe("REFUSED");
  });

  it.each([
    ["servfail.test", "SERVFAIL"],
    ["refused.test", "REFUSED"],
  ])("zone %s answers %s", async (zone, rcode) => {
    const reply = await queryUdp(server, { name: `_mta-sts.${zone}`, type: "TXT" });

    expect(reply!.packet.rcode).toBe(rcode);
  });

  it("drop zone never answers", async () => {
    const reply = await queryUdp(server, { name: "_mta-sts.dead.test", type: "TXT" }, 300);

    expect(reply).toBeNull();
  });

  it("answers FORMERR to garbage with a header", async () => {
    const garbage = Buffer.concat([
      encodeRawQuery({ name: "x.example.com", type: "TXT" }).subarray(0, 12),
      Buffer.from([0xff, 0xff]),
    ]);
    const data = await sendUdp(server, garbage);

    expect(data!.readUInt16BE(2) & 0x8000).toBe(0x8000);
    expect(data!.readUInt16BE(2) & 0xf).toBe(1);
  });
});

describe("dns server sizes", () => {
  it("truncates past 512 bytes without EDNS", async () => {
    const reply = await queryUdp(server, { name: "medium.example.com", type: "TXT" });

    expect(reply!.packet.flag_tc).toBe(true);
    expect(reply!.packet.answers).toHaveLength(0);
  });

  it("honours the EDNS payload size", async () => {
    const reply = await queryUdp(server, { name: "medium.example.com", type: "TXT", edns: 1232 });

    expect(reply!.packet.flag_tc).toBe(false);
    expect(reply!.size).toBeGreaterThan(512);
  });

  it("truncates past the EDNS payload size", async () => {
    const reply = await queryUdp(server, { name: "big.example.com", type: "TXT", edns: 1232 });

    expect(reply!.packet.flag_tc).toBe(true);
  });

  it("sends the whole answer over TCP", async () => {
    const before = server.tcpQueries;
    const packet = await queryTcp(server, { name: "big.example.com", type: "TXT" });

    expect(packet.flag_tc).toBe(false);
    expect(firstData<Buffer[]>(packet)).toHaveLength(8);
    expect(server.tcpQueries).toBe(before + 1);
  });
});

describe("dns server updates", () => {
  it("setRecords replaces a name and bumps the serial", async () => {
    const soaBefore = await queryUdp(server, { name: "example.com", type: "SOA" });
    server.setRecords("_mta-sts.example.com", { TXT: [["v=STSv1; id=2;"]] });

    const reply = await queryUdp(server, { name: "_mta-sts.example.com", type: "TXT" });
    const soaAfter = await queryUdp(server, { name: "example.com", type: "SOA" });

    expect(txtOf(reply!.packet)).toEqual(["v=STSv1; id=2;"]);
    const serial = (reply: typeof soaBefore) => firstData<{ serial: number }>(reply!.packet).serial;
    expect(serial(soaAfter)).toBe(serial(soaBefore) + 1);
  });

  it("setRecords with null removes the name", async () => {
    server.setRecords("medium.example.com", null);

    const reply = await queryUdp(server, { name: "medium.example.com", type: "TXT" });

    expect(reply!.packet.rcode).toBe("NXDOMAIN");
  });

  it("setRecords outside every zone throws", () => {
    expect(() => server.setRecords("a.example.net", { A: ["127.0.0.1"] })).toThrow(/no zone/);
  });

  it("setBehaviour switches a zone to SERVFAIL", async () => {
    server.setZone({ name: "flaky.test", records: { "flaky.test": { TXT: [["ok"]] } } });
    server.setBehaviour("flaky.test", "servfail");

    const reply = await queryUdp(server, { name: "flaky.test", type: "TXT" });

    expect(reply!.packet.rcode).toBe("SERVFAIL");
  });

  it("counts and logs queries", async () => {
    const before = server.queries;
    await queryUdp(server, { name: "Example.com", type: "MX" });

    expect(server.queries).toBe(before + 1);
    expect(server.queryLog.at(-1)).toEqual({ name: "example.com", type: "MX", tcp: false });
  });
});
