/**
 * Executes a plan in the order RFC 8461 section 8.1 recommends: the policy body first,
 * then the `_mta-sts` id, so that no sender sees a new id while the old body is served.
 *
 * 1. Publish every policy that may run, per policy host.
 * 2. Fetch each one back from its live URL until it is served (one shared deadline),
 *    and write the domain's `_mta-sts` and `_smtp._tls` records as soon as it is.
 * 3. Write the records of every other domain: `_mta-sts` changes without a new
 *    policy and deletions, and `_smtp._tls` even where the policy is pending.
 * 4. Withdraw retired policies whose `_mta-sts` record was deleted in step 3.
 *
 * The planner decides what may run (held changes never do); apply only orders and
 * verifies. Every provider write replaces a whole record set or policy, so running
 * apply again on a plan computed from the new live state converges.
 */

import { formatTime } from "../plan/horizon.js";
import { DomainRun } from "./domain-run.js";
import { logLine } from "./log.js";
import { callPolicyHosts, type HostItem } from "./policy-hosts.js";
import { writeDomainRecords, writeRecords } from "./txt-writes.js";
import type { ApplyCounts, ApplyOptions, ApplyResult, DomainResult } from "./types.js";
import { verifyPolicies } from "./verify.js";

const DEFAULT_CONCURRENCY = 8;

async function publishPolicies(runs: DomainRun[], options: ApplyOptions): Promise<DomainRun[]> {
  const items: HostItem[] = [];
  for (const run of runs) {
    const change = run.runnable("publish-policy");
    if (!change) continue;
    if (change.after === null) {
      run.policy = "failed";
      run.record(
        change,
        "failed",
        "the plan has no policy body to publish; compute the plan again",
      );
      continue;
    }
    items.push({ run, change });
  }

  await callPolicyHosts(items, options.policyHosts, concurrencyOf(options), {
    verb: "publish",
    call: (host, batch) =>
      host.publish(batch.map((item) => ({ domain: item.run.domain, body: item.change.after! }))),
    succeeded: ({ run, change }) => {
      run.policy = "published";
      const bytes = Buffer.byteLength(change.after!, "utf8");
      run.record(change, "done", `published ${bytes} bytes: ${change.description}`);
    },
    failed: ({ run, change }, message) => {
      run.policy = "failed";
      run.record(change, "failed", message);
    },
  });

  return runs.filter((run) => run.policy === "published");
}

/**
 * Fetches every published policy back and writes a domain's records as soon as its
 * policy is served. Domains still not served at the deadline become pending.
 */
async function verifyPublished(published: DomainRun[], options: ApplyOptions): Promise<void> {
  if (published.length === 0) return;

  const byDomain = new Map(published.map((run) => [run.domain, run]));
  const expected = new Map<string, string>();
  for (const run of published) expected.set(run.domain, run.runnable("publish-policy")!.after!);

  const verifyStep = (run: DomainRun) => {
    const change = run.runnable("publish-policy")!;
    return { kind: "verify-policy" as const, provider: change.provider, target: change.target };
  };
  const fetches = (attempts: number) => `${attempts} fetch${attempts === 1 ? "" : "es"}`;

  const outcomes = await verifyPolicies({
    expected,
    verifyPolicy: options.verifyPolicy,
    clock: options.clock,
    timeoutMs: options.verifyTimeoutMs,
    intervalMs: options.verifyIntervalMs,
    concurrency: concurrencyOf(options),
    log: options.log,
    onVerified: async (outcome) => {
      const run = byDomain.get(outcome.domain)!;
      run.policy = "verified";
      const matchText = outcome.match === "exact" ? "byte for byte" : "with other line endings";
      run.record(verifyStep(run), "done", `served ${matchText} after ${fetches(outcome.attempts)}`);
      await writeDomainRecords(run, options.dnsProviders, () => options.clock.now());
    },
  });

  const seconds = Math.round(options.verifyTimeoutMs / 1000);
  for (const run of published) {
    const outcome = outcomes.get(run.domain)!;
    if (outcome.verified) continue;

    run.policy = "pending";
    const detail = `not served after ${fetches(outcome.attempts)} in ${seconds} s: ${outcome.lastFailure}`;
    run.record(verifyStep(run), "pending", detail);
  }
}

async function withdrawPolicies(runs: DomainRun[], options: ApplyOptions): Promise<void> {
  const items: HostItem[] = [];
  for (const run of runs) {
    const change = run.runnable("withdraw-policy");
    if (!change) continue;

    // RFC 8461 section 8.3: the record is deleted first, so no live record ever points
    // senders at a policy that was already withdrawn.
    const deletion = run.find("delete-sts-record");
    const deletionStep = run.steps.find((step) => step.kind === "delete-sts-record");
    if (deletion?.heldReason) {
      run.record(change, "held", "waits for the held _mta-sts deletion", deletion.heldUntil);
      continue;
    }
    if (deletion && deletionStep?.status !== "done") {
      run.record(
        change,
        "skipped",
        "the _mta-sts deletion did not succeed; the policy stays served",
      );
      continue;
    }
    items.push({ run, change });
  }

  await callPolicyHosts(items, options.policyHosts, concurrencyOf(options), {
    verb: "withdraw",
    call: (host, batch) => host.withdraw(batch.map((item) => item.run.domain)),
    succeeded: ({ run, change }) => run.record(change, "done", "withdrawn"),
    failed: ({ run, change }, message) => run.record(change, "failed", message),
  });
}

function countOutcomes(results: DomainResult[]): ApplyCounts {
  const counts: ApplyCounts = {
    domains: results.length,
    applied: 0,
    pending: 0,
    held: 0,
    failed: 0,
    unchanged: 0,
  };
  for (const result of results) counts[result.outcome] += 1;
  return counts;
}

function concurrencyOf(options: ApplyOptions): number {
  return Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
}

/**
 * Applies `plan` and returns the outcome of every domain. Provider errors are caught
 * per domain and reported; only an error of `hooks.afterPublish` rejects.
 */
export async function applyPlan(options: ApplyOptions): Promise<ApplyResult> {
  const { clock, log } = options;
  const started = clock.now();
  log(
    logLine("start", {
      domains: options.plan.domains.length,
      checksum: options.plan.checksum,
      verify_timeout_ms: options.verifyTimeoutMs,
    }),
  );

  const runs = options.plan.domains.map((plan) => new DomainRun(plan, clock, log));
  for (const run of runs) {
    run.recordPlanError();
    run.recordHeld();
  }

  const published = await publishPolicies(runs, options);
  await options.hooks?.afterPublish?.(published.map((run) => run.domain));

  await verifyPublished(published, options);
  await writeRecords(runs, options.dnsProviders, concurrencyOf(options), () => clock.now());
  await withdrawPolicies(runs, options);

  const results = runs.map((run) => run.result());
  const counts = countOutcomes(results);
  const finished = clock.now();
  log(
    logLine("summary", {
      ...counts,
      seconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    }),
  );

  return {
    startedAt: formatTime(started),
    finishedAt: formatTime(finished),
    planChecksum: options.plan.checksum,
    domains: results,
    counts,
  };
}
