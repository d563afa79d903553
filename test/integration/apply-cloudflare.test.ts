/**
 * plan, apply and plan again over the fake Cloudflare API. The real DNS provider and
 * Worker host write through the SDK, and the bridge serves what they wrote to the
 * observer: the fake's zones through the world's DNS server, and the Worker through an
 * HTTPS edge that custom domains route to.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyResult, DomainOutcome } from "../../src/apply/types.js";
import type { ApplyCommandOptions } from "../../src/commands/apply.js";
import { runCommand } from "../../src/commands/index.js";
import { createRunObserver, type RunObserver } from "../../src/commands/observer.js";
import type { CommandOutcome } from "../../src/commands/types.js";
import { loadProject, type ObserveSettings, type Project } from "../../src/config/index.js";
import type { PolicyFetch } from "../../src/observe/types.js";
import type { Plan } from "../../src/plan/types.js";
import { createCloudflareWorkerHost } from "../../src/providers/hosting/cloudflare-worker.js";
import type { PolicyHost } from "../../src/providers/types.js";
import {
  type CloudflareSandbox,
  startCloudflareSandbox,
  startExampleFleetSandbox,
} from "../../src/sandbox/cloudflare/index.js";
import { renderPolicy } from "../../src/sts/policy.js";
import {
  CLOUDFLARE_OPENAPI_SUBSET,
  type CloudflareFake,
  cloudflareRequestValidator,
} from "../support/cloudflare-fake/index.js";
import { repoRoot, reportMissingShared } from "../support/shared.js";

const validateRequest = cloudflareRequestValidator();
if (!validateRequest) reportMissingShared(CLOUDFLARE_OPENAPI_SUBSET);

const BATCH_ROUTE = "POST /zones/{zone_id}/dns_records/batch";

function commandOptions(
  root: string,
  sandbox: CloudflareSandbox,
  overrides: Partial<ApplyCommandOptions> = {},
): ApplyCommandOptions {
  return {
    root,
    force: false,
    failOn: "error",
    secrets: { byEnvName: { CLOUDFLARE_API_TOKEN: sandbox.fake.token } },
    now: () => new Date(),
    log: () => {},
    observe: sandbox.observe,
    cloudflareApiUrl: sandbox.fake.baseUrl,
    verifyTimeoutMs: 5_000,
    verifyIntervalMs: 200,
    ...overrides,
  };
}

async function plan(options: ApplyCommandOptions): Promise<Plan> {
  const outcome = await runCommand("plan", options);
  if (!outcome.plan) throw new Error(`plan produced no plan:\n${outcome.text}`);
  return outcome.plan;
}

async function apply(options: ApplyCommandOptions): Promise<ApplyResult> {
  const outcome: CommandOutcome = await runCommand("apply", { ...options, format: "json" });
  try {
    return JSON.parse(outcome.text) as ApplyResult;
  } catch {
    throw new Error(`apply printed no result (exit code ${outcome.exitCode}):\n${outcome.text}`);
  }
}

function outcomes(result: ApplyResult): Record<string, DomainOutcome> {
  return Object.fromEntries(result.domains.map((domain) => [domain.domain, domain.outcome]));
}

function changeKinds(plan: Plan): Record<string, string[]> {
  return Object.fromEntries(
    plan.domains
      .filter((domain) => domain.changes.length > 0)
      .map((domain) => [domain.domain, domain.changes.map((change) => change.kind)]),
  );
}

/** Returns the served body, or the reason the fetch failed, so an assertion shows either. */
function servedBody(fetch: PolicyFetch): string {
  return fetch.ok ? fetch.body : `not served: ${fetch.reason}: ${fetch.detail}`;
}

function expectEveryRequestValid(fake: CloudflareFake): void {
  const invalid = fake
    .invalidRequests()
    .map((request) => `${request.method} ${request.path}: ${JSON.stringify(request.problems)}`);
  expect(invalid).toEqual([]);
}

/** An `_mta-sts` TXT write that reached the fake, with what the edge served at that moment. */
interface StsWrite {
  domain: string;
  id: string | null;
  served: PolicyFetch;
}

/**
 * Fetches the policy of every domain whose `_mta-sts` TXT a batch writes, before the fake
 * applies the batch, through the same connect-to map a sender's fetch takes.
 */
