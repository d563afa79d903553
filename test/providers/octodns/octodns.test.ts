import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createOctoDnsFiles } from "../../../src/providers/dns/octodns.js";
import type { DnsProvider } from "../../../src/providers/types.js";

const STS = "v=STSv1; id=20240101T000000Z;";
const TLS_RPT = "v=TLSRPTv1; rua=mailto:tls@example.com";

/** A zone file as a user keeps it: octoDNS layout, comments, a list, a flow mapping. */
const EXAMPLE_COM = `---
# example.com, synced to the DNS host by octoDNS
'':
- type: MX
  values:
  - exchange: mx1.example.com.
    preference: 10
- type: TXT
  value: v=spf1 mx -all   # sender policy
# DMARC: stays at quarantine until the reports are clean
_dmarc:
  type: TXT
  value: v=DMARC1\\; p=quarantine\\; rua=mailto:dmarc@example.com
mail:
  type: A
  values:
  - 192.0.2.25  # primary
  - 192.0.2.26
www: {type: CNAME, value: example.com.}
`;

const HEAD = EXAMPLE_COM.slice(0, EXAMPLE_COM.indexOf("mail:\n"));
const TAIL = EXAMPLE_COM.slice(EXAMPLE_COM.indexOf("mail:\n"));

describe("octoDNS zone files provider", () => {
  let directory: string;
  let logLines: string[];
  let dns: DnsProvider;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-octodns-"));
    await writeFile(path.join(directory, "example.com.yaml"), EXAMPLE_COM);
    logLines = [];
    dns = createOctoDnsFiles({
      name: "zones",
      directory,
      log: (line) => logLines.push(line),
    });
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const zoneText = (file = "example.com.yaml") => readFile(path.join(directory, file), "utf8");

  test("new records escaped in natural order", async () => {
    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: [STS], ttl: 300 },
      { name: "_smtp._tls.example.com", values: [TLS_RPT] },
    ]);

    expect(await zoneText()).toBe(
      `${HEAD}_mta-sts:
  ttl: 300
  type: TXT
  value: v=STSv1\\; id=20240101T000000Z\\;
_smtp._tls:
  type: TXT
  value: v=TLSRPTv1\\; rua=mailto:tls@example.com
${TAIL}`,
    );
  });

  test("read unescapes semicolons", async () => {
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS] }]);

    expect(await dns.readTxt("example.com")).toEqual({ sts: [STS], tlsRpt: [] });
  });

  test("several values are written as sorted values", async () => {
    const second = "v=TLSRPTv1; rua=mailto:a@example.com";

    await dns.writeTxt("example.com", [
      { name: "_smtp._tls.example.com", values: [TLS_RPT, second] },
    ]);

    expect(await zoneText()).toBe(
      `${HEAD}_smtp._tls:
  type: TXT
  values:
  - v=TLSRPTv1\\; rua=mailto:a@example.com
  - v=TLSRPTv1\\; rua=mailto:tls@example.com
${TAIL}`,
    );
    expect((await dns.readTxt("example.com")).tlsRpt.sort()).toEqual([second, TLS_RPT]);
  });

  test("one value after several goes back to value", async () => {
    await dns.writeTxt("example.com", [
      { name: "_smtp._tls.example.com", values: [TLS_RPT, "v=TLSRPTv1; rua=mailto:a@example.com"] },
    ]);

    await dns.writeTxt("example.com", [{ name: "_smtp._tls.example.com", values: [TLS_RPT] }]);

    expect(await zoneText()).toBe(
      `${HEAD}_smtp._tls:
  type: TXT
  value: v=TLSRPTv1\\; rua=mailto:tls@example.com
${TAIL}`,
    );
  });

  test("ttl change rewrites only the record", async () => {
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 300 }]);

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: [STS], ttl: 86400 },
    ]);

    expect(await zoneText()).toBe(
      `${HEAD}_mta-sts:
  ttl: 86400
  type: TXT
  value: v=STSv1\\; id=20240101T000000Z\\;
${TAIL}`,
    );
  });

  test("write without ttl keeps the file's ttl", async () => {
    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS], ttl: 900 }]);

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: ["v=STSv1; id=20240202T000000Z;"] },
    ]);

    expect(await zoneText()).toContain("_mta-sts:\n  ttl: 900\n");
  });

  test("delete restores the original bytes", async () => {
    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: [STS], ttl: 300 },
      { name: "_smtp._tls.example.com", values: [TLS_RPT] },
    ]);

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: null },
      { name: "_smtp._tls.example.com", values: [] },
    ]);

    expect(await zoneText()).toBe(EXAMPLE_COM);
  });

  test("converged write leaves the file alone", async () => {
    const writes = [
      { name: "_mta-sts.example.com", values: [STS], ttl: 300 },
      { name: "_smtp._tls.example.com", values: [TLS_RPT] },
    ];
    await dns.writeTxt("example.com", writes);
    const before = await stat(path.join(directory, "example.com.yaml"));
    const text = await zoneText();

    await dns.writeTxt("example.com", writes);

    const after = await stat(path.join(directory, "example.com.yaml"));
    expect(after.ino).toBe(before.ino);
    expect(await zoneText()).toBe(text);
    expect(logLines.slice(-2)).toEqual([
      "octodns[zones] writeTxt: file=example.com.yaml name=_mta-sts change=none",
      "octodns[zones] writeTxt: file=example.com.yaml name=_smtp._tls change=none",
    ]);
  });

  test("round trip read write read", async () => {
    const long = `v=TLSRPTv1; rua=${Array.from({ length: 10 }, (_, index) => `mailto:r${index}@reports.example.net`).join(",")}`;
    expect(long.length).toBeGreaterThan(255);

    const first = await dns.readTxt("example.com");
    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: [STS] },
      { name: "_smtp._tls.example.com", values: [long] },
    ]);
    const second = await dns.readTxt("example.com");

    expect(first).toEqual({ sts: [], tlsRpt: [] });
    expect(second).toEqual({ sts: [STS], tlsRpt: [long] });
  });

  test("update keeps octodns settings block", async () => {
    await writeFile(
      path.join(directory, "example.com.yaml"),
      `${HEAD}# published by mta-sts-gitops
_mta-sts:
  octodns:
    cloudflare:
      auto-ttl: true
  type: TXT
  value: v=STSv1\\; id=1\\;
${TAIL}`,
    );

    await dns.writeTxt("example.com", [{ name: "_mta-sts.example.com", values: [STS] }]);

    expect(await zoneText()).toBe(
      `${HEAD}# published by mta-sts-gitops
_mta-sts:
  octodns:
    cloudflare:
      auto-ttl: true
  type: TXT
  value: v=STSv1\\; id=20240101T000000Z\\;
${TAIL}`,
    );
  });

  test("new name sorts naturally among numbered names", async () => {
    const zone = `---
_mta-sts.mx1:
  type: TXT
  value: v=STSv1\\; id=1\\;
_mta-sts.mx10:
  type: TXT
  value: v=STSv1\\; id=10\\;
`;
    await writeFile(path.join(directory, "example.net.yaml"), zone);

    await dns.writeTxt("mx2.example.net", [{ name: "_mta-sts.mx2.example.net", values: [STS] }]);

    expect(await zoneText("example.net.yaml")).toBe(`---
_mta-sts.mx1:
  type: TXT
  value: v=STSv1\\; id=1\\;
_mta-sts.mx2:
  type: TXT
  value: v=STSv1\\; id=20240101T000000Z\\;
_mta-sts.mx10:
  type: TXT
  value: v=STSv1\\; id=10\\;
`);
  });

  test("TXT beside another type makes list", async () => {
    const zone = `---
_mta-sts:
  type: A   # placeholder address
  value: 192.0.2.80
`;
    await writeFile(path.join(directory, "example.org.yaml"), zone);

    await dns.writeTxt("example.org", [{ name: "_mta-sts.example.org", values: [STS] }]);

    expect(await zoneText("example.org.yaml")).toBe(`---
_mta-sts:
- type: A   # placeholder address
  value: 192.0.2.80
- type: TXT
  value: v=STSv1\\; id=20240101T000000Z\\;
`);
    expect((await dns.readTxt("example.org")).sts).toEqual([STS]);
  });

  test("TXT goes between types in a list", async () => {
    const zone = `---
_smtp._tls:
    - type: A
      value: 192.0.2.1
    # forwarded for people who type the name into a browser
    - type: URLFWD
      value:
        code: 302
        target: https://example.org/
`;
    await writeFile(path.join(directory, "example.org.yaml"), zone);

    await dns.writeTxt("example.org", [{ name: "_smtp._tls.example.org", values: [TLS_RPT] }]);

    expect(await zoneText("example.org.yaml")).toBe(`---
_smtp._tls:
    - type: A
      value: 192.0.2.1
    - type: TXT
      value: v=TLSRPTv1\\; rua=mailto:tls@example.com
    # forwarded for people who type the name into a browser
    - type: URLFWD
      value:
        code: 302
        target: https://example.org/
`);
  });

  test("TXT deleted from list keeps others", async () => {
    const zone = `---
_mta-sts:
- type: A
  value: 192.0.2.80
- type: TXT
  value: v=STSv1\\; id=1\\;
`;
    await writeFile(path.join(directory, "example.org.yaml"), zone);

    await dns.writeTxt("example.org", [{ name: "_mta-sts.example.org", values: null }]);

    expect(await zoneText("example.org.yaml")).toBe(`---
_mta-sts:
- type: A
  value: 192.0.2.80
`);
  });

  test("CRLF file keeps its line endings", async () => {
    await writeFile(
      path.join(directory, "example.org.yaml"),
      "---\r\nmail:\r\n  type: A\r\n  value: 192.0.2.1\r\n",
    );

    await dns.writeTxt("example.org", [{ name: "_mta-sts.example.org", values: [STS] }]);

    expect(await zoneText("example.org.yaml")).toBe(
      "---\r\n_mta-sts:\r\n  type: TXT\r\n  value: v=STSv1\\; id=20240101T000000Z\\;\r\nmail:\r\n  type: A\r\n  value: 192.0.2.1\r\n",
    );
  });

  test("longest zone file suffix wins", async () => {
    await writeFile(path.join(directory, "sub.example.com.yaml"), "---\n");

    await dns.writeTxt("sub.example.com", [{ name: "_mta-sts.sub.example.com", values: [STS] }]);
    await dns.writeTxt("deep.example.com", [{ name: "_mta-sts.deep.example.com", values: [STS] }]);

    expect(await zoneText("sub.example.com.yaml")).toBe(
      "---\n_mta-sts:\n  type: TXT\n  value: v=STSv1\\; id=20240101T000000Z\\;\n",
    );
    expect(await zoneText()).toContain("\n_mta-sts.deep:\n  type: TXT\n");
    expect(await zoneText()).not.toContain("_mta-sts.sub:");
  });

  test("missing zone file lists files tried", async () => {
    await expect(dns.readTxt("example.invalid")).rejects.toThrow(
      `octoDNS provider "zones": no zone file for _mta-sts.example.invalid in ${directory} (looked for _mta-sts.example.invalid.yaml, example.invalid.yaml, invalid.yaml); create the zone file that octoDNS's YamlProvider reads for this domain's zone, or use another provider for this domain`,
    );
  });

  test("CNAME at the name blocks a TXT write", async () => {
    await writeFile(
      path.join(directory, "example.org.yaml"),
      "---\n_mta-sts:\n  type: CNAME\n  value: _mta-sts.provider.example.net.\n",
    );

    await expect(
      dns.writeTxt("example.org", [{ name: "_mta-sts.example.org", values: [STS] }]),
    ).rejects.toThrow(
      /example\.org\.yaml:2:1: _mta-sts is a CNAME to _mta-sts\.provider\.example\.net\./,
    );
  });

  test("invalid YAML names file and line", async () => {
    await writeFile(
      path.join(directory, "example.org.yaml"),
      "---\n_mta-sts:\n  type: TXT\n   value: [\n",
    );

    await expect(dns.readTxt("example.org")).rejects.toThrow(
      /example\.org\.yaml:\d+:\d+: invalid YAML/,
    );
  });

  test("invalid managed record names file and line", async () => {
    await writeFile(
      path.join(directory, "example.org.yaml"),
      "---\n_mta-sts:\n  type: TXT\n  ttl: 300\n",
    );

    await expect(dns.readTxt("example.org")).rejects.toThrow(
      /example\.org\.yaml:3:3: invalid record at _mta-sts: a TXT record needs value or values/,
    );
  });

  test("names out of order are logged", async () => {
    await writeFile(
      path.join(directory, "example.org.yaml"),
      "---\nmail:\n  type: A\n  value: 192.0.2.1\n_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=none\n",
    );

    await dns.readTxt("example.org");

    expect(logLines).toContain(
      `octodns[zones] warning: file=${path.join(directory, "example.org.yaml")} names out of natural order ("mail" before "_dmarc"); octoDNS with enforce_order rejects this file`,
    );
  });

  test("write to an unmanaged name is rejected", async () => {
    await expect(
      dns.writeTxt("example.com", [{ name: "_dmarc.example.com", values: ["v=DMARC1; p=reject"] }]),
    ).rejects.toThrow(/cannot write _dmarc\.example\.com/);
    expect(await zoneText()).toBe(EXAMPLE_COM);
  });

  test("domain that would leave the directory is rejected", async () => {
    await expect(dns.readTxt("../etc/passwd")).rejects.toThrow(/invalid domain/);
  });
});
