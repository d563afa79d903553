/**
 * Counts the Cloudflare API calls that apply needs for a fleet of changed domains. A
 * generated fleet of new domains (no TXT record, no policy, one zone each) is planned
 * against the Cloudflare sandbox and applied through the real DNS provider and Worker
 * host against the fake API. A second plan checks that nothing is left.
 *
 * New domains are the most expensive case: each needs a record list of its zone, a batch
 * for its two TXT records and a Workers Custom Domain. The fake does not enforce
 * Cloudflare's rate limit, so the providers get a limiter sized for the fake instead of
 * the default one, and the result states what the default would cost.
 *
 * Run alone: `npx tsx bench/cloudflare.ts [count]` (1,000 domains by default).
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { applyPlan } from "../src/apply/index.js";
import { computePlan } from "../src/commands/plan.js";
import { loadForCommand } from "../src/commands/project.js";
import type { CommandOptions } from "../src/commands/types.js";
import { planCounts } from "../src/plan/plan-fleet.js";
import { createCloudflareSession, RateLimiter } from "../src/providers/cloudflare-client.js";
import { createCloudflareDns } from "../src/providers/dns/cloudflare.js";
import { createCloudflareWorkerHost } from "../src/providers/hosting/cloudflare-worker.js";
import { startCloudflareSandbox } from "../src/sandbox/cloudflare/index.js";
import type { WorldDomain } from "../src/sandbox/world.js";

export interface CloudflareBenchResult {
  domains: number;
  /** Domains whose plan had changes, and those apply reported as applied. */
  changedDomains: number;
  appliedDomains: number;
  /** Every API call of the apply, retries included. */
  calls: number;
  /** Calls by route ("METHOD /template"). */
  callsByRoute: Record<string, number>;
  /** Pages of the zone list, which grow with the account's zones, not with the changes. */
  zoneListCalls: number;
  /** Calls of the Worker that a run makes once, whatever the number of domains. */
  workerRunCalls: number;
  /** All calls but the zone list, per changed domain (target: at most 3). */
  callsPerChangedDomain: number;
  /** The calls that scale with the changed domains, per changed domain. */
  domainCallsPerChangedDomain: number;
  /** Changes left in the plan computed right after the apply (expected 0). */
  changesAfterApply: number;
  applySeconds: number;
  /** The limiter the providers used against the fake, and what Cloudflare's limit would cost. */
  rateLimit: string;
}

const ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353";
const ZONE_LIST = "GET /zones";
/** Routes a run calls a fixed number of times: download, create and upload the Worker, list its custom domains. */
const WORKER_RUN_ROUTES = [
  "GET /accounts/{account_id}/workers/scripts/{script_name}",
  "POST /accounts/{account_id}/workers/workers",
  "POST /accounts/{account_id}/workers/workers/{worker_id}/versions",
  "GET /accounts/{account_id}/workers/domains",
];

/**
 * The limiter for the fake: far above any rate the loopback run reaches, so no call waits.
 * Cloudflare allows 1,200 calls per five minutes, and the providers' default limiter
 * 1,100 with a burst of 50.
 */
const FAKE_RATE_LIMIT = { requests: 1_000_000, windowMs: 1_000, burst: 100_000 };
const DEFAULT_LIMIT = { requests: 1_100, windowMs: 300_000, burst: 50 };

function domainName(index: number): string {
  return `fleet-${String(index).padStart(4, "0")}.cloudflare-bench.example`;
}

async function writeFleet(root: string, count: number): Promise<void> {
  await mkdir(path.join(root, "domains"), { recursive: true });
  await writeFile(
    path.join(root, "mta-sts-gitops.yaml"),
    [
      "version: 1",
      "dns_providers:",
      "  cloudflare: { type: cloudflare, api_token_env: CLOUDFLARE_API_TOKEN }",
      "policy_hosts:",
      `  worker: { type: cloudflare-worker, account_id: ${ACCOUNT_ID}, script_name: bench, api_token_env: CLOUDFLARE_API_TOKEN }`,
      "observe:",
      "  resolvers: [127.0.0.1:53]",
      "  concurrency: 64",
      "",
    ].join("\n"),
  );

  const files = [];
  for (let index = 0; index < count; index += 1) {
    const domain = domainName(index);
    files.push(
      writeFile(
        path.join(root, "domains", `${domain}.yaml`),
        [
          `domain: ${domain}`,
          "mta_sts:",
          "  mode: testing",
          "  mx_presets: [google-workspace]",
          "tls_rpt:",
          `  rua: [mailto:tlsrpt@${domain}]`,
          "dns: cloudflare",
          "policy_host: worker",
          "",
        ].join("\n"),
      ),
    );
  }
  await Promise.all(files);
}

/** Returns the live state of a domain with an MX and nothing of MTA-STS yet. */
function newDomain(domain: string): WorldDomain {
  return {
    domain,
    mx: [{ preference: 1, exchange: "smtp.google.com" }],
    sts: null,
    tlsRpt: null,
    policy: null,
  };
}