function recordStsWrites(
  fake: CloudflareFake,
  fetchPolicy: (domain: string) => Promise<PolicyFetch>,
): StsWrite[] {
  const writes: StsWrite[] = [];
  fake.onBeforeWrite(async (write) => {
    if (write.route !== BATCH_ROUTE) return;

    const body = write.body as Record<string, Array<Record<string, unknown>> | undefined>;
    const records = [...(body.posts ?? []), ...(body.patches ?? []), ...(body.puts ?? [])];
    for (const record of records) {
      const name = String(record.name ?? "");
      if (record.type !== "TXT" || !name.startsWith("_mta-sts.")) continue;

      const id = /id=([A-Za-z0-9]+)/.exec(String(record.content ?? ""))?.[1] ?? null;
      const domain = name.slice("_mta-sts.".length);
      writes.push({ domain, id, served: await fetchPolicy(domain) });
    }
  });
  return writes;
}

describe("apply of the example fleet over the fake Cloudflare", () => {
  let project: Project;
  let sandbox: CloudflareSandbox;
  let before: Plan;
  let result: ApplyResult;
  let after: Plan;
  let secondWrites: number;
  let secondResult: ApplyResult;

  beforeAll(async () => {
    const loaded = await loadProject(repoRoot);
    if (!loaded.ok) throw new Error("the example fleet must validate");
    project = loaded.project;
    sandbox = await startExampleFleetSandbox(project, {
      ...(validateRequest ? { validateRequest } : {}),
    });
    // The planted faults change 9 of 16 domains, over safety.max_change_share.
    const options = commandOptions(repoRoot, sandbox, { force: true });

    before = await plan(options);
    result = await apply(options);
    after = await plan(options);

    sandbox.fake.clearRequests();
    secondResult = await apply(options);
    secondWrites = sandbox.fake.writeCount();
  });

  afterAll(async () => {
    if (!sandbox) return;
    expectEveryRequestValid(sandbox.fake);
    await sandbox.close();
  });

  it("applies every domain the plan changes", () => {
    const changed = Object.keys(changeKinds(before));
    const applied = Object.entries(outcomes(result))
      .filter(([, outcome]) => outcome === "applied")
      .map(([domain]) => domain);
    expect(applied).toEqual(changed);
  });

  it("reports the SERVFAIL zone as failed", () => {
    expect(outcomes(result)["alpine-ski-house.example"]).toBe("failed");
  });

  it("second plan keeps only the held retirement", () => {
    expect(changeKinds(after)).toEqual({
      "blue-yonder-airlines.example": ["delete-sts-record", "withdraw-policy"],
    });
    const changes = after.domains.flatMap((domain) => domain.changes);
    expect(changes.every((change) => change.heldReason !== undefined)).toBe(true);
  });

  it("second plan is in sync for every fixed domain", () => {
    const left = new Set([
      "alpine-ski-house.example",
      "blue-yonder-airlines.example",
      "graphic-design-institute.example",
    ]);
    for (const domain of after.domains) {
      if (left.has(domain.domain)) continue;
      expect(domain.status, domain.domain).toBe("in-sync");
      const problems = domain.findings.filter((item) => item.severity !== "info");
      expect(problems, domain.domain).toEqual([]);
    }
  });

  it("second plan still shows the faults apply cannot fix", () => {
    const byDomain = new Map(after.domains.map((domain) => [domain.domain, domain]));
    expect(byDomain.get("alpine-ski-house.example")?.status).toBe("error");
    const graphic = byDomain.get("graphic-design-institute.example");
    expect(graphic?.findings.map((item) => item.code)).toEqual(["enforce-mx-not-covered"]);
  });

  it("routes the published domains to the Worker", () => {
    const published = before.domains
      .filter((domain) => domain.changes.some((change) => change.kind === "publish-policy"))
      .map((domain) => `mta-sts.${domain.domain}`);
    const attached = sandbox.fake.account.customDomains.map((domain) => domain.hostname).sort();
    expect(attached).toEqual(published.sort());
    for (const host of published) {
      expect(sandbox.observe.connectTo?.[`${host}:443`], host).toBe(sandbox.bridge.endpoint);
    }
  });

  // The secrets hold no PDNS_API_KEY, so apply would be refused if it built the
  // PowerDNS provider of fabrikam.example, which has no changes.
  it("needs no PowerDNS secret", () => {
    expect(result.counts.domains).toBe(before.domains.length);
    expect(outcomes(result)["fabrikam.example"]).toBe("unchanged");
  });

  it("second apply makes no write call", () => {
    expect(secondWrites).toBe(0);
    expect(secondResult.counts.applied).toBe(0);
  });
});

