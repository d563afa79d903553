import { describe, expect, it } from "vitest";
import { applyPlan } from "../../src/apply/apply.js";
import type { ApplyResult, DomainOutcome } from "../../src/apply/types.js";
import { planChecksum } from "../../src/plan/checksum.js";
import { readLiveState } from "../../src/plan/live.js";
import { planDomain } from "../../src/plan/plan-domain.js";
import { parsePolicyIdTime } from "../../src/sts/id.js";
import { MemoryWorld, type TimelineEvent } from "../support/memory-providers.js";
import {
  applyWorld,
  DAY_MS,
  declare,
  declaredBody,
  planAndApply,
  planWorld,
  START,
  seedDomain,
} from "./fleet.js";

type WriteEvent = Extract<TimelineEvent, { type: "write-txt" }>;

function outcomes(result: ApplyResult): Record<string, DomainOutcome> {
  return Object.fromEntries(result.domains.map((domain) => [domain.domain, domain.outcome]));
}

function stsWrites(world: MemoryWorld, domain?: string): WriteEvent[] {
  return world.timeline.events.filter(
    (event): event is WriteEvent =>
      event.type === "write-txt" &&
      event.name.startsWith("_mta-sts.") &&
      (domain === undefined || event.domain === domain),
  );
}

/**
 * Checks the RFC 8461 section 8.1 invariant over the whole timeline. Whenever a
 * `_mta-sts` record with an id was written, the policy URL already served the latest
 * body the host stored, so no sender could pair the new id with an older body.
 */
function expectIdsWrittenOverServedBodies(world: MemoryWorld): void {
  const writes = stsWrites(world).filter((event) => event.values !== null);
  for (const event of writes) {
    expect(event.served, `${event.domain} at ${new Date(event.at).toISOString()}`).not.toBeNull();
    expect(event.served, `${event.domain} at ${new Date(event.at).toISOString()}`).toBe(
      event.stored,
    );
  }
}

function liveId(world: MemoryWorld, domain: string): string | null {
  return readLiveState(world.observeMemory(declare(domain))).sts.id;
}

const start = Date.parse(START);

describe("applyPlan order", () => {
  it("publishes, verifies, then writes the record", async () => {
    const world = new MemoryWorld({ start: START });
    const delays: Record<string, number> = {
      "a.example": 0,
      "b.example": 25_000,
      "c.example": 50_000,
    };
    for (const [domain, delay] of Object.entries(delays)) world.host().delays.set(domain, delay);
    const declared = Object.keys(delays).map((domain) => declare(domain));

    const { result } = await planAndApply(world, declared);

    expect(outcomes(result)).toEqual({
      "a.example": "applied",
      "b.example": "applied",
      "c.example": "applied",
    });
    for (const desired of declared) {
      const events = world.timeline.of(desired.domain);
      const body = declaredBody(desired);
      const published = events.findIndex((event) => event.type === "publish");
      const verified = events.findIndex((event) => event.type === "fetch" && event.body === body);
      const written = events.findIndex(
        (event) => event.type === "write-txt" && event.name.startsWith("_mta-sts."),
      );
      expect(published, desired.domain).toBeGreaterThanOrEqual(0);
      expect(verified, desired.domain).toBeGreaterThan(published);
      expect(written, desired.domain).toBeGreaterThan(verified);
    }
    expectIdsWrittenOverServedBodies(world);
  });

  it("writes both records in one call per domain", async () => {
    const world = new MemoryWorld({ start: START });
    const declared = [declare("a.example"), declare("b.example")];

    await planAndApply(world, declared);

    expect(world.dns().writeCalls).toBe(2);
    expect(world.dns().values("_smtp._tls.a.example")).toEqual([
      "v=TLSRPTv1; rua=mailto:tlsrpt@a.example",
    ]);
  });

  it("publishes in one call on a bulk host", async () => {
    const world = new MemoryWorld({ start: START, hosts: [{ name: "host", bulkPublish: true }] });
    const declared = ["a.example", "b.example", "c.example"].map((domain) => declare(domain));

    const { result } = await planAndApply(world, declared);

    expect(world.host().publishCalls).toBe(1);
    expect(result.counts.applied).toBe(3);
  });

  it("stamps the id with the time of the write", async () => {
    const world = new MemoryWorld({ start: START });
    world.host().delays.set("a.example", 40_000);
    const plan = planWorld(world, [declare("a.example")]);

    await applyWorld(world, plan);

    const id = liveId(world, "a.example")!;
    const written = stsWrites(world, "a.example")[0]!;
    expect(parsePolicyIdTime(id)!.getTime()).toBe(written.at);
    expect(plan.domains[0]!.changes[1]!.after).toBe("v=STSv1; id=20261204T100000Z;");
  });

  it("accepts a host that serves LF line endings", async () => {
    const toLf = (body: string) => body.replace(/\r\n/g, "\n");
    const world = new MemoryWorld({ start: START, hosts: [{ name: "host", encode: toLf }] });
    const declared = [declare("a.example")];

    const { result } = await planAndApply(world, declared);

    const verify = result.domains[0]!.steps.find((step) => step.kind === "verify-policy")!;
    expect(verify.detail).toBe("served with other line endings after 1 fetch");
    expect(planWorld(world, declared).domains[0]!.changes).toEqual([]);
  });
});

