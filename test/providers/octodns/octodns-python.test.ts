/**
 * Cross-checks against the two Python libraries that octoDNS loads zone files with:
 * PyYAML (Debian python3-yaml) and natsort (Debian python3-natsort). The check script
 * below is ours. Like octoDNS with enforce_order on, it rejects any mapping whose keys
 * are out of natsort order, and then it prints the loaded data as JSON.
 */

import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createOctoDnsFiles } from "../../../src/providers/dns/octodns.js";
import { compareNatural } from "../../../src/providers/dns/octodns-order.js";

const LOAD_CHECKED = `
import json, sys, yaml
from natsort import natsort_keygen

natural = natsort_keygen()

class OrderCheckingLoader(yaml.SafeLoader):
    pass

def ordered_mapping(loader, node):
    loader.flatten_mapping(node)
    pairs = loader.construct_pairs(node)
    keys = [key for key, _ in pairs]
    if keys != sorted(keys, key=natural):
        raise SystemExit("keys out of order at line %d: %r" % (node.start_mark.line + 1, keys))
    return dict(pairs)

OrderCheckingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, ordered_mapping)
with open(sys.argv[1]) as handle:
    print(json.dumps(yaml.load(handle, Loader=OrderCheckingLoader)))
`;

const SORT_KEYS = `
import json, sys
from natsort import natsort_keygen
print(json.dumps(sorted(json.loads(sys.stdin.read()), key=natsort_keygen())))
`;

function findPython(): string | null {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import natsort, yaml"], { encoding: "utf8" });
    if (probe.status === 0) {
      return candidate;
    }
  }
  return null;
}

const python = findPython();
if (python === null) {
  const reason =
    "python3 with the natsort and yaml modules is missing (apt-get install python3-natsort python3-yaml)";
  if (process.env.CI) {
    throw new Error(`octoDNS cross-check cannot run in CI: ${reason}; .ci/run must install it`);
  }
  console.warn(`skipped: octoDNS cross-check: ${reason}`);
}

function runPython(script: string, args: string[], input?: string): string {
  const result = spawnSync(python!, ["-c", script, ...args], { input, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`python3 failed: ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

describe.skipIf(python === null)("octoDNS cross-check with PyYAML and natsort", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-octodns-py-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test("compareNatural sorts as natsort", () => {
    const keys = [
      "host10",
      "host2",
      "Host1",
      "host1",
      "_x",
      "",
      "10",
      "9",
      "a01",
      "a1b",
      "a001b",
      "*.11.2",
      "*.2.2",
      "*.10.1",
      "45a03129",
      "45a0392a",
      "_mta-sts.mx10",
      "_mta-sts.mx2",
      "_smtp._tls",
      "_mta-sts",
      "_dmarc",
      "mail",
      "ttl",
      "type",
      "values",
      "value",
      "octodns",
      "a-1",
      "a-01-b",
      "x99999999999999999999",
      "x100000000000000000000",
    ];

    const expected = JSON.parse(runPython(SORT_KEYS, [], JSON.stringify(keys))) as string[];

    expect([...keys].sort(compareNatural)).toEqual(expected);
  });

  test("written zone file loads with enforced order", async () => {
    const file = path.join(directory, "example.com.yaml");
    await writeFile(
      file,
      [
        "---",
        "'':",
        "- type: TXT",
        "  value: v=spf1 -all",
        "_mta-sts.mx10:",
        "  type: A",
        "  value: 192.0.2.10",
        "mail:",
        "  octodns:",
        "    ignored: true",
        "  type: A",
        "  value: 192.0.2.25",
        "",
      ].join("\n"),
    );
    const dns = createOctoDnsFiles({ name: "zones", directory, log: () => {} });

    await dns.writeTxt("example.com", [
      { name: "_mta-sts.example.com", values: ["v=STSv1; id=20240101T000000Z;"], ttl: 300 },
      {
        name: "_smtp._tls.example.com",
        values: ["v=TLSRPTv1; rua=mailto:b@example.com", "v=TLSRPTv1; rua=mailto:a@example.com"],
      },
    ]);
    await dns.writeTxt("mx2.example.com", [
      { name: "_mta-sts.mx2.example.com", values: ["v=STSv1; id=2;"] },
    ]);
    await dns.writeTxt("mx10.example.com", [
      { name: "_mta-sts.mx10.example.com", values: ["v=STSv1; id=10;"] },
    ]);

    const loaded = JSON.parse(runPython(LOAD_CHECKED, [file])) as Record<string, unknown>;

    expect(loaded["_mta-sts"]).toEqual({
      ttl: 300,
      type: "TXT",
      value: "v=STSv1\\; id=20240101T000000Z\\;",
    });
    expect(loaded["_smtp._tls"]).toEqual({
      type: "TXT",
      values: ["v=TLSRPTv1\\; rua=mailto:a@example.com", "v=TLSRPTv1\\; rua=mailto:b@example.com"],
    });
    expect(loaded["_mta-sts.mx2"]).toEqual({ type: "TXT", value: "v=STSv1\\; id=2\\;" });
    expect(loaded["_mta-sts.mx10"]).toEqual([
      { type: "A", value: "192.0.2.10" },
      { type: "TXT", value: "v=STSv1\\; id=10\\;" },
    ]);
    expect(Object.keys(loaded)).toEqual([
      "",
      "_mta-sts",
      "_mta-sts.mx2",
      "_mta-sts.mx10",
      "_smtp._tls",
      "mail",
    ]);
    expect(await readFile(file, "utf8")).toContain("mail:\n  octodns:\n    ignored: true\n");
  });
});