/** Writes a project of the given domain files, with the fake's account and short waits. */
async function writeProject(
  root: string,
  accountId: string,
  domains: Record<string, string[]>,
): Promise<void> {
  await mkdir(path.join(root, "domains"), { recursive: true });
  await writeFile(
    path.join(root, "mta-sts-gitops.yaml"),
    [
      "version: 1",
      "dns_providers:",
      "  cloudflare: { type: cloudflare, api_token_env: CLOUDFLARE_API_TOKEN }",
      "policy_hosts:",
      `  worker: { type: cloudflare-worker, account_id: ${accountId}, script_name: mta-sts-stop-test, api_token_env: CLOUDFLARE_API_TOKEN }`,
      "observe:",
      "  resolvers: [127.0.0.1:53]",
      "",
    ].join("\n"),
  );
  for (const [domain, lines] of Object.entries(domains)) {
    await writeFile(
      path.join(root, "domains", `${domain}.yaml`),
      [`domain: ${domain}`, ...lines, "dns: cloudflare", "policy_host: worker", ""].join("\n"),
    );
  }
}

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const LIVE_ID = "20261101T090000Z";

/** The declared policy of both domains, and the drifted one the earlier origin serves. */
const DECLARED = { mode: "testing" as const, mx: ["mx.stop.example"], maxAge: 604_800 };
const DRIFTED = { ...DECLARED, maxAge: 86_400 };

describe("apply stopped between publish and TXT", () => {
  let root: string;
  let sandbox: CloudflareSandbox;
  let verifier: RunObserver;
  let writes: StsWrite[];
  let stopped: Promise<ApplyResult>;
  let rerunPlan: Plan;
  let rerun: ApplyResult;
  let final: Plan;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "apply-stop-"));
    const declaration = [
      "mta_sts:",
      "  mode: testing",
      "  mx: [mx.stop.example]",
      "  max_age: 604800",
      "tls_rpt:",
      "  rua: [mailto:tlsrpt@stop.example]",
    ];
    await writeProject(root, ACCOUNT_ID, {
      "fresh.stop.example": declaration,
      "drift.stop.example": declaration,
    });

    sandbox = await startCloudflareSandbox({
      accountId: ACCOUNT_ID,
      onCloudflare: () => true,
      ...(validateRequest ? { validateRequest } : {}),
      domains: [
        {
          domain: "fresh.stop.example",
          mx: [{ preference: 10, exchange: "mx.stop.example" }],
          sts: null,
          tlsRpt: null,
          policy: null,
        },
        {
          domain: "drift.stop.example",
          mx: [{ preference: 10, exchange: "mx.stop.example" }],
          sts: [[`v=STSv1; id=${LIVE_ID};`]],
          tlsRpt: [["v=TLSRPTv1; rua=mailto:tlsrpt@stop.example"]],
          policy: { kind: "body", body: renderPolicy(DRIFTED), contentType: "text/plain" },
        },
      ],
    });

    const loaded = await loadProject(root);
    if (!loaded.ok) throw new Error(`the test project must validate: ${loaded.errors[0]?.message}`);
    verifier = await createRunObserver(loaded.project.config.observe, sandbox.observe);
    writes = recordStsWrites(sandbox.fake, verifier.fetchPolicy);

    const options = commandOptions(root, sandbox);
    const stop = async () => {
      throw new Error("stopped after publish");
    };
    stopped = apply({ ...options, hooks: { afterPublish: stop } });
    await stopped.catch(() => undefined);

    rerunPlan = await plan(options);
    rerun = await apply(options);
    final = await plan(options);
  });

  afterAll(async () => {
    verifier?.observer.close();
    if (sandbox) {
      expectEveryRequestValid(sandbox.fake);
      await sandbox.close();
    }
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("stops before any TXT write", async () => {
    await expect(stopped).rejects.toThrow("stopped after publish");
  });

  it("rerun writes the records of the new domain", () => {
    expect(changeKinds(rerunPlan)["fresh.stop.example"]).toEqual([
      "set-sts-record",
      "set-tlsrpt-record",
    ]);
    expect(outcomes(rerun)["fresh.stop.example"]).toBe("applied");
  });

  it("serves the declared policies at the end", async () => {
    for (const domain of ["fresh.stop.example", "drift.stop.example"]) {
      const served = await verifier.fetchPolicy(domain);
      expect(servedBody(served), domain).toBe(renderPolicy(DECLARED));
    }
  });

  it("ends with no changes", () => {
    expect(changeKinds(final)).toEqual({});
  });

  it("writes every id over the served policy", () => {
    expect(writes.map((write) => write.domain).sort()).toEqual([
      "drift.stop.example",
      "fresh.stop.example",
    ]);
    for (const write of writes) {
      expect(servedBody(write.served), `${write.domain} id ${write.id}`).toBe(
        renderPolicy(DECLARED),
      );
    }
  });

  it("rerun gives the changed policy a new id", () => {
    expect(changeKinds(rerunPlan)["drift.stop.example"]).toEqual(["set-sts-record"]);
    expect(outcomes(rerun)["drift.stop.example"]).toBe("applied");
  });

  it("flags the body changed under the live id", () => {
    const drift = rerunPlan.domains.find((domain) => domain.domain === "drift.stop.example");
    expect(drift?.findings.map((item) => item.code)).toContain("policy-id-unchanged");
  });
});