describe("applyPlan pending", () => {
  it("leaves _mta-sts alone and writes TLS-RPT", async () => {
    const world = new MemoryWorld({ start: START });
    const desired = declare("p.example", {
      mtaSts: { mode: "testing", mx: ["mx.p.example"], maxAge: 1_209_600 },
      tlsRpt: { rua: ["mailto:reports@p.example"] },
    });
    seedDomain(world, desired, {
      at: start - 30 * DAY_MS,
      policy: { mode: "testing", mx: ["mx.p.example"], maxAge: 604_800 },
      rua: ["mailto:old@p.example"],
    });
    world.host().delays.set("p.example", Number.POSITIVE_INFINITY);
    const before = world.dns().values("_mta-sts.p.example");

    const { result } = await planAndApply(world, [desired]);

    const domain = result.domains[0]!;
    expect(domain.outcome).toBe("pending");
    expect(world.dns().values("_mta-sts.p.example")).toEqual(before);
    expect(world.dns().values("_smtp._tls.p.example")).toEqual([
      "v=TLSRPTv1; rua=mailto:reports@p.example",
    ]);
    const verify = domain.steps.find((step) => step.kind === "verify-policy")!;
    expect(verify.detail).toBe(
      'not served after 7 fetches in 60 s: the served body differs from the published one at line 4: "max_age: 604800" instead of "max_age: 1209600"',
    );
    expect(domain.steps.find((step) => step.kind === "set-sts-record")!.status).toBe("pending");
  });

  it("reports the fetch failure of a new domain", async () => {
    const world = new MemoryWorld({ start: START });
    world.host().delays.set("n.example", Number.POSITIVE_INFINITY);

    const { result } = await planAndApply(world, [declare("n.example")]);

    const verify = result.domains[0]!.steps.find((step) => step.kind === "verify-policy")!;
    expect(verify.detail).toContain("status: HTTP 404");
    expect(world.dns().values("_mta-sts.n.example")).toEqual([]);
  });

  it("shares one deadline across domains", async () => {
    const world = new MemoryWorld({
      start: START,
      hosts: [{ name: "host", delayMs: Number.POSITIVE_INFINITY }],
    });
    const declared = Array.from({ length: 50 }, (_, index) => declare(`d${index}.example`));

    const { result } = await planAndApply(world, declared);

    expect(result.counts.pending).toBe(50);
    expect(world.clock.now().getTime() - start).toBe(60_000);
    expect(world.clock.sleeps).toEqual([10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
  });

  it("writes the record on the next run once served", async () => {
    const world = new MemoryWorld({ start: START });
    world.host().delays.set("s.example", 90_000);
    const declared = [declare("s.example")];

    const first = await planAndApply(world, declared);
    world.clock.advance(60_000);
    const second = await planAndApply(world, declared);

    expect(first.result.domains[0]!.outcome).toBe("pending");
    expect(second.result.domains[0]!.outcome).toBe("applied");
    expect(planWorld(world, declared).domains[0]!.changes).toEqual([]);
    expectIdsWrittenOverServedBodies(world);
  });
});

describe("applyPlan crash between publish and record", () => {
  const cases = [
    {
      name: "rerun before the body is served",
      waitMs: 0,
      kinds: ["publish-policy", "set-sts-record"],
    },
    { name: "rerun after the body is served", waitMs: 5 * 60_000, kinds: ["set-sts-record"] },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const world = new MemoryWorld({ start: START, hosts: [{ name: "host", delayMs: 20_000 }] });
      const desired = declare("c.example");
      seedDomain(world, desired, {
        at: start - 30 * DAY_MS,
        policy: { mode: "testing", mx: ["mx.c.example"], maxAge: 86_400 },
      });
      const oldId = liveId(world, "c.example");
      const crash = async () => {
        throw new Error("simulated crash after publish");
      };

      const crashed = planAndApply(world, [desired], { hooks: { afterPublish: crash } });
      await expect(crashed).rejects.toThrow("simulated crash after publish");
      expect(liveId(world, "c.example")).toBe(oldId);

      world.clock.advance(testCase.waitMs);
      const rerun = await planAndApply(world, [desired]);

      expect(rerun.plan.domains[0]!.changes.map((change) => change.kind)).toEqual(testCase.kinds);
      expect(rerun.result.domains[0]!.outcome).toBe("applied");
      expect(world.served("c.example")!.body).toBe(declaredBody(desired));
      expect(liveId(world, "c.example")).not.toBe(oldId);
      expect(planWorld(world, [desired]).domains[0]!.changes).toEqual([]);
      expectIdsWrittenOverServedBodies(world);
    });
  }
});

