import { describe, expect, it } from "vitest";
import { createCloudflareDns } from "../../../src/providers/dns/cloudflare.js";
import type { DnsProvider } from "../../../src/providers/types.js";
import type { CloudflareFake } from "../../support/cloudflare-fake/index.js";
import { captureLog, fakeSession, useCloudflareFake } from "./fixtures.js";

const fake = useCloudflareFake();

const LIST_ZONES = "GET /zones";
const LIST_RECORDS = "GET /zones/{zone_id}/dns_records";
const BATCH = "POST /zones/{zone_id}/dns_records/batch";

/** Creates a provider on a session of its own, so caches from other tests do not hide calls. */
function provider(target: CloudflareFake = fake(), log = captureLog().log): DnsProvider {
  return createCloudflareDns({
    name: "dns",
    apiToken: target.token,
    log,
    session: fakeSession(target),
  });
}

/** Adds a zone with the given records; names are relative to nothing (absolute). */
function seedZone(
  name: string,
  records: Array<{ name: string; type: string; content: string; ttl?: number }> = [],
) {
  const zone = fake().account.addZone(name);
  for (const record of records) fake().account.addRecord(zone, record);
  return zone;
}

describe("cloudflare dns readTxt", () => {
  it("reads and unquotes the managed records", async () => {
    seedZone("read.example", [
      { name: "_mta-sts.read.example", type: "TXT", content: '"v=STSv1; id=20240101T000000Z;"' },
      {
        name: "_smtp._tls.read.example",
        type: "TXT",
        content: '"v=TLSRPTv1; rua=mailto:tls@read.example"',
      },
      { name: "read.example", type: "TXT", content: '"v=spf1 -all"' },
      { name: "_dmarc.read.example", type: "TXT", content: '"v=DMARC1; p=none"' },
    ]);

    const txt = await provider().readTxt("read.example");

    expect(txt.sts).toEqual(["v=STSv1; id=20240101T000000Z;"]);
    expect(txt.tlsRpt).toEqual(["v=TLSRPTv1; rua=mailto:tls@read.example"]);
  });

  it("reads records stored without quotes as they are", async () => {
    seedZone("bare.example", [
      { name: "_mta-sts.bare.example", type: "TXT", content: "v=STSv1; id=1;" },
    ]);

    const txt = await provider().readTxt("bare.example");

    expect(txt.sts).toEqual(["v=STSv1; id=1;"]);
    expect(txt.tlsRpt).toEqual([]);
  });

  it("joins the strings of a long record without spaces", async () => {
    const long = `v=TLSRPTv1; rua=mailto:${"a".repeat(250)}@long.example,mailto:tls@long.example`;
    seedZone("long.example", [
      {
        name: "_smtp._tls.long.example",
        type: "TXT",
        content: `"${long.slice(0, 255)}" "${long.slice(255)}"`,
      },
    ]);

    const txt = await provider().readTxt("long.example");

    expect(txt.tlsRpt).toEqual([long]);
  });

  it("uses the longest zone suffix", async () => {
    seedZone("suffix.example", [
      { name: "_mta-sts.mail.suffix.example", type: "TXT", content: '"v=STSv1; id=parent;"' },
    ]);
    seedZone("mail.suffix.example", [
      { name: "_mta-sts.mail.suffix.example", type: "TXT", content: '"v=STSv1; id=child;"' },
    ]);

    const txt = await provider().readTxt("mail.suffix.example");

    expect(txt.sts).toEqual(["v=STSv1; id=child;"]);
  });

  it("lists zones once and records once per zone", async () => {
    seedZone("shared.example", [
      { name: "_mta-sts.a.shared.example", type: "TXT", content: '"v=STSv1; id=a;"' },
      { name: "_mta-sts.b.shared.example", type: "TXT", content: '"v=STSv1; id=b;"' },
    ]);
    const dns = provider();
    fake().clearRequests();

    const a = await dns.readTxt("a.shared.example");
    const b = await dns.readTxt("b.shared.example");

    expect(a.sts).toEqual(["v=STSv1; id=a;"]);
    expect(b.sts).toEqual(["v=STSv1; id=b;"]);
    expect(fake().count(LIST_ZONES)).toBe(Math.ceil(fake().account.zones.length / 50));
    expect(fake().count(LIST_RECORDS)).toBe(1);
  });

  it("filters the record list by name", async () => {
    seedZone("filter.example", [{ name: "www.filter.example", type: "A", content: "192.0.2.1" }]);
    const dns = provider();
    fake().clearRequests();

    await dns.readTxt("filter.example");

    const list = fake().requests.find((request) => request.route === LIST_RECORDS);
    expect(list?.query.get("match")).toBe("any");
    expect(list?.query.get("name.startswith")).toBe("_mta-sts.");
    expect(list?.query.get("name.contains")).toBe("_smtp._tls.");
  });

  it("finds a zone added after the zone list", async () => {
    const target = fake();
    const session = fakeSession(target);
    const dns = createCloudflareDns({
      name: "dns",
      apiToken: target.token,
      log: captureLog().log,
      session,
    });
    await dns.readTxt("read.example");
    seedZone("late.example", [
      { name: "_mta-sts.late.example", type: "TXT", content: '"v=STSv1; id=late;"' },
    ]);
    target.clearRequests();

    const txt = await createCloudflareDns({
      name: "dns",
      apiToken: target.token,
      log: captureLog().log,
      session,
    }).readTxt("late.example");

    expect(txt.sts).toEqual(["v=STSv1; id=late;"]);
    expect(target.count(LIST_ZONES)).toBe(Math.ceil(target.account.zones.length / 50));
  });

  it("lists the zones again once per missing name", async () => {
    const dns = provider();
    await expect(dns.readTxt("missing.invalid")).rejects.toThrow(/no zone/);
    fake().clearRequests();

    await expect(dns.readTxt("missing.invalid")).rejects.toThrow(/no zone/);

    expect(fake().count(LIST_ZONES)).toBe(0);
  });

  it("fails for a domain outside every zone", async () => {
    await expect(provider().readTxt("nowhere.invalid")).rejects.toThrow(
      /^cloudflare\("dns"\): failed to read _mta-sts\.nowhere\.invalid TXT: no zone of the Cloudflare accounts of the token contains it/,
    );
  });
});