/** Observation settings of a sandbox test without a project; the sandbox's overrides replace most. */
const SETTINGS: ObserveSettings = {
  resolvers: ["127.0.0.1:53"],
  authoritative: true,
  dnsTimeoutMs: 1000,
  dnsAttempts: 2,
  fetchTimeoutMs: 3000,
  smtpTimeoutMs: 3000,
  concurrency: 8,
  allowPrivateAddresses: true,
  connectTo: {},
  trustedCaFiles: [],
};

describe("custom domain routing of the edge", () => {
  const ORIGIN = renderPolicy(DRIFTED);
  let sandbox: CloudflareSandbox;
  let observer: RunObserver;
  let host: PolicyHost;
  let origin: string | undefined;

  beforeAll(async () => {
    sandbox = await startCloudflareSandbox({
      accountId: ACCOUNT_ID,
      onCloudflare: () => true,
      ...(validateRequest ? { validateRequest } : {}),
      domains: [
        {
          domain: "route.example",
          mx: [{ preference: 10, exchange: "mx.stop.example" }],
          sts: null,
          tlsRpt: null,
          policy: { kind: "body", body: ORIGIN, contentType: "text/plain" },
        },
      ],
    });
    observer = await createRunObserver(SETTINGS, sandbox.observe);
    origin = sandbox.observe.connectTo?.["mta-sts.route.example:443"];
    host = createCloudflareWorkerHost({
      name: "worker",
      apiToken: sandbox.fake.token,
      accountId: ACCOUNT_ID,
      scriptName: "mta-sts-route-test",
      baseUrl: sandbox.fake.baseUrl,
      log: () => {},
    });
  });

  afterAll(async () => {
    observer?.observer.close();
    if (sandbox) {
      expectEveryRequestValid(sandbox.fake);
      await sandbox.close();
    }
  });

  it("serves the earlier origin without one", async () => {
    expect(origin).toBe(sandbox.world.https.endpoint);
    expect(servedBody(await observer.fetchPolicy("route.example"))).toBe(ORIGIN);
  });

  it("serves the Worker once published", async () => {
    await host.publish([{ domain: "route.example", body: renderPolicy(DECLARED) }]);

    expect(sandbox.observe.connectTo?.["mta-sts.route.example:443"]).toBe(sandbox.bridge.endpoint);
    expect(servedBody(await observer.fetchPolicy("route.example"))).toBe(renderPolicy(DECLARED));
  });

  it("returns to the origin once withdrawn", async () => {
    await host.withdraw(["route.example"]);

    expect(sandbox.fake.account.customDomains).toEqual([]);
    expect(sandbox.observe.connectTo?.["mta-sts.route.example:443"]).toBe(origin);
    expect(servedBody(await observer.fetchPolicy("route.example"))).toBe(ORIGIN);
  });
});