describe("applyPlan removal", () => {
  it("publishes none, waits out the horizon, then deletes", async () => {
    const world = new MemoryWorld({ start: START });
    const live = declare("r.example", {
      mtaSts: { mode: "enforce", mx: ["mx.r.example"], maxAge: 604_800 },
    });
    seedDomain(world, live, { at: start - 60 * DAY_MS });
    const absent = { ...live, state: "absent" as const };
    const oldId = liveId(world, "r.example");

    const first = await planAndApply(world, [absent]);
    const noneId = liveId(world, "r.example")!;
    expect(first.result.domains[0]!.outcome).toBe("applied");
    expect(world.served("r.example")!.body).toBe(
      "version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n",
    );
    expect(noneId).not.toBe(oldId);
    expectIdsWrittenOverServedBodies(world);

    world.clock.advance(DAY_MS);
    const writesBefore = world.writeCount();
    const second = await planAndApply(world, [absent]);
    const horizon = new Date(parsePolicyIdTime(noneId)!.getTime() + 604_800_000);
    const until = horizon.toISOString().replace(".000Z", "Z");
    expect(second.plan.domains[0]!.status).toBe("held");
    expect(second.result.domains[0]!.outcome).toBe("held");
    expect(second.result.domains[0]!.steps.map((step) => step.heldUntil)).toEqual([until, until]);
    expect(world.writeCount()).toBe(writesBefore);

    world.clock.advance(horizon.getTime() - world.clock.now().getTime() + 1000);
    const third = await planAndApply(world, [absent]);
    expect(third.result.domains[0]!.outcome).toBe("applied");
    const events = world.timeline.of("r.example");
    const deleted = events.findIndex(
      (event) =>
        event.type === "write-txt" && event.name === "_mta-sts.r.example" && event.values === null,
    );
    const withdrawn = events.findIndex((event) => event.type === "withdraw");
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(withdrawn).toBeGreaterThan(deleted);
    expect(world.dns().values("_mta-sts.r.example")).toEqual([]);
    expect(world.served("r.example")).toBeNull();

    const fourth = planWorld(world, [absent]);
    expect(fourth.domains[0]!.status).toBe("in-sync");
  });

  it("keeps the policy when the record deletion fails", async () => {
    const world = new MemoryWorld({ start: START });
    const absent = declare("r.example", { state: "absent" });
    seedDomain(world, absent, {
      at: start - 60 * DAY_MS,
      policy: { mode: "none", mx: [], maxAge: 604_800 },
    });
    world.dns().failures.set("r.example", new Error("HTTP 503 from the DNS API"));

    const { result } = await planAndApply(world, [absent]);

    const steps = result.domains[0]!.steps.map((step) => `${step.kind} ${step.status}`);
    expect(steps).toEqual(["delete-sts-record failed", "withdraw-policy skipped"]);
    expect(world.host().withdrawCalls).toBe(0);
  });
});

