import type { DomainConfig } from "../config/index.js";
import type { ObservedDomain } from "../observe/types.js";
import { uncoveredHosts } from "../sts/mx.js";
import { type Policy, policiesEqual } from "../sts/policy.js";
import {
  describePolicy,
  describePolicyChange,
  policyChanges,
  stsRecordChange,
  tlsRptChange,
} from "./changes.js";
import { finding } from "./findings.js";
import { cacheExpiry, formatTime } from "./horizon.js";
import { type LiveState, readLiveState } from "./live.js";
import { liveFindings } from "./live-findings.js";
import { planRetirement } from "./retire.js";
import type { Change, DomainPlan, DomainStatus, Finding } from "./types.js";

/** Result of the promotion gate for one domain. */
export interface GateResult {
  passed: boolean;
  /** Reasons the gate did not pass; empty when it passed. */
  reasons: string[];
}

export interface PlanDomainOptions {
  now: Date;
  /** Decides whether a testing domain may move to enforce; absent means it never may. */
  promotionGate?: (domain: DomainConfig, live: LiveState) => GateResult;
}

function hold(changes: Change[], reason: string, until?: string): Change[] {
  return changes.map((change) => ({
    ...change,
    heldReason: reason,
    ...(until ? { heldUntil: until } : {}),
  }));
}

function statusOf(changes: Change[], failed: boolean): DomainStatus {
  if (failed) return "error";
  if (changes.length === 0) return "in-sync";
  if (changes.some((change) => change.heldReason)) return "held";
  return "changes";
}

/** Tells whether the live `_mta-sts` record is one valid record without warnings. */
function recordIsSound(live: LiveState): boolean {
  const selection = live.sts.selection;
  return selection?.kind === "one" && selection.parsed.ok && selection.parsed.warnings.length === 0;
}

/**
 * Checks the safety rules of a policy change and returns the reason to hold it, or
 * null when it may run. Findings explaining the decision are appended to `findings`.
 */
function checkPolicySafety(
  desired: DomainConfig,
  live: LiveState,
  after: Policy,
  options: PlanDomainOptions,
  findings: Finding[],
): string | null {
  const domain = desired.domain;
  const before = live.policy.value;
  const hosts = live.mxHosts ?? [];

  if (before?.mode === "enforce" && after.mode !== "enforce") {
    findings.push(
      finding(
        "mode-relaxed",
        domain,
        `mode enforce -> ${after.mode}; senders keep the cached enforce policy until they see the new id or it expires (${formatTime(cacheExpiry(live, options.now))} at the latest)`,
      ),
    );
  }

  if (after.mode === "enforce") {
    const uncovered = uncoveredHosts(after.mx, hosts);
    if (uncovered.length > 0) {
      const coveredBefore =
        before?.mode === "enforce"
          ? uncovered.filter((host) => !uncoveredHosts(before.mx, [host]).length)
          : [];
      if (coveredBefore.length > 0) {
        findings.push(
          finding(
            "mx-removal-unsafe",
            domain,
            `declared mx drops the pattern for live MX ${coveredBefore.join(", ")} under enforce`,
          ),
        );
        return "a live MX host would lose its mx pattern under enforce";
      }
      findings.push(
        finding(
          "declared-mx-not-covered",
          domain,
          `declared mx (${after.mx.join(", ")}) does not cover live MX ${uncovered.join(", ")} in mode enforce`,
        ),
      );
      return "the declared enforce policy does not cover every live MX host";
    }

    if (before?.mode === "enforce") {
      const newlyCovered = uncoveredHosts(before.mx, hosts);
      if (newlyCovered.length > 0) {
        findings.push(
          finding(
            "mx-added-under-enforce",
            domain,
            `MX ${newlyCovered.join(", ")} is only covered by the declared policy; senders holding the served enforce policy refuse it until ${formatTime(cacheExpiry(live, options.now))}`,
          ),
        );
      }
    }
  }

  // A known weaker mode, or nothing published at all, makes this a promotion. A record
  // whose policy cannot be read now is a repair of an existing deployment instead:
  // holding it would keep the broken state, and its earlier mode is unknown.
  const recordPublished = live.sts.selection !== null && live.sts.selection.kind !== "none";
  const promoting =
    after.mode === "enforce" && (before !== null ? before.mode !== "enforce" : !recordPublished);
  if (!promoting) return null;

  const gate = options.promotionGate?.(desired, live) ?? {
    passed: false,
    reasons: ["no promotion evidence was evaluated"],
  };
  if (gate.passed) return null;

  if (desired.enforceOverride) {
    findings.push(
      finding(
        "promotion-override",
        domain,
        `enforce through override: "${desired.enforceOverride.reason}" (approved by ${desired.enforceOverride.approvedBy})`,
      ),
    );
    return null;
  }

  findings.push(
    finding(
      "promotion-not-approved",
      domain,
      `mode ${before?.mode ?? "(no policy)"} -> enforce without a passed promotion gate: ${gate.reasons.join("; ")}`,
    ),
  );
  return "moving to enforce needs the promotion gate or promotion.enforce_override";
}