describe("cloudflare dns writeTxt", () => {
  it("writes quoted, reads back and converges", async () => {
    const zone = seedZone("write.example");
    const dns = provider();
    const writes = [
      { name: "_mta-sts.write.example", values: ["v=STSv1; id=20240101T000000Z;"] },
      { name: "_smtp._tls.write.example", values: ["v=TLSRPTv1; rua=mailto:tls@write.example"] },
    ];
    fake().clearRequests();

    await dns.writeTxt("write.example", writes);

    expect(fake().count(BATCH)).toBe(1);
    const stored = fake()
      .account.recordsOf(zone)
      .map((record) => record.content)
      .sort();
    expect(stored).toEqual([
      '"v=STSv1; id=20240101T000000Z;"',
      '"v=TLSRPTv1; rua=mailto:tls@write.example"',
    ]);

    const again = provider();
    const txt = await again.readTxt("write.example");
    expect(txt).toEqual({ sts: writes[0]?.values, tlsRpt: writes[1]?.values });

    fake().clearRequests();
    await again.writeTxt("write.example", writes);
    expect(fake().count(BATCH)).toBe(0);
  });

  it("replaces a value with a patch of the same record", async () => {
    const zone = seedZone("patch.example", [
      { name: "_mta-sts.patch.example", type: "TXT", content: '"v=STSv1; id=old;"' },
    ]);
    const before = fake().account.recordsOf(zone)[0]?.id;
    const dns = provider();
    await dns.readTxt("patch.example");
    fake().clearRequests();

    await dns.writeTxt("patch.example", [
      { name: "_mta-sts.patch.example", values: ["v=STSv1; id=new;"] },
    ]);

    const batch = fake().requests.find((request) => request.route === BATCH)?.body as Record<
      string,
      unknown[]
    >;
    expect(batch.patches).toHaveLength(1);
    expect(batch.posts).toBeUndefined();
    expect(batch.deletes).toBeUndefined();
    expect(
      fake()
        .account.recordsOf(zone)
        .map((record) => [record.id, record.content]),
    ).toEqual([[before, '"v=STSv1; id=new;"']]);
    expect((await dns.readTxt("patch.example")).sts).toEqual(["v=STSv1; id=new;"]);
    expect(fake().count(LIST_RECORDS)).toBe(0);
  });

  it("deletes a record set with null", async () => {
    const zone = seedZone("delete.example", [
      { name: "_mta-sts.delete.example", type: "TXT", content: '"v=STSv1; id=1;"' },
      { name: "_mta-sts.delete.example", type: "TXT", content: '"v=STSv1; id=2;"' },
      { name: "delete.example", type: "TXT", content: '"v=spf1 -all"' },
    ]);

    await provider().writeTxt("delete.example", [
      { name: "_mta-sts.delete.example", values: null },
    ]);

    expect(
      fake()
        .account.recordsOf(zone)
        .map((record) => record.name),
    ).toEqual(["delete.example"]);
  });

  it("sends one batch for both names", async () => {
    seedZone("both.example", [
      { name: "_mta-sts.both.example", type: "TXT", content: '"v=STSv1; id=1;"' },
    ]);
    const dns = provider();
    fake().clearRequests();

    await dns.writeTxt("both.example", [
      { name: "_mta-sts.both.example", values: null },
      { name: "_smtp._tls.both.example", values: ["v=TLSRPTv1; rua=mailto:a@both.example"] },
    ]);

    expect(fake().count(BATCH)).toBe(1);
    const body = fake().requests.find((request) => request.route === BATCH)?.body as Record<
      string,
      unknown[]
    >;
    expect(body.deletes).toHaveLength(1);
    expect(body.posts).toHaveLength(1);
  });

  it("splits a value over 255 bytes into quoted strings", async () => {
    const zone = seedZone("split.example");
    const value = `v=TLSRPTv1; rua=${Array.from({ length: 12 }, (_, i) => `mailto:reports-${i}@split-reports.example`).join(",")}`;
    expect(Buffer.byteLength(value)).toBeGreaterThan(255);

    const dns = provider();
    await dns.writeTxt("split.example", [{ name: "_smtp._tls.split.example", values: [value] }]);

    const content = fake().account.recordsOf(zone)[0]?.content ?? "";
    const strings = [...content.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? "");
    expect(strings.length).toBe(2);
    expect(strings.every((text) => Buffer.byteLength(text) <= 255)).toBe(true);
    expect(strings.join("")).toBe(value);
    expect((await provider().readTxt("split.example")).tlsRpt).toEqual([value]);
  });

  it("sets the TTL the write asks for", async () => {
    const zone = seedZone("ttl.example", [
      { name: "_mta-sts.ttl.example", type: "TXT", content: '"v=STSv1; id=1;"' },
    ]);

    await provider().writeTxt("ttl.example", [
      { name: "_mta-sts.ttl.example", values: ["v=STSv1; id=1;"], ttl: 300 },
    ]);

    expect(
      fake()
        .account.recordsOf(zone)
        .map((record) => record.ttl),
    ).toEqual([300]);
  });

  it("rejects a name it does not manage", async () => {
    seedZone("other.example");
    fake().clearRequests();

    await expect(
      provider().writeTxt("other.example", [{ name: "other.example", values: ["v=spf1 -all"] }]),
    ).rejects.toThrow('cloudflare("dns"): invalid write of other.example TXT for other.example');
    expect(fake().count(BATCH)).toBe(0);
  });

  it("rejects a TXT write over a CNAME", async () => {
    seedZone("cname.example", [
      { name: "_mta-sts.cname.example", type: "CNAME", content: "_mta-sts.provider.example" },
    ]);

    await expect(
      provider().writeTxt("cname.example", [
        { name: "_mta-sts.cname.example", values: ["v=STSv1; id=1;"] },
      ]),
    ).rejects.toThrow(
      /_mta-sts\.cname\.example TXT in zone cname\.example: the name has a CNAME to "_mta-sts\.provider\.example"/,
    );
  });

  it("names zone, record and API message on failure", async () => {
    seedZone("error.example");
    fake().inject({
      route: BATCH,
      status: 400,
      errors: [{ code: 9005, message: "Content for TXT record is invalid" }],
    });

    await expect(
      provider().writeTxt("error.example", [
        { name: "_mta-sts.error.example", values: ["v=STSv1; id=1;"] },
      ]),
    ).rejects.toThrow(
      'cloudflare("dns"): failed to write _mta-sts.error.example TXT in zone error.example: 9005 Content for TXT record is invalid',
    );
  });

  it("keeps the token out of errors and logs", async () => {
    seedZone("secret.example");
    const target = fake();
    const log = captureLog();
    target.inject({
      route: BATCH,
      status: 503,
      times: 5,
      errors: [{ code: 10002, message: `upstream saw ${target.token}` }],
    });

    const error = await provider(target, log.log)
      .writeTxt("secret.example", [{ name: "_mta-sts.secret.example", values: ["v=STSv1; id=1;"] }])
      .catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain("upstream saw ***");
    expect(String((error as Error).message)).not.toContain(target.token);
    expect(log.lines.join("\n")).not.toContain(target.token);
    const cause = (error as Error).cause as Error & { error?: unknown };
    expect(cause.message).not.toContain(target.token);
    expect(cause.stack ?? "").not.toContain(target.token);
    expect(JSON.stringify(cause.error)).not.toContain(target.token);
  });

  it("keeps the token out of zone list errors", async () => {
    const target = fake();
    target.inject({
      route: LIST_ZONES,
      status: 400,
      errors: [{ code: 1000, message: `bad ${target.token}` }],
    });

    const error = (await provider(target)
      .readTxt("anything.example")
      .catch((caught: Error) => caught)) as Error;

    expect(error.message).toContain("failed to list the zones: 1000 bad ***");
    let current: unknown = error;
    while (current instanceof Error) {
      expect(`${current.message}\n${current.stack}`).not.toContain(target.token);
      current = current.cause;
    }
  });
});