/** Time the default limiter needs for `calls`: the burst goes at once, the rest at the refill rate. */
function minutesAtDefaultLimit(calls: number): number {
  const refillPerMs = (DEFAULT_LIMIT.requests - DEFAULT_LIMIT.burst) / DEFAULT_LIMIT.windowMs;
  return Math.max(0, calls - DEFAULT_LIMIT.burst) / refillPerMs / 60_000;
}

/**
 * Applies `count` new domains (1,000 by default) through the Cloudflare providers against
 * the fake API, in a child process. The sandbox of 1,000 zones peaks near 390 MB of RSS,
 * which would otherwise count in the peak RSS that later benchmark parts of the calling
 * process report.
 */
export async function benchCloudflareApply(
  options: { count?: number } = {},
): Promise<CloudflareBenchResult> {
  const count = options.count ?? 1000;
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", script, String(count)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const [code] = (await once(child, "close")) as [number | null];

  const output = Buffer.concat(chunks).toString("utf8");
  if (code !== 0) {
    throw new Error(`the Cloudflare benchmark process exited with code ${code}:\n${output}`);
  }
  return JSON.parse(output) as CloudflareBenchResult;
}

/** Applies `count` new domains in this process; see `benchCloudflareApply`. */
async function measureCloudflareApply(count: number): Promise<CloudflareBenchResult> {
  const root = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-cloudflare-bench-"));
  const domains = Array.from({ length: count }, (_, index) => newDomain(domainName(index)));
  const sandbox = await startCloudflareSandbox({
    domains,
    onCloudflare: () => true,
    accountId: ACCOUNT_ID,
  });

  try {
    await writeFleet(root, count);
    const command: CommandOptions = {
      root,
      force: false,
      failOn: "error",
      secrets: {},
      now: () => new Date(),
      log: () => {},
      observe: { ...sandbox.observe, concurrency: 64 },
    };
    const loaded = await loadForCommand(command);
    if (!loaded.ok) throw new Error(`generated fleet is invalid:\n${loaded.outcome.text}`);

    const { plan, run } = await computePlan(command, loaded);
    const session = createCloudflareSession({
      apiToken: sandbox.fake.token,
      baseUrl: sandbox.fake.baseUrl,
      rateLimit: new RateLimiter(FAKE_RATE_LIMIT),
    });
    const log = () => {};
    const common = { apiToken: sandbox.fake.token, session, log };

    sandbox.fake.clearRequests();
    const started = process.hrtime.bigint();
    let result: Awaited<ReturnType<typeof applyPlan>>;
    try {
      result = await applyPlan({
        plan,
        dnsProviders: new Map([
          ["cloudflare", createCloudflareDns({ name: "cloudflare", ...common })],
        ]),
        policyHosts: new Map([
          [
            "worker",
            createCloudflareWorkerHost({
              name: "worker",
              accountId: ACCOUNT_ID,
              scriptName: "bench",
              ...common,
            }),
          ],
        ]),
        verifyPolicy: run.fetchPolicy,
        clock: { now: () => new Date(), sleep: (ms) => sleep(ms) },
        verifyTimeoutMs: 60_000,
        verifyIntervalMs: 500,
        log,
      });
    } finally {
      run.observer.close();
    }
    const applySeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const callsByRoute: Record<string, number> = {};
    for (const request of sandbox.fake.requests) {
      const route = request.route ?? `${request.method} ${request.path}`;
      callsByRoute[route] = (callsByRoute[route] ?? 0) + 1;
    }
    const calls = sandbox.fake.count();
    const zoneListCalls = callsByRoute[ZONE_LIST] ?? 0;
    const workerRunCalls = WORKER_RUN_ROUTES.reduce(
      (sum, route) => sum + (callsByRoute[route] ?? 0),
      0,
    );
    const changedDomains = plan.domains.filter((domain) => domain.changes.length > 0).length;

    const after = await computePlan(command, loaded);
    after.run.observer.close();

    const perDomain = (value: number) =>
      changedDomains === 0 ? 0 : Math.round((value / changedDomains) * 1000) / 1000;
    return {
      domains: count,
      changedDomains,
      appliedDomains: result.counts.applied,
      calls,
      callsByRoute,
      zoneListCalls,
      workerRunCalls,
      callsPerChangedDomain: perDomain(calls - zoneListCalls),
      domainCallsPerChangedDomain: perDomain(calls - zoneListCalls - workerRunCalls),
      changesAfterApply: planCounts(after.plan).changes,
      applySeconds: Math.round(applySeconds * 100) / 100,
      rateLimit: `the providers used a limiter of ${FAKE_RATE_LIMIT.requests.toLocaleString("en-US")} calls per second against the fake; under the default limiter (${DEFAULT_LIMIT.requests.toLocaleString("en-US")} calls per 5 minutes, below Cloudflare's 1,200) these ${calls.toLocaleString("en-US")} calls would take about ${minutesAtDefaultLimit(calls).toFixed(1)} minutes`,
    };
  } finally {
    await sandbox.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureCloudflareApply(Number(process.argv[2] ?? 1000));
  console.log(JSON.stringify(result, null, 2));
}