function planPresent(
  desired: DomainConfig,
  live: LiveState,
  options: PlanDomainOptions,
  findings: Finding[],
): Change[] {
  const domain = desired.domain;
  const after: Policy = {
    mode: desired.mtaSts.mode,
    mx: desired.mtaSts.mx,
    maxAge: desired.mtaSts.maxAge,
  };
  const before = live.policy.value;
  const changes: Change[] = [];

  if (after.mode === "enforce" && after.maxAge < 604_800) {
    findings.push(
      finding(
        "max-age-short",
        domain,
        `max_age ${after.maxAge} in mode enforce is under one week (604800)`,
      ),
    );
  }

  const policyMatches = before !== null && policiesEqual(before, after);
  const bodyEditedUnderId = findings.some((item) => item.code === "policy-id-unchanged");

  if (!policyMatches) {
    if (before !== null) {
      findings.push(
        finding(
          "policy-drift",
          domain,
          `served ${describePolicy(before)}; declared ${describePolicy(after)}`,
        ),
      );
    }
    const held = checkPolicySafety(desired, live, after, options, findings);
    const proposed = policyChanges(
      desired,
      live,
      after,
      options.now,
      describePolicyChange(before, after),
    );
    changes.push(...(held ? hold(proposed, held) : proposed));
  } else if (!recordIsSound(live) || bodyEditedUnderId) {
    if (live.sts.selection?.kind === "none") {
      findings.push(finding("sts-record-missing", domain, `_mta-sts.${domain} has no STS record`));
    }
    changes.push(stsRecordChange(desired, live, options.now));
  }

  const recordChange = changes.find((change) => change.kind === "set-sts-record");
  if (recordChange && live.sts.cnameChain.length > 0) {
    findings.push(
      finding(
        "sts-record-cname-blocks-change",
        domain,
        `_mta-sts.${domain} is a CNAME to ${live.sts.cnameChain.join(" -> ")}; the new id cannot be published here`,
      ),
    );
    return [
      ...hold(changes, "_mta-sts is delegated by CNAME"),
      ...optional(tlsRptChange(desired, live)),
    ];
  }

  const tls = tlsRptChange(desired, live);
  if (tls && tls.kind === "set-tlsrpt-record" && live.tlsRpt.selection?.kind === "none") {
    findings.push(
      finding("tlsrpt-record-missing", domain, `_smtp._tls.${domain} has no TLS-RPT record`),
    );
  }
  if (tls && live.tlsRpt.cnameChain.length > 0) {
    return [...changes, ...hold([tls], "_smtp._tls is delegated by CNAME")];
  }
  return [...changes, ...optional(tls)];
}

function optional<T>(value: T | null): T[] {
  return value === null ? [] : [value];
}

/** Plans one domain: findings about what is served, and the changes toward the declaration. */
export function planDomain(
  desired: DomainConfig,
  observed: ObservedDomain,
  options: PlanDomainOptions,
): DomainPlan {
  const live = readLiveState(observed);
  const findings = liveFindings(live);

  // The state of a record is unknown after a temporary failure, and planning on a
  // guess could remove a policy senders still rely on, so the domain waits for a rerun.
  const blockingFailure = live.temporaryFailures.some(
    (failure) => failure.type !== "TXT" || failure.name.startsWith("_mta-sts."),
  );
  if (blockingFailure) {
    return { domain: desired.domain, file: desired.file, status: "error", changes: [], findings };
  }

  const changes =
    desired.state === "absent"
      ? planRetirement(desired, live, options.now, findings)
      : planPresent(desired, live, options, findings);

  return {
    domain: desired.domain,
    file: desired.file,
    status: statusOf(changes, false),
    changes,
    findings: dedupe(findings),
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((item) => {
    const key = `${item.code}\u0000${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
