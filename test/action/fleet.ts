/**
 * Generated fleets for the Action's tests: a workspace with mta-sts-gitops.yaml and one
 * domain file per domain, observed through the loopback DNS server of src/sandbox.
 * Nothing is published yet, so a plan proposes changes for every domain.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type DnsServer,
  startDnsServer,
  type ZoneDefinition,
} from "../../src/sandbox/dns-server.js";

export interface Fleet {
  root: string;
  domains: string[];
  dns: DnsServer;
}

/** Returns `count` domain names: fleet0000.example, fleet0001.example, ... */
export function fleetDomains(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `fleet${String(i).padStart(4, "0")}.example`);
}

/** Serves each domain's MX (and nothing of MTA-STS yet) from a loopback DNS server. */
export async function startFleetDns(domains: string[]): Promise<DnsServer> {
  const zones: ZoneDefinition[] = domains.map((domain) => ({
    name: domain,
    records: {
      [domain]: { MX: [{ preference: 10, exchange: `mx1.${domain}` }] },
      [`mx1.${domain}`]: { A: ["127.0.0.1"] },
    },
  }));
  return startDnsServer({ zones });
}

/**
 * Writes the configuration of a fleet that reads DNS from `dnsEndpoint` ("127.0.0.1:port").
 * Apply waits at most one second for a published policy to be served, because no test
 * serves the policies of a generated fleet.
 */
export function writeFleetWorkspace(domains: string[], dnsEndpoint: string): string {
  const root = mkdtempSync(path.join(tmpdir(), "mta-sts-gitops-fleet-"));
  mkdirSync(path.join(root, "domains"));
  mkdirSync(path.join(root, "zones"));
  mkdirSync(path.join(root, "policies"));

  writeFileSync(
    path.join(root, "mta-sts-gitops.yaml"),
    [
      "version: 1",
      "dns_providers:",
      "  zones:",
      "    type: octodns",
      "    directory: zones",
      "policy_hosts:",
      "  files:",
      "    type: static",
      "    directory: policies",
      "defaults:",
      "  dns: zones",
      "  policy_host: files",
      "  mta_sts:",
      "    mode: testing",
      "    max_age: 604800",
      "  tls_rpt:",
      '    rua: ["mailto:tls-reports@reports.example"]',
      "observe:",
      `  resolvers: ["${dnsEndpoint}"]`,
      "  authoritative: false",
      "  allow_private_addresses: true",
      "  dns_timeout_ms: 1000",
      "  dns_attempts: 1",
      "  fetch_timeout_ms: 1000",
      "  smtp_timeout_ms: 1000",
      "  concurrency: 32",
      "safety:",
      "  max_change_share: 1",
      "  verify_timeout_seconds: 1",
      "  verify_interval_seconds: 1",
      "",
    ].join("\n"),
  );

  for (const domain of domains) {
    writeDomainFile(root, domain, [`domain: ${domain}`, "mta_sts:", `  mx: ["mx1.${domain}"]`]);
  }
  return root;
}

/** Writes domains/<domain>.yaml from its lines. */
export function writeDomainFile(root: string, domain: string, lines: string[]): void {
  writeFileSync(path.join(root, "domains", `${domain}.yaml`), `${lines.join("\n")}\n`);
}

/**
 * Adds `count` domain files whose line 3 sets an invalid mode, so validation reports
 * one error per file at a known line. Returns the files, relative to the root.
 */
export function addInvalidDomains(root: string, count: number): string[] {
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const domain = `broken${String(i).padStart(2, "0")}.example`;
    writeDomainFile(root, domain, [
      `domain: ${domain}`,
      "mta_sts:",
      "  mode: enforcing",
      `  mx: ["mx1.${domain}"]`,
    ]);
    files.push(`domains/${domain}.yaml`);
  }
  return files;
}
