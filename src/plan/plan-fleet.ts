import type { DomainConfig } from "../config/index.js";
import type { ObservedDomain } from "../observe/types.js";
import { planChecksum } from "./checksum.js";
import { formatTime } from "./horizon.js";
import { type PlanDomainOptions, planDomain } from "./plan-domain.js";
import type { Plan } from "./types.js";

/** The part of the observer the planner uses: one observation per domain. */
export interface FleetObserver {
  /** Returns one observation per domain, in the order given. */
  observeFleet(
    domains: readonly string[],
    options?: { onProgress?: (done: number, total: number) => void },
  ): Promise<ObservedDomain[]>;
}

export interface PlanFleetOptions extends PlanDomainOptions {
  observer: FleetObserver;
  onProgress?: (done: number, total: number) => void;
}

/** Observes every declared domain and plans each against its observation. */
export async function planFleet(domains: DomainConfig[], options: PlanFleetOptions): Promise<Plan> {
  const observations = await options.observer.observeFleet(
    domains.map((domain) => domain.domain),
    { onProgress: options.onProgress },
  );
  return planObserved(domains, observations, options);
}

/** Plans each domain against its observation; `observations` is in the order of `domains`. */
export function planObserved(
  domains: DomainConfig[],
  observations: ObservedDomain[],
  options: PlanDomainOptions,
): Plan {
  const plans = domains.map((desired, index) => planDomain(desired, observations[index]!, options));
  plans.sort((a, b) => a.domain.localeCompare(b.domain));

  return {
    generatedAt: formatTime(options.now),
    domains: plans,
    checksum: planChecksum(plans),
  };
}

/** Counts for summary lines and Action outputs. */
export function planCounts(plan: Plan): {
  domains: number;
  inSync: number;
  changed: number;
  held: number;
  failed: number;
  changes: number;
  errors: number;
  warnings: number;
} {
  const findings = plan.domains.flatMap((domain) => domain.findings);
  return {
    domains: plan.domains.length,
    inSync: plan.domains.filter((domain) => domain.status === "in-sync").length,
    changed: plan.domains.filter((domain) => domain.status === "changes").length,
    held: plan.domains.filter((domain) => domain.status === "held").length,
    failed: plan.domains.filter((domain) => domain.status === "error").length,
    changes: plan.domains.reduce((sum, domain) => sum + domain.changes.length, 0),
    errors: findings.filter((item) => item.severity === "error").length,
    warnings: findings.filter((item) => item.severity === "warning").length,
  };
}

/**
 * Exit code of `plan`: 1 when a finding at or above `failOn` exists, else 2 when changes
 * are pending, else 0. Documented in docs/cli.md.
 */
export function planExitCode(plan: Plan, failOn: "error" | "warning"): number {
  const counts = planCounts(plan);
  if (counts.errors > 0 || (failOn === "warning" && counts.warnings > 0)) return 1;
  if (counts.changes > 0) return 2;
  return 0;
}