describe("applyPlan convergence", () => {
  it("second run makes no write call", async () => {
    const world = new MemoryWorld({ start: START });
    world.host().delays.set("b.example", 30_000);
    const declared = [
      declare("a.example"),
      declare("b.example"),
      declare("c.example", { tlsRpt: null }),
    ];
    await planAndApply(world, declared);
    const writes = {
      dns: world.dns().writeCalls,
      publish: world.host().publishCalls,
      withdraw: world.host().withdrawCalls,
    };

    const second = await planAndApply(world, declared);

    expect(second.plan.domains.map((domain) => domain.changes.length)).toEqual([0, 0, 0]);
    expect(outcomes(second.result)).toEqual({
      "a.example": "unchanged",
      "b.example": "unchanged",
      "c.example": "unchanged",
    });
    expect(world.dns().writeCalls).toBe(writes.dns);
    expect(world.host().publishCalls).toBe(writes.publish);
    expect(world.host().withdrawCalls).toBe(writes.withdraw);
  });

  it("held promotion makes no write call", async () => {
    const world = new MemoryWorld({ start: START });
    const testing = declare("e.example");
    seedDomain(world, testing, { at: start - 10 * DAY_MS });
    const enforce = declare("e.example", {
      mtaSts: { mode: "enforce", mx: ["mx.e.example"], maxAge: 604_800 },
    });

    const { result } = await planAndApply(world, [enforce]);

    expect(result.domains[0]!.outcome).toBe("held");
    expect(result.domains[0]!.steps.map((step) => step.detail)).toEqual([
      "moving to enforce needs the promotion gate or promotion.enforce_override",
      "moving to enforce needs the promotion gate or promotion.enforce_override",
    ]);
    expect(world.writeCount()).toBe(0);
  });
});

describe("applyPlan provider errors", () => {
  it("DNS error of one domain spares the others", async () => {
    const world = new MemoryWorld({ start: START });
    world.dns().failures.set("b.example", new Error("HTTP 500: internal error"));
    const declared = ["a.example", "b.example", "c.example"].map((domain) => declare(domain));

    const { result, log } = await planAndApply(world, declared);

    expect(outcomes(result)).toEqual({
      "a.example": "applied",
      "b.example": "failed",
      "c.example": "applied",
    });
    expect(result.domains[1]!.error).toEqual({
      kind: "set-sts-record",
      provider: "dns",
      message:
        'DNS provider "dns" (memory) failed to write _mta-sts.b.example, _smtp._tls.b.example: HTTP 500: internal error',
    });
    expect(log.at(-1)).toBe(
      "apply summary: domains=3 applied=2 pending=0 held=0 failed=1 unchanged=0 seconds=0",
    );
  });

  it("publish error keeps the record and writes TLS-RPT", async () => {
    const world = new MemoryWorld({ start: START });
    world.host().failures.set("b.example", new Error("disk full"));
    const declared = ["a.example", "b.example"].map((domain) => declare(domain));

    const { result } = await planAndApply(world, declared);

    const failed = result.domains[1]!;
    expect(failed.outcome).toBe("failed");
    expect(failed.error!.message).toBe(
      'policy host "host" (memory) failed to publish the policy: disk full',
    );
    expect(failed.steps.map((step) => `${step.kind} ${step.status}`)).toEqual([
      "publish-policy failed",
      "set-sts-record skipped",
      "set-tlsrpt-record done",
    ]);
    expect(world.dns().values("_mta-sts.b.example")).toEqual([]);
    expect(result.domains[0]!.outcome).toBe("applied");
  });

  it("bulk publish error fails every domain of the host", async () => {
    const world = new MemoryWorld({
      start: START,
      hosts: [{ name: "host", bulkPublish: true }, { name: "other" }],
    });
    world.host().failures.set("a.example", new Error("upload rejected"));
    const declared = [
      declare("a.example"),
      declare("b.example"),
      declare("c.example", { policyHost: "other" }),
    ];

    const { result } = await planAndApply(world, declared);

    expect(outcomes(result)).toEqual({
      "a.example": "failed",
      "b.example": "failed",
      "c.example": "applied",
    });
    expect(result.domains[1]!.error!.message).toBe(
      'policy host "host" (memory) failed to publish the policy (one call for 2 domains): upload rejected',
    );
  });

  it("unplanned domain is reported as failed", async () => {
    const world = new MemoryWorld({ start: START });
    const desired = declare("t.example");
    const observed = world.observeMemory(desired);
    observed.stsTxt = {
      ...observed.stsTxt,
      status: "servfail",
      detail: "SERVFAIL from 127.0.0.1:53",
    };
    const domains = [planDomain(desired, observed, { now: world.clock.now() })];
    const plan = { generatedAt: START, domains, checksum: planChecksum(domains) };

    const { result } = await applyWorld(world, plan);

    expect(result.domains[0]!.outcome).toBe("failed");
    expect(result.domains[0]!.error).toEqual({
      kind: "plan-domain",
      provider: "planner",
      message:
        "the domain was not planned, so nothing was applied: TXT _mta-sts.t.example: servfail (SERVFAIL from 127.0.0.1:53); the records are unknown, not absent; run apply again once this is resolved",
    });
    expect(world.writeCount()).toBe(0);
  });

  it("unknown provider fails only its domain", async () => {
    const world = new MemoryWorld({ start: START });
    const plan = planWorld(world, [declare("a.example"), declare("b.example")]);
    const moved = plan.domains[1]!;
    moved.changes = moved.changes.map((change) =>
      change.kind === "publish-policy" ? change : { ...change, provider: "missing" },
    );

    const { result } = await applyWorld(world, plan);

    expect(outcomes(result)).toEqual({ "a.example": "applied", "b.example": "failed" });
    expect(result.domains[1]!.error!.message).toBe(
      'DNS provider "missing" is not configured; add it under dns_providers in the configuration file or change dns of the domain',
    );
  });
});

