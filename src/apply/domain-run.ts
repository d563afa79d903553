import { formatTime } from "../plan/horizon.js";
import type { Change, ChangeKind, DomainPlan } from "../plan/types.js";
import { logLine } from "./log.js";
import type {
  ApplyClock,
  ApplyFailure,
  ApplyStep,
  DomainOutcome,
  DomainResult,
  StepKind,
  StepStatus,
} from "./types.js";

/** State of a domain's policy during one run. */
export type PolicyState = "none" | "published" | "verified" | "pending" | "failed";

/** The steps of one domain while apply runs; each step is logged as it is recorded. */
export class DomainRun {
  readonly domain: string;
  readonly changes: Change[];
  readonly steps: ApplyStep[] = [];
  private readonly plan: DomainPlan;
  policy: PolicyState = "none";
  /** True once the TXT writes of the domain ran; `writeDomainRecords` checks it, so they run at most once. */
  recordsWritten = false;
  private readonly clock: ApplyClock;
  private readonly log: (line: string) => void;

  constructor(plan: DomainPlan, clock: ApplyClock, log: (line: string) => void) {
    this.plan = plan;
    this.domain = plan.domain;
    this.changes = plan.changes;
    this.clock = clock;
    this.log = log;
  }

  /** Returns the change of this kind that may run now, if the plan has one. */
  runnable(kind: ChangeKind): Change | undefined {
    return this.changes.find((change) => change.kind === kind && !change.heldReason);
  }

  /** Returns the change of this kind, held or not. */
  find(kind: ChangeKind): Change | undefined {
    return this.changes.find((change) => change.kind === kind);
  }

  record(
    step: { kind: StepKind; provider: string; target: string },
    status: StepStatus,
    detail: string,
    heldUntil?: string,
  ): void {
    const entry: ApplyStep = {
      kind: step.kind,
      provider: step.provider,
      target: step.target,
      status,
      detail,
      at: formatTime(this.clock.now()),
      ...(heldUntil ? { heldUntil } : {}),
    };
    this.steps.push(entry);

    const fields: Record<string, string> = {
      domain: this.domain,
      provider: step.provider,
      target: step.target,
      status,
    };
    if (heldUntil) fields.until = heldUntil;
    fields.detail = detail;
    this.log(logLine(step.kind, fields));
  }

  /**
   * Records a failed step for a domain the planner could not plan, such as after a
   * temporary DNS failure, so the result does not report it as unchanged.
   */
  recordPlanError(): void {
    if (this.plan.status !== "error") return;

    const errors = this.plan.findings.filter((item) => item.severity === "error");
    const causes = errors.map((item) => item.message).join("; ") || "no finding recorded";
    this.record(
      { kind: "plan-domain", provider: "planner", target: this.domain },
      "failed",
      `the domain was not planned, so nothing was applied: ${causes}; run apply again once this is resolved`,
    );
  }

  /** Records a held step for every change the plan marked as not safe yet. */
  recordHeld(): void {
    for (const change of this.changes) {
      if (!change.heldReason) continue;
      this.record(change, "held", change.heldReason, change.heldUntil);
    }
  }

  outcome(): DomainOutcome {
    const statuses = new Set(this.steps.map((step) => step.status));
    if (this.changes.length === 0 && statuses.size === 0) return "unchanged";

    if (statuses.has("failed")) return "failed";
    if (statuses.has("pending")) return "pending";
    if (statuses.has("held")) return "held";
    return "applied";
  }

  result(): DomainResult {
    const result: DomainResult = {
      domain: this.domain,
      outcome: this.outcome(),
      steps: this.steps,
    };
    const failed = this.steps.find((step) => step.status === "failed");
    if (failed) {
      const error: ApplyFailure = {
        kind: failed.kind,
        provider: failed.provider,
        message: failed.detail,
      };
      result.error = error;
    }
    return result;
  }
}