describe("cloudflare dns paging", () => {
  it("reads every page of zones and records", async () => {
    for (let index = 0; index < 120; index++) fake().account.addZone(`page-${index}.example`);
    const zone = seedZone("many.example");
    for (let index = 0; index < 300; index++) {
      fake().account.addRecord(zone, {
        name: `_mta-sts.d${index}.many.example`,
        type: "TXT",
        content: `"v=STSv1; id=${index};"`,
      });
      fake().account.addRecord(zone, {
        name: `_smtp._tls.d${index}.many.example`,
        type: "TXT",
        content: '"v=TLSRPTv1; rua=mailto:a@b.example"',
      });
    }
    const dns = provider();
    fake().clearRequests();

    const last = await dns.readTxt("d299.many.example");

    expect(last.sts).toEqual(["v=STSv1; id=299;"]);
    expect(fake().count(LIST_ZONES)).toBe(Math.ceil(fake().account.zones.length / 50));
    expect(fake().count(LIST_ZONES)).toBeGreaterThan(2);
    expect(fake().count(LIST_RECORDS)).toBe(2);
  });
});

describe("cloudflare dns concurrency", () => {
  it("keeps the cache right for parallel writes in one zone", async () => {
    seedZone("parallel.example");
    const dns = provider();
    const names = ["a", "b", "c", "d"];

    await Promise.all(
      names.map((name) =>
        dns.writeTxt(`${name}.parallel.example`, [
          { name: `_mta-sts.${name}.parallel.example`, values: [`v=STSv1; id=${name};`] },
        ]),
      ),
    );
    fake().clearRequests();
    const read = await Promise.all(names.map((name) => dns.readTxt(`${name}.parallel.example`)));

    expect(read.map((txt) => txt.sts)).toEqual(names.map((name) => [`v=STSv1; id=${name};`]));
    expect(fake().count(LIST_RECORDS)).toBe(0);
  });
});
