/**
 * plan, apply and plan again over a real PowerDNS: the PowerDNS provider writes through
 * the HTTP API, and PowerDNS's own DNS port is the resolver and authoritative server of
 * the observation. Policies go through the static policy host into a folder that an
 * HTTPS server of this file serves, as a web server serves a static site. That is the
 * self-hosted setup a PowerDNS user runs: a Workers Custom Domain needs the zone on
 * Cloudflare, so the Worker cannot serve a zone that PowerDNS serves.
 *
 * The static server sends Last-Modified from the file's time, as common web servers do,
 * so the planner can see a body that changed under a live id.
 */
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSecureContext, type SecureContext, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyResult, DomainOutcome } from "../../src/apply/types.js";
import type { ApplyCommandOptions } from "../../src/commands/apply.js";
import { runCommand } from "../../src/commands/index.js";
import { createRunObserver, type RunObserver } from "../../src/commands/observer.js";
import type { ObserveOverrides } from "../../src/commands/types.js";
import { loadProject } from "../../src/config/index.js";
import type { PolicyFetch } from "../../src/observe/types.js";
import type { Plan } from "../../src/plan/types.js";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";
import { renderPolicy } from "../../src/sts/policy.js";
import { type PowerDnsServer, powerDnsSkipReason, startPowerDns } from "../support/powerdns.js";

const skipReason = powerDnsSkipReason();

const LIVE_ID = "20261101T090000Z";
const LIVE_ID_TIME = new Date("2026-11-01T09:00:00Z");
const DECLARED = { mode: "testing" as const, mx: ["mx.pdns.example"], maxAge: 604_800 };
const DRIFTED = { ...DECLARED, maxAge: 86_400 };
const RUA = "mailto:tlsrpt@pdns.example";

/** An HTTPS server for the static host's folder: `<folder>/mta-sts.<domain>/.well-known/mta-sts.txt`. */
interface StaticSite {
  port: number;
  close(): Promise<void>;
}

