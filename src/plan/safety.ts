import type { Plan } from "./types.js";

export interface SafetySettings {
  /** Share of the fleet (0..1) a plan may change without --force. */
  maxChangeShare: number;
  /** The share applies only to fleets of at least this many domains. */
  minFleetSize: number;
}

/** Base of the errors that stop apply before any write. */
export class UnsafePlanError extends Error {
  override name = "UnsafePlanError";
}

/** Raised when a plan changes more of the fleet than the safety threshold allows. */
export class TooMuchChangeError extends UnsafePlanError {
  override name = "TooMuchChangeError";
}

/** Raised when the live state no longer yields the plan that was reviewed. */
export class PlanChecksumMismatchError extends UnsafePlanError {
  override name = "PlanChecksumMismatchError";
}

/** Counts the domains with changes that would run now (held changes do not count). */
export function changedDomainCount(plan: Plan): number {
  return plan.domains.filter((domain) => domain.changes.some((change) => !change.heldReason))
    .length;
}

/**
 * Returns the reason a plan needs --force, or null. Like octoDNS's update threshold:
 * a change to a large share of a fleet is more often a mistake (a bad default, a
 * wrong preset) than an intent, so it must be confirmed.
 */
export function forceRequiredReason(plan: Plan, settings: SafetySettings): string | null {
  const fleet = plan.domains.length;
  if (fleet < settings.minFleetSize) return null;

  const changed = changedDomainCount(plan);
  const share = changed / fleet;
  if (share <= settings.maxChangeShare) return null;

  const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;
  return `the plan changes ${changed} of ${fleet} domains (${percent(share)}), over the ${percent(settings.maxChangeShare)} safety threshold; review it and run with --force`;
}
