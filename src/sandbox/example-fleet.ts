/**
 * The live state of the example fleet in domains/: most domains serve exactly what
 * they declare, and some carry a fault seen in real deployments, so the demo and the
 * integration tests show each finding once.
 */

import type { DomainConfig } from "../config/index.js";
import { MAX_AGE_MAX, type Policy, renderPolicy } from "../sts/policy.js";
import { renderTlsRptRecord } from "../sts/txt.js";
import type { WorldDomain } from "./world.js";

/** The id every healthy example domain published, a month before the demo's clock. */
export const EXAMPLE_POLICY_ID = "20261101T090000Z";

/** A planted fault: its change to the healthy state and the finding it must cause. */
export interface PlantedFault {
  domain: string;
  description: string;
  /** The finding code the plan must report for the fault. */
  finding: string;
  /** The change kinds the plan must propose (empty when it must propose none). */
  changes: string[];
  apply: (healthy: WorldDomain, declared: DomainConfig) => WorldDomain;
}

function policySite(policy: Policy) {
  return {
    kind: "body" as const,
    body: renderPolicy(policy),
    contentType: "text/plain; charset=utf-8",
  };
}

function declaredPolicy(domain: DomainConfig): Policy {
  return { mode: domain.mtaSts.mode, mx: domain.mtaSts.mx, maxAge: domain.mtaSts.maxAge };
}

/**
 * MX host names for a domain's patterns: up to two exact names, else one host under the
 * first wildcard named after the domain, as Microsoft 365 names tenant hosts.
 */
export function mxHostsFor(domain: DomainConfig): string[] {
  const exact = domain.mtaSts.mx.filter((pattern) => !pattern.startsWith("*."));
  if (exact.length > 0) return exact.slice(0, 2);

  const wildcard = domain.mtaSts.mx.find((pattern) => pattern.startsWith("*."));
  if (wildcard) return [`${domain.domain.replace(/\./g, "-")}.${wildcard.slice(2)}`];
  return [`mx.${domain.domain}`];
}

/** Returns the state a domain serves when it matches its declaration. */
export function healthyDomain(domain: DomainConfig): WorldDomain {
  const mx = mxHostsFor(domain).map((exchange, index) => ({
    preference: 10 * (index + 1),
    exchange,
  }));
  return {
    domain: domain.domain,
    mx,
    sts: [[`v=STSv1; id=${EXAMPLE_POLICY_ID};`]],
    tlsRpt: domain.tlsRpt ? [[renderTlsRptRecord(domain.tlsRpt.rua)]] : null,
    policy: policySite(declaredPolicy(domain)),
  };
}

