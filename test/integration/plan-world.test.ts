import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/index.js";
import type { CommandOptions } from "../../src/commands/types.js";
import { loadProject } from "../../src/config/index.js";
import type { DomainPlan, Plan } from "../../src/plan/types.js";
import {
  exampleFleetWorld,
  exampleMxHosts,
  PLANTED_FAULTS,
} from "../../src/sandbox/example-fleet.js";
import { recordedDeploymentsWorld } from "../../src/sandbox/real-deployments.js";
import { startWorld, type World } from "../../src/sandbox/world.js";
import { repoRoot } from "../support/shared.js";

let world: World;

function options(root: string, overrides: Partial<CommandOptions> = {}): CommandOptions {
  return {
    root,
    force: false,
    failOn: "error",
    secrets: {},
    now: () => new Date("2026-12-04T12:00:00Z"),
    log: () => {},
    observe: world.observe,
    ...overrides,
  };
}

function byDomain(plan: Plan): Map<string, DomainPlan> {
  return new Map(plan.domains.map((domain) => [domain.domain, domain]));
}

beforeAll(async () => {
  const loaded = await loadProject(repoRoot);
  if (!loaded.ok) throw new Error("the example fleet must validate");
  const domains = [...exampleFleetWorld(loaded.project.domains), ...recordedDeploymentsWorld()];
  const mx = exampleMxHosts(domains);
  world = await startWorld({ domains, mxHosts: mx.valid, expiredMxHosts: mx.expired });
});

afterAll(async () => {
  await world?.close();
});

describe("plan of the example fleet", () => {
  let plan: Plan;
  let exitCode: number;

  beforeAll(async () => {
    const outcome = await runCommand("plan", options(repoRoot));
    plan = outcome.plan!;
    exitCode = outcome.exitCode;
  });

  it("exits 1 because faults are errors", () => {
    expect(exitCode).toBe(1);
  });

  for (const fault of PLANTED_FAULTS) {
    it(`${fault.domain}: ${fault.description}`, () => {
      const domain = byDomain(plan).get(fault.domain)!;
      expect(domain.findings.map((item) => item.code)).toContain(fault.finding);
      expect(domain.changes.map((change) => change.kind)).toEqual(fault.changes);
    });
  }

  it("domains without faults are in sync", () => {
    const faulty = new Set(PLANTED_FAULTS.map((fault) => fault.domain));
    const healthy = plan.domains.filter((domain) => !faulty.has(domain.domain));
    expect(healthy.map((domain) => domain.domain)).toEqual([
      "coho-winery.example",
      "contoso-mail.example",
      "fabrikam.example",
      "northwind-traders.example",
    ]);
    for (const domain of healthy) {
      expect(domain.status, domain.domain).toBe("in-sync");
      expect(domain.changes, domain.domain).toEqual([]);
      expect(domain.findings, domain.domain).toEqual([]);
    }
  });

  it("fetch failures name their cause", () => {
    const reasons = Object.fromEntries(
      [
        "litware.example",
        "woodgrove-bank.example",
        "lucerne-publishing.example",
        "margie-travel.example",
      ].map((name) => [
        name,
        byDomain(plan)
          .get(name)!
          .findings.find((item) => item.code === "policy-fetch-failed")!.message,
      ]),
    );
    expect(reasons["litware.example"]).toContain(": redirect: ");
    expect(reasons["woodgrove-bank.example"]).toContain(": media-type: ");
    expect(reasons["lucerne-publishing.example"]).toContain(": certificate: ");
    expect(reasons["margie-travel.example"]).toContain(": connect: ");
  });

  it("new ids are later than the live ones and valid", () => {
    const ids = plan.domains
      .flatMap((domain) => domain.changes)
      .filter((change) => change.kind === "set-sts-record")
      .map((change) => change.after);
    expect(new Set(ids)).toEqual(new Set(["v=STSv1; id=20261204T120000Z;"]));
  });
});

describe("plan of the recorded deployments", () => {
  it("consistent deployments plan no changes", async () => {
    const root = path.join(repoRoot, "test", "fixtures", "real-deployments-project");
    const outcome = await runCommand("plan", options(root));
    const plan = outcome.plan!;
    expect(plan.domains.map((domain) => domain.domain)).toEqual([
      "archlinux.org",
      "gmail.com",
      "google.com",
      "openstreetmap.org",
      "protonmail.com",
    ]);
    for (const domain of plan.domains) {
      expect(domain.changes, domain.domain).toEqual([]);
      expect(domain.status, domain.domain).toBe("in-sync");
    }
    const proton = byDomain(plan).get("protonmail.com")!;
    expect(proton.findings.map((item) => item.code)).toEqual([
      "sts-record-cname",
      "policy-line-endings",
    ]);
  });
});

describe("plan with a silent name server", () => {
  it("times out one domain and plans the rest", async () => {
    world.dns.setBehaviour("contoso-mail.example", "drop");
    try {
      const started = Date.now();
      const outcome = await runCommand(
        "plan",
        options(repoRoot, {
          observe: { ...world.observe, dnsTimeoutMs: 300, dnsAttempts: 1 },
          domains: ["contoso-mail.example", "northwind-traders.example", "fabrikam.example"],
        }),
      );
      const elapsed = Date.now() - started;
      const plan = byDomain(outcome.plan!);

      const silent = plan.get("contoso-mail.example")!;
      expect(silent.status).toBe("error");
      expect(silent.changes).toEqual([]);
      expect(silent.findings[0]!.code).toBe("dns-temporary-failure");
      expect(silent.findings[0]!.message).toContain("timeout");
      expect(plan.get("northwind-traders.example")!.status).toBe("in-sync");
      expect(plan.get("fabrikam.example")!.status).toBe("in-sync");
      // Resolver and authoritative rounds of 300 ms each, far below the 30 s test limit.
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      world.dns.setBehaviour("contoso-mail.example", "normal");
    }
  });
});
