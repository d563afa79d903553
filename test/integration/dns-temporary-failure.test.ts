import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDnsClient } from "../../src/observe/dns-client.js";
import { createObserver, type Observer } from "../../src/observe/observer.js";
import { cacheExpiry } from "../../src/plan/horizon.js";
import { readLiveState } from "../../src/plan/live.js";
import { planDomain } from "../../src/plan/plan-domain.js";
import { createTestCa } from "../../src/sandbox/ca.js";
import { type DnsServer, startDnsServer } from "../../src/sandbox/dns-server.js";
import { type PolicyHostServer, startPolicyHost } from "../../src/sandbox/https-host.js";
import { declared } from "../plan/observed.js";
import { repoRoot } from "../support/shared.js";

/**
 * The case of a resolver that returned NONE for a SERVFAIL: a temporary DNS failure at
 * `_mta-sts` must never be read as "no policy". The `_mta-sts` name is its own zone
 * here, delegated from example.com, so only that lookup fails while MX and the policy
 * host answer.
 */
const scenario = JSON.parse(
  readFileSync(
    path.join(repoRoot, "test", "fixtures", "cases", "40-fetch-dns-temporary-failure.json"),
    "utf8",
  ),
) as {
  now: string;
  txt_lookup: { query: string; rcode: string };
  cache: { id: string; fetched_at: string; policy: string };
};

let dns: DnsServer;
let host: PolicyHostServer;
let observer: Observer;

beforeAll(async () => {
  const ca = await createTestCa();
  host = await startPolicyHost({
    ca,
    sites: { "mta-sts.example.com": { kind: "body", body: scenario.cache.policy } },
  });
  dns = await startDnsServer({
    zones: [
      {
        name: "example.com",
        records: {
          "example.com": {
            NS: ["ns1.example.com"],
            MX: [{ preference: 10, exchange: "mail.example.com" }],
          },
          "ns1.example.com": { A: ["127.0.0.1"] },
          [scenario.txt_lookup.query]: { NS: ["ns1.example.com"] },
        },
      },
      { name: scenario.txt_lookup.query, behaviour: "servfail" },
    ],
  });
  observer = createObserver({
    dns: createDnsClient({
      resolvers: [dns.endpoint],
      authoritative: true,
      authoritativePort: dns.port,
      timeoutMs: 1000,
      attempts: 1,
      allowPrivateAddresses: true,
    }),
    fetch: {
      timeoutMs: 3000,
      allowPrivateAddresses: true,
      connectTo: { "mta-sts.example.com:443": host.endpoint },
      trustedCaPem: [ca.certPem],
    },
    concurrency: 4,
  });
});

afterAll(async () => {
  observer?.close();
  await Promise.all([dns?.close(), host?.close()]);
});

describe("SERVFAIL at _mta-sts", () => {
  const now = new Date(scenario.now);
  const desired = declared("example.com", {
    mtaSts: { mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 },
    enforceOverride: { reason: "already in enforce", approvedBy: "test" },
  });

  it("is a temporary failure, not absence", async () => {
    const observed = await observer.observeDomain("example.com");
    expect(observed.stsTxt.status).toBe("servfail");
    expect(observed.mx.status).toBe("ok");
    expect(observed.policy.ok).toBe(true);
  });

  it("plans no change for a present domain", async () => {
    const plan = planDomain(desired, await observer.observeDomain("example.com"), { now });
    expect(plan.status).toBe("error");
    expect(plan.changes).toEqual([]);
    expect(plan.findings.map((item) => item.code)).toEqual(["dns-temporary-failure"]);
    expect(plan.findings[0]!.message).toContain("TXT _mta-sts.example.com: servfail");
  });

  it("plans no deletion for a retiring domain", async () => {
    const retiring = { ...desired, state: "absent" as const };
    const plan = planDomain(retiring, await observer.observeDomain("example.com"), { now });
    expect(plan.changes).toEqual([]);
  });

  it("served policy keeps its cache horizon", async () => {
    // RFC 8461 section 3.3: with no live record but a valid cached policy, senders apply
    // the cached policy. One fetched at fetched_at stays valid for max_age seconds.
    const live = readLiveState(await observer.observeDomain("example.com"));
    const fetchedAt = new Date(scenario.cache.fetched_at);
    expect(cacheExpiry(live, fetchedAt).toISOString()).toBe("2025-04-08T00:00:00.000Z");
    expect(cacheExpiry(live, fetchedAt).getTime()).toBeGreaterThan(now.getTime());
  });
});