export const PLANTED_FAULTS: PlantedFault[] = [
  {
    domain: "tailspin-toys.example",
    description: "drift: the policy host serves max_age 86400 while the repository declares 604800",
    finding: "policy-drift",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy, declared) => ({
      ...healthy,
      policy: policySite({ ...declaredPolicy(declared), maxAge: 86_400 }),
    }),
  },
  {
    domain: "adventure-works.example",
    description: "the _mta-sts TXT record is missing while the policy is served",
    finding: "sts-record-missing",
    changes: ["set-sts-record"],
    apply: (healthy) => ({ ...healthy, sts: null }),
  },
  {
    domain: "wide-world-importers.example",
    description: "two STS records are published",
    finding: "sts-record-multiple",
    changes: ["set-sts-record"],
    apply: (healthy) => ({
      ...healthy,
      sts: [...(healthy.sts ?? []), ["v=STSv1; id=20260301T000000Z;"]],
    }),
  },
  {
    domain: "proseware.example",
    description: "the id has characters outside letters and digits (a base64 id)",
    finding: "sts-record-invalid",
    changes: ["set-sts-record"],
    apply: (healthy) => ({ ...healthy, sts: [["v=STSv1; id=MjAyNi0xMS0wMQ+/=;"]] }),
  },
  {
    domain: "litware.example",
    description: "the policy host redirects to another URL",
    finding: "policy-fetch-failed",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy) => ({
      ...healthy,
      policy: { kind: "redirect", location: "https://www.litware.example/.well-known/mta-sts.txt" },
    }),
  },
  {
    domain: "woodgrove-bank.example",
    description: "the policy host serves an HTML page",
    finding: "policy-fetch-failed",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy) => ({
      ...healthy,
      policy: {
        kind: "body",
        body: "<!doctype html><title>Woodgrove Bank</title><p>Welcome</p>",
        contentType: "text/html; charset=utf-8",
      },
    }),
  },
  {
    domain: "lucerne-publishing.example",
    description: "the policy host presents a certificate for another name",
    finding: "policy-fetch-failed",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy, declared) => ({
      ...healthy,
      policy: { ...policySite(declaredPolicy(declared)), certificate: "wrong-name" },
    }),
  },
  {
    domain: "margie-travel.example",
    description: "the policy host is unreachable",
    finding: "policy-fetch-failed",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy) => ({ ...healthy, policy: "unreachable" }),
  },
  {
    domain: "alpine-ski-house.example",
    description: "the zone answers SERVFAIL",
    finding: "dns-temporary-failure",
    changes: [],
    apply: (healthy) => ({ ...healthy, zoneBehaviour: "servfail" }),
  },
  {
    domain: "graphic-design-institute.example",
    description: "enforce while a backup MX is not covered by the policy",
    finding: "enforce-mx-not-covered",
    changes: [],
    apply: (healthy) => ({
      ...healthy,
      mx: [
        ...healthy.mx,
        { preference: 50, exchange: "backup-mx.graphic-design-institute.example" },
      ],
    }),
  },
  {
    domain: "blue-yonder-airlines.example",
    description: "retired in the repository while the enforce policy is still served",
    finding: "retirement-started",
    changes: ["publish-policy", "set-sts-record"],
    apply: (healthy, declared) => ({
      ...healthy,
      policy: policySite({ ...declaredPolicy(declared), mode: "enforce" }),
    }),
  },
  {
    domain: "humongous-insurance.example",
    description: "_mta-sts is delegated by CNAME to the hosting provider's zone",
    finding: "sts-record-cname",
    changes: [],
    apply: (healthy) => ({
      ...healthy,
      sts: null,
      stsCname: "_mta-sts.humongous-insurance.policies.humongous-hosting.example",
      extra: [
        {
          zone: "humongous-hosting.example",
          records: {
            "_mta-sts.humongous-insurance.policies.humongous-hosting.example": {
              TXT: healthy.sts ?? [],
            },
          },
        },
      ],
    }),
  },
];

/** Returns the live state of every declared domain, with the planted faults applied. */
export function exampleFleetWorld(domains: DomainConfig[]): WorldDomain[] {
  const faults = new Map(PLANTED_FAULTS.map((fault) => [fault.domain, fault]));
  return domains.map((domain) => {
    const healthy = healthyDomain(domain);
    if (domain.state === "absent") {
      // A retiring domain served its last declared policy until now.
      const last = {
        ...declaredPolicy(domain),
        maxAge: Math.min(MAX_AGE_MAX, domain.mtaSts.maxAge),
      };
      healthy.policy = policySite(last);
    }
    const fault = faults.get(domain.domain);
    return fault ? fault.apply(healthy, domain) : healthy;
  });
}

/** MX host names the example fleet uses, for the world's STARTTLS servers. */
export function exampleMxHosts(world: WorldDomain[]): { valid: string[]; expired: string[] } {
  const all = world.flatMap((domain) => domain.mx.map((record) => record.exchange));
  const expired = all.filter((host) => host.startsWith("backup-mx."));
  return { valid: [...new Set(all.filter((host) => !expired.includes(host)))], expired };
}
