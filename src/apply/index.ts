/** Ordered, verified execution of a plan; see docs/apply.md. */

export { applyPlan } from "./apply.js";
export { assertPlanMayRun, type PlanGuardOptions } from "./guard.js";
export { renderApplyMarkdown, renderApplyText } from "./render.js";
export { stampPolicyId } from "./txt-writes.js";
export type {
  ApplyClock,
  ApplyCounts,
  ApplyFailure,
  ApplyHooks,
  ApplyOptions,
  ApplyResult,
  ApplyStep,
  DomainOutcome,
  DomainResult,
  StepKind,
  StepStatus,
} from "./types.js";
export {
  type BodyMatch,
  compareServedBody,
  describeMismatch,
  type VerifyOutcome,
  type VerifyRequest,
  verifyPolicies,
} from "./verify.js";
