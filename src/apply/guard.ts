import {
  forceRequiredReason,
  PlanChecksumMismatchError,
  type SafetySettings,
  TooMuchChangeError,
} from "../plan/safety.js";
import type { Plan } from "../plan/types.js";

export interface PlanGuardOptions {
  /** `--force`: accept a plan over the safety threshold. It never skips the checksum check. */
  force: boolean;
  /** `--plan-checksum`: the checksum of the reviewed plan; absent when apply is not bound to one. */
  reviewedChecksum?: string;
  safety: SafetySettings;
}

/**
 * Raises before any write when the plan must not run: PlanChecksumMismatchError when
 * the plan computed now differs from the reviewed one, TooMuchChangeError when it
 * changes more of the fleet than the safety threshold allows and `force` is not set.
 */
export function assertPlanMayRun(plan: Plan, options: PlanGuardOptions): void {
  const reviewed = options.reviewedChecksum?.trim().toLowerCase();
  if (reviewed && reviewed !== plan.checksum) {
    throw new PlanChecksumMismatchError(
      `the plan computed now (checksum ${plan.checksum}) differs from the reviewed plan (--plan-checksum ${reviewed}); the live state or the declarations changed since the review, so run plan again, review it and apply with its checksum`,
    );
  }

  const reason = forceRequiredReason(plan, options.safety);
  if (reason !== null && !options.force) {
    throw new TooMuchChangeError(reason);
  }
}
