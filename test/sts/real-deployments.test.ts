import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePolicyIdTime } from "../../src/sts/id.js";
import { uncoveredHosts } from "../../src/sts/mx.js";
import { parsePolicy } from "../../src/sts/policy.js";
import { parseTlsRptRecord, selectStsRecord } from "../../src/sts/txt.js";
import { repoRoot } from "../support/shared.js";

interface Deployment {
  domain: string;
  mx: { host: string; preference: number }[] | null;
  sts_txt: string[] | null;
  policy: string | null;
  tlsrpt_txt: string[] | null;
  notes: string;
}

const deployments = JSON.parse(
  readFileSync(path.join(repoRoot, "src", "sandbox", "real-deployments.json"), "utf8"),
) as Deployment[];

// Ids as published; most are in formats other than ours, and every one must parse.
const EXPECTED_IDS: Record<string, string> = {
  "gmail.com": "20190429T010101",
  "google.com": "20210803T010101",
  "yahoo.com": "20161109010200Z",
  "protonmail.com": "190906205100Z",
  "mailbox.org": "20261606010000",
  "openstreetmap.org": "202001291805Z",
  "archlinux.org": "2022051602",
  "mx.cloudflare.net": "20230615T153000",
  "thundermail.com": "18139500144460329770",
};

// MX hosts named only in the notes: Cloudflare customer zones point their _mta-sts at
// the mx.cloudflare.net policy and use these MX hosts.
const HOSTS_FROM_NOTES: Record<string, string[]> = {
  "mx.cloudflare.net": [
    "route1.mx.cloudflare.net",
    "route2.mx.cloudflare.net",
    "route3.mx.cloudflare.net",
  ],
};

const withTxt = deployments.filter((entry) => entry.sts_txt !== null);
const withPolicy = deployments.filter((entry) => entry.policy !== null);
const withTlsRpt = deployments.filter((entry) => entry.tlsrpt_txt !== null);

describe("real deployments", () => {
  it("have the expected records", () => {
    expect(withTxt.map((entry) => entry.domain)).toEqual(Object.keys(EXPECTED_IDS));
  });

  it.each(withTxt.map((entry) => [entry.domain, entry.sts_txt ?? []] as const))(
    "%s _mta-sts record parses",
    (domain, records) => {
      const selection = selectStsRecord(records.map((text) => [text]));

      expect(selection).toMatchObject({
        kind: "one",
        parsed: { ok: true, record: { id: EXPECTED_IDS[domain], extensions: {} } },
      });
    },
  );

  it("has no id in our format", () => {
    const ours = Object.values(EXPECTED_IDS).filter((id) => parsePolicyIdTime(id) !== null);
    expect(ours).toEqual([]);
  });

  it.each(withPolicy.map((entry) => [entry.domain, entry.policy ?? ""] as const))(
    "%s policy parses",
    (_domain, text) => {
      const parsed = parsePolicy(text);

      expect(parsed.errors).toEqual([]);
      expect(parsed.warnings).toEqual([]);
      expect(parsed.policy).not.toBeNull();
    },
  );

  it("reads max_age before mx", () => {
    const archlinux = withPolicy.find((entry) => entry.domain === "archlinux.org");
    expect(parsePolicy(archlinux?.policy ?? "").policy).toEqual({
      mode: "enforce",
      mx: ["mail.archlinux.org"],
      maxAge: 2592000,
    });
  });

  it("reads a policy without a final newline", () => {
    const protonmail = withPolicy.find((entry) => entry.domain === "protonmail.com");
    expect(parsePolicy(protonmail?.policy ?? "").policy).toEqual({
      mode: "enforce",
      mx: ["mail.protonmail.ch", "mailsec.protonmail.ch"],
      maxAge: 604800,
    });
  });

  const coverageRows = withPolicy
    .map((entry) => {
      const hosts = [
        ...(entry.mx ?? []).map((mx) => mx.host),
        ...(HOSTS_FROM_NOTES[entry.domain] ?? []),
      ];
      return [entry.domain, entry.policy ?? "", hosts] as const;
    })
    .filter(([, , hosts]) => hosts.length > 0);

  it("checks coverage for every domain with a policy and MX hosts", () => {
    expect(coverageRows.map(([domain]) => domain)).toEqual([
      "gmail.com",
      "google.com",
      "outlook.com",
      "microsoft.com",
      "protonmail.com",
      "openstreetmap.org",
      "archlinux.org",
      "mx.cloudflare.net",
    ]);
  });

  it.each(coverageRows)("%s policy covers its MX hosts", (_domain, text, hosts) => {
    const patterns = parsePolicy(text).policy?.mx ?? [];
    expect(uncoveredHosts(patterns, hosts)).toEqual([]);
  });

  it.each(withTlsRpt.map((entry) => [entry.domain, entry.tlsrpt_txt ?? []] as const))(
    "%s _smtp._tls record parses",
    (_domain, records) => {
      expect(records).toHaveLength(1);
      expect(parseTlsRptRecord(records[0] ?? "")).toMatchObject({ ok: true, warnings: [] });
    },
  );
});
