/**
 * The contract of `apply`: what it takes (a plan, the providers, a way to fetch the
 * live policy, a clock) and what it returns per domain. The CLI, the Action and the
 * tests call `applyPlan` with the same options; only the providers differ.
 */

import type { PolicyFetch } from "../observe/types.js";
import type { ChangeKind, Plan } from "../plan/types.js";
import type { DnsProvider, PolicyHost } from "../providers/types.js";

/** Time source of a run. Tests pass a fake clock whose `sleep` advances `now` at once. */
export interface ApplyClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export interface ApplyHooks {
  /**
   * Runs once after the publish step with the domains whose policy was published.
   * An error thrown here rejects `applyPlan` before any TXT write, as a crash at that
   * point would. Tests use it to check that a rerun converges.
   */
  afterPublish?: (domains: string[]) => Promise<void>;
}

export interface ApplyOptions {
  plan: Plan;
  /** DNS providers by configured name (`Change.provider` of the TXT changes). */
  dnsProviders: Map<string, DnsProvider>;
  /** Policy hosts by configured name (`Change.provider` of the policy changes). */
  policyHosts: Map<string, PolicyHost>;
  /** Fetches https://mta-sts.<domain>/.well-known/mta-sts.txt as senders do. */
  verifyPolicy: (domain: string) => Promise<PolicyFetch>;
  clock: ApplyClock;
  /** Maximum time in ms that one run waits for every published policy to be served. */
  verifyTimeoutMs: number;
  /** Time in ms between two fetches of a policy that is not served yet. */
  verifyIntervalMs: number;
  /** Maximum number of provider calls or policy fetches in flight at once; default 8. */
  concurrency?: number;
  /** Receives one line per step, "apply <step>: key=value ...". */
  log: (line: string) => void;
  hooks?: ApplyHooks;
}

/**
 * A step of apply: a change of the plan, the fetch that checks a published policy, or
 * `plan-domain` for a domain the planner could not plan (its status is "error").
 */
export type StepKind = ChangeKind | "verify-policy" | "plan-domain";

/**
 * - `done`: the provider call succeeded (or the policy is served, for verify-policy).
 * - `failed`: the provider call or the verification raised an error.
 * - `pending`: waits for the policy to be served; a later run continues.
 * - `held`: the plan marked the change as not safe yet (`heldUntil`, `heldReason`).
 * - `skipped`: not attempted because an earlier step of the domain failed.
 */
export type StepStatus = "done" | "failed" | "pending" | "held" | "skipped";

export interface ApplyStep {
  kind: StepKind;
  /** The policy host or DNS provider, by configured name; "planner" for `plan-domain`. */
  provider: string;
  /** The DNS owner name or the policy URL. */
  target: string;
  status: StepStatus;
  /** One line: what was written, why it waits, or the error. */
  detail: string;
  /** ISO 8601 UTC time the step ended, from the run's clock. */
  at: string;
  heldUntil?: string;
}

/** The first failure of a domain: the step, the provider and the cause. */
export interface ApplyFailure {
  kind: StepKind;
  provider: string;
  message: string;
}

/**
 * - `applied`: every change of the domain ran.
 * - `pending`: the published policy was not served in time, so `_mta-sts` was left as it was.
 * - `held`: at least one change must wait (see the steps' `heldUntil`); the others ran.
 * - `failed`: a provider call failed, or the domain could not be planned; the other
 *   domains went on.
 * - `unchanged`: the plan had no change for the domain.
 */
export type DomainOutcome = "applied" | "pending" | "held" | "failed" | "unchanged";

export interface DomainResult {
  domain: string;
  outcome: DomainOutcome;
  steps: ApplyStep[];
  error?: ApplyFailure;
}

export interface ApplyCounts {
  domains: number;
  applied: number;
  pending: number;
  held: number;
  failed: number;
  unchanged: number;
}

export interface ApplyResult {
  /** ISO 8601 UTC times of the start and end of the run, from the run's clock. */
  startedAt: string;
  finishedAt: string;
  /** The checksum of the plan that was executed. */
  planChecksum: string;
  domains: DomainResult[];
  counts: ApplyCounts;
}