describe("applyPlan log", () => {
  it("logs one line per step and a summary", async () => {
    const world = new MemoryWorld({ start: START });

    const { log } = await planAndApply(world, [declare("a.example")]);

    expect(log).toEqual([
      expect.stringMatching(
        /^apply start: domains=1 checksum=[0-9a-f]{64} verify_timeout_ms=60000$/,
      ),
      'apply publish-policy: domain=a.example provider=host target=https://mta-sts.a.example/.well-known/mta-sts.txt status=done detail="published 66 bytes: publish policy (mode testing, mx mx.a.example, max_age 604800)"',
      'apply verify-policy: domain=a.example provider=host target=https://mta-sts.a.example/.well-known/mta-sts.txt status=done detail="served byte for byte after 1 fetch"',
      'apply set-sts-record: domain=a.example provider=dns target=_mta-sts.a.example status=done detail="wrote \\"v=STSv1; id=20261204T100000Z;\\""',
      'apply set-tlsrpt-record: domain=a.example provider=dns target=_smtp._tls.a.example status=done detail="wrote \\"v=TLSRPTv1; rua=mailto:tlsrpt@a.example\\""',
      "apply summary: domains=1 applied=1 pending=0 held=0 failed=0 unchanged=0 seconds=0",
    ]);
  });

  it("rejects when afterPublish throws", async () => {
    const world = new MemoryWorld({ start: START });
    const plan = planWorld(world, [declare("a.example")]);

    const run = applyPlan({
      plan,
      dnsProviders: new Map(world.dnsProviders),
      policyHosts: new Map(world.policyHosts),
      verifyPolicy: world.verifyPolicy,
      clock: world.clock,
      verifyTimeoutMs: 1000,
      verifyIntervalMs: 100,
      log: () => {},
      hooks: {
        afterPublish: async () => {
          throw new Error("stop");
        },
      },
    });

    await expect(run).rejects.toThrow("stop");
    expect(world.dns().writeCalls).toBe(0);
  });
});

describe("applyPlan other TXT values", () => {
  it("keeps them when the record changes", async () => {
    const world = new MemoryWorld({ start: START });
    const desired = declare("k.example");
    seedDomain(world, desired, {
      at: start - DAY_MS,
      policy: { mode: "testing", mx: ["mx.k.example"], maxAge: 86_400 },
    });
    const record = world.dns().values("_mta-sts.k.example")[0]!;
    world.dns().seed("_mta-sts.k.example", ["site-verification=abc123", record]);

    await planAndApply(world, [desired]);

    const values = world.dns().values("_mta-sts.k.example");
    expect(values).toHaveLength(2);
    expect(values[0]).toBe("site-verification=abc123");
    expect(values[1]).not.toBe(record);
  });

  it("keeps them when the record is deleted", async () => {
    const world = new MemoryWorld({ start: START });
    const absent = declare("k.example", { state: "absent" });
    seedDomain(world, absent, {
      at: start - 60 * DAY_MS,
      policy: { mode: "none", mx: [], maxAge: 604_800 },
    });
    const record = world.dns().values("_mta-sts.k.example")[0]!;
    world.dns().seed("_mta-sts.k.example", [record, "site-verification=abc123"]);

    const { result } = await planAndApply(world, [absent]);

    expect(result.domains[0]!.outcome).toBe("applied");
    expect(world.dns().values("_mta-sts.k.example")).toEqual(["site-verification=abc123"]);
    expect(world.served("k.example")).toBeNull();
  });
});