async function startStaticSite(ca: TestCa, folder: string): Promise<StaticSite> {
  const contexts = new Map<string, Promise<SecureContext>>();
  const contextFor = (host: string) => {
    let context = contexts.get(host);
    if (!context) {
      context = ca
        .issue([host])
        .then((issued) => createSecureContext({ cert: issued.chainPem, key: issued.keyPem }));
      contexts.set(host, context);
    }
    return context;
  };

  const server = https.createServer(
    {
      SNICallback: (name, callback) => {
        contextFor(name.toLowerCase()).then(
          (context) => callback(null, context),
          (error: Error) => callback(error),
        );
      },
    },
    (request, response) => {
      const servername = (request.socket as TLSSocket).servername;
      const host = typeof servername === "string" ? servername.toLowerCase() : "";
      const file = path.join(folder, host, ".well-known", "mta-sts.txt");
      const served =
        request.url === "/.well-known/mta-sts.txt" && /^[a-z0-9.-]+$/.test(host)
          ? Promise.all([readFile(file), stat(file)])
          : Promise.reject(new Error("not a policy URL"));
      served.then(
        ([body, info]) => {
          response.writeHead(200, {
            "content-type": "text/plain",
            "last-modified": info.mtime.toUTCString(),
          });
          response.end(body);
        },
        () => {
          response.writeHead(404, { "content-type": "text/plain" });
          response.end("not found\n");
        },
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A PATCH of the API as the proxy saw it, before forwarding it. */
interface ApiPatch {
  body: string;
}

/**
 * A reverse proxy in front of the PowerDNS API that counts requests by method, so a test
 * can assert that a run wrote nothing. `beforePatch` runs before a PATCH is forwarded.
 */
interface CountingProxy {
  url: string;
  counts: Map<string, number>;
  beforePatch: ((patch: ApiPatch) => Promise<void>) | null;
  close(): Promise<void>;
}

async function startCountingProxy(target: string): Promise<CountingProxy> {
  const proxy: CountingProxy = {
    url: "",
    counts: new Map(),
    beforePatch: null,
    close: async () => {},
  };

  const server = http.createServer((incoming, outgoing) => {
    const method = incoming.method ?? "GET";
    proxy.counts.set(method, (proxy.counts.get(method) ?? 0) + 1);
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const body = Buffer.concat(chunks);
      if (method === "PATCH") await proxy.beforePatch?.({ body: body.toString("utf8") });

      const headers = { ...incoming.headers, host: new URL(target).host };
      const upstream = http.request(
        new URL(incoming.url ?? "/", target),
        { method, headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on("error", (error) => {
        outgoing.writeHead(502, { "content-type": "text/plain" });
        outgoing.end(`proxy failed: ${error.message}\n`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** Sets RRsets in a zone through the API directly, as an operator's other tools would. */
async function setRrsets(
  server: PowerDnsServer,
  zone: string,
  rrsets: Array<{ name: string; type: string; contents: string[] }>,
): Promise<void> {
  const response = await fetch(`${server.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, {
    method: "PATCH",
    headers: { "X-API-Key": server.apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({
      rrsets: rrsets.map((rrset) => ({
        name: `${rrset.name}.`,
        type: rrset.type,
        ttl: 60,
        changetype: "REPLACE",
        records: rrset.contents.map((content) => ({ content, disabled: false })),
      })),
    }),
  });
  if (response.status !== 204) {
    throw new Error(`seeding ${zone} failed: HTTP ${response.status} ${await response.text()}`);
  }
}

/** The live state of one test domain before the first apply. */
interface Seed {
  domain: string;
  /** The `_mta-sts` TXT and the served policy, or null for a domain with neither. */
  live: { rua: string; policy: typeof DECLARED } | null;
}

async function seedDomain(server: PowerDnsServer, sites: string, seed: Seed): Promise<void> {
  const { domain, live } = seed;
  await server.createZone(domain);
  const rrsets = [
    { name: `ns1.${domain}`, type: "A", contents: ["127.0.0.1"] },
    { name: `mta-sts.${domain}`, type: "A", contents: ["127.0.0.1"] },
    { name: domain, type: "MX", contents: ["10 mx.pdns.example."] },
  ];
  if (live) {
    rrsets.push(
      { name: `_mta-sts.${domain}`, type: "TXT", contents: [`"v=STSv1; id=${LIVE_ID};"`] },
      { name: `_smtp._tls.${domain}`, type: "TXT", contents: [`"v=TLSRPTv1; rua=${live.rua}"`] },
    );
    const folder = path.join(sites, `mta-sts.${domain}`, ".well-known");
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, "mta-sts.txt");
    await writeFile(file, renderPolicy(live.policy));
    // The policy was last changed when its id was published.
    await utimes(file, LIVE_ID_TIME, LIVE_ID_TIME);
  }
  await setRrsets(server, domain, rrsets);
}

async function writeProject(root: string, apiUrl: string, sites: string, domains: string[]) {
  await mkdir(path.join(root, "domains"), { recursive: true });
  await writeFile(
    path.join(root, "mta-sts-gitops.yaml"),
    [
      "version: 1",
      "dns_providers:",
      `  pdns: { type: powerdns, api_url: "${apiUrl}", server_id: localhost, api_key_env: PDNS_API_KEY }`,
      "policy_hosts:",
      `  site: { type: static, directory: "${sites}" }`,
      "observe:",
      "  resolvers: [127.0.0.1:53]",
      "",
    ].join("\n"),
  );
  for (const domain of domains) {
    await writeFile(
      path.join(root, "domains", `${domain}.yaml`),
      [
        `domain: ${domain}`,
        "mta_sts:",
        "  mode: testing",
        "  mx: [mx.pdns.example]",
        "  max_age: 604800",
        "tls_rpt:",
        `  rua: [${RUA}]`,
        "dns: pdns",
        "policy_host: site",
        "",
      ].join("\n"),
    );
  }
}

function outcomes(result: ApplyResult): Record<string, DomainOutcome> {
  return Object.fromEntries(result.domains.map((domain) => [domain.domain, domain.outcome]));
}

/** Returns the served body, or the reason the fetch failed, so an assertion shows either. */
function servedBody(fetch: PolicyFetch): string {
  return fetch.ok ? fetch.body : `not served: ${fetch.reason}: ${fetch.detail}`;
}

/** "domain kind: detail" of every failed step, so a failure names the provider's error. */
function failedSteps(result: ApplyResult): string[] {
  return result.domains.flatMap((domain) =>
    domain.steps
      .filter((step) => step.status === "failed")
      .map((step) => `${domain.domain} ${step.kind}: ${step.detail}`),
  );
}

function changeKinds(plan: Plan): Record<string, string[]> {
  return Object.fromEntries(
    plan.domains
      .filter((domain) => domain.changes.length > 0)
      .map((domain) => [domain.domain, domain.changes.map((change) => change.kind)]),
  );
}

/** One project on the shared PowerDNS: its folder, proxy, static site and command options. */
interface Setup {
  root: string;
  proxy: CountingProxy;
  site: StaticSite;
  options: ApplyCommandOptions;
  verifier: RunObserver;
  plan(): Promise<Plan>;
  apply(extra?: Partial<ApplyCommandOptions>): Promise<ApplyResult>;
  close(): Promise<void>;
}

async function setUp(server: PowerDnsServer, ca: TestCa, seeds: Seed[]): Promise<Setup> {
  const root = await mkdtemp(path.join(tmpdir(), "apply-powerdns-"));
  const sites = path.join(root, "sites");
  await mkdir(sites, { recursive: true });
  for (const seed of seeds) await seedDomain(server, sites, seed);

  const proxy = await startCountingProxy(server.apiUrl);
  const site = await startStaticSite(ca, sites);
  await writeProject(
    root,
    proxy.url,
    sites,
    seeds.map((seed) => seed.domain),
  );

  const observe: ObserveOverrides = {
    resolvers: [`127.0.0.1:${server.dnsPort}`],
    authoritative: true,
    authoritativePort: server.dnsPort,
    allowPrivateAddresses: true,
    // The host's address comes from PowerDNS; only the port moves to the static site.
    connectTo: Object.fromEntries(
      seeds.map((seed) => [`mta-sts.${seed.domain}:443`, `:${site.port}`]),
    ),
    trustedCaPem: [ca.certPem],
    dnsTimeoutMs: 1000,
    dnsAttempts: 2,
    fetchTimeoutMs: 3000,
  };
  const options: ApplyCommandOptions = {
    root,
    force: false,
    failOn: "error",
    secrets: { byEnvName: { PDNS_API_KEY: server.apiKey } },
    now: () => new Date(),
    log: () => {},
    observe,
    verifyTimeoutMs: 5_000,
    verifyIntervalMs: 200,
  };

  const loaded = await loadProject(root);
  if (!loaded.ok) throw new Error(`the test project must validate: ${loaded.errors[0]?.message}`);
  const verifier = await createRunObserver(loaded.project.config.observe, observe);

  return {
    root,
    proxy,
    site,
    options,
    verifier,
    plan: async () => {
      const outcome = await runCommand("plan", options);
      if (!outcome.plan) throw new Error(`plan produced no plan:\n${outcome.text}`);
      return outcome.plan;
    },
    apply: async (extra = {}) => {
      const outcome = await runCommand("apply", { ...options, ...extra, format: "json" });
      try {
        return JSON.parse(outcome.text) as ApplyResult;
      } catch {
        throw new Error(`apply printed no result (exit ${outcome.exitCode}):\n${outcome.text}`);
      }
    },
    close: async () => {
      verifier.observer.close();
      await site.close();
      await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

describe.skipIf(skipReason !== null)("apply over a real PowerDNS", () => {
  let server: PowerDnsServer;
  let ca: TestCa;

  beforeAll(async () => {
    [server, ca] = await Promise.all([startPowerDns(), createTestCa()]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe("plan, apply, plan", () => {
    let setup: Setup;
    let before: Plan;
    let result: ApplyResult;
    let after: Plan;
    let firstPatches: number;
    let secondPatches: number;

    beforeAll(async () => {
      setup = await setUp(server, ca, [
        { domain: "fresh.pdns.example", live: null },
        { domain: "drift.pdns.example", live: { rua: "mailto:old@pdns.example", policy: DRIFTED } },
        { domain: "synced.pdns.example", live: { rua: RUA, policy: DECLARED } },
      ]);

      before = await setup.plan();
      result = await setup.apply();
      firstPatches = setup.proxy.counts.get("PATCH") ?? 0;
      after = await setup.plan();

      setup.proxy.counts.clear();
      await setup.apply();
      secondPatches = setup.proxy.counts.get("PATCH") ?? 0;
    });

    afterAll(async () => {
      await setup?.close();
    });

    it("plans the new and the drifted domain", () => {
      expect(changeKinds(before)).toEqual({
        "drift.pdns.example": ["publish-policy", "set-sts-record", "set-tlsrpt-record"],
        "fresh.pdns.example": ["publish-policy", "set-sts-record", "set-tlsrpt-record"],
      });
    });

    it("writes both domains without an error", () => {
      expect(failedSteps(result)).toEqual([]);
    });

    it("applies both in one PATCH each", () => {
      expect(outcomes(result)).toEqual({
        "drift.pdns.example": "applied",
        "fresh.pdns.example": "applied",
        "synced.pdns.example": "unchanged",
      });
      expect(firstPatches).toBe(2);
    });

    it("second plan has no changes", () => {
      expect(changeKinds(after)).toEqual({});
      for (const domain of after.domains) {
        expect(domain.status, domain.domain).toBe("in-sync");
        expect(domain.findings, domain.domain).toEqual([]);
      }
    });

    it("serves the declared policy", async () => {
      for (const domain of ["fresh.pdns.example", "drift.pdns.example"]) {
        const served = await setup.verifier.fetchPolicy(domain);
        expect(servedBody(served), domain).toBe(renderPolicy(DECLARED));
      }
    });

    it("second apply sends no PATCH", () => {
      expect(secondPatches).toBe(0);
    });
  });

  describe("apply stopped between publish and TXT", () => {
    let setup: Setup;
    let writes: Array<{ domain: string; served: PolicyFetch }>;
    let stopped: Promise<ApplyResult>;
    let patchesAtStop: number;
    let rerunPlan: Plan;
    let rerun: ApplyResult;
    let final: Plan;

    beforeAll(async () => {
      setup = await setUp(server, ca, [
        { domain: "fresh.stop.pdns.example", live: null },
        {
          domain: "drift.stop.pdns.example",
          live: { rua: RUA, policy: DRIFTED },
        },
      ]);

      writes = [];
      setup.proxy.beforePatch = async (patch) => {
        const body = JSON.parse(patch.body) as { rrsets?: Array<Record<string, unknown>> };
        for (const rrset of body.rrsets ?? []) {
          const name = String(rrset.name ?? "").replace(/\.$/, "");
          if (!name.startsWith("_mta-sts.") || rrset.changetype !== "REPLACE") continue;
          const domain = name.slice("_mta-sts.".length);
          writes.push({ domain, served: await setup.verifier.fetchPolicy(domain) });
        }
      };

      const stop = async () => {
        throw new Error("stopped after publish");
      };
      stopped = setup.apply({ hooks: { afterPublish: stop } });
      await stopped.catch(() => undefined);
      patchesAtStop = setup.proxy.counts.get("PATCH") ?? 0;

      // The planner reports a body changed under the id when Last-Modified is more than a
      // minute after the time in the id. The seeded id is a month old, so the body
      // published now passes that check.
      rerunPlan = await setup.plan();
      rerun = await setup.apply();
      final = await setup.plan();
    });

    afterAll(async () => {
      await setup?.close();
    });

    it("stops before any TXT write", async () => {
      await expect(stopped).rejects.toThrow("stopped after publish");
      expect(patchesAtStop).toBe(0);
    });

    it("rerun writes without an error", () => {
      expect(failedSteps(rerun)).toEqual([]);
    });

    it("rerun gives both domains a new id", () => {
      expect(changeKinds(rerunPlan)).toEqual({
        "drift.stop.pdns.example": ["set-sts-record"],
        "fresh.stop.pdns.example": ["set-sts-record", "set-tlsrpt-record"],
      });
      expect(outcomes(rerun)).toEqual({
        "drift.stop.pdns.example": "applied",
        "fresh.stop.pdns.example": "applied",
      });
    });

    it("flags the body changed under the live id", () => {
      const drift = rerunPlan.domains.find((domain) => domain.domain === "drift.stop.pdns.example");
      expect(drift?.findings.map((item) => item.code)).toContain("policy-id-unchanged");
    });

    it("ends with no changes", () => {
      expect(changeKinds(final)).toEqual({});
    });

    it("writes every id over the served policy", () => {
      expect(writes.map((write) => write.domain).sort()).toEqual([
        "drift.stop.pdns.example",
        "fresh.stop.pdns.example",
      ]);
      for (const write of writes) {
        expect(servedBody(write.served), write.domain).toBe(renderPolicy(DECLARED));
      }
    });
  });
});
