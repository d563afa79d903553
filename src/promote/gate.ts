import type { DomainConfig, Project, PromotionSettings } from "../config/index.js";
import type { MxProbe } from "../observe/types.js";
import type { LiveState } from "../plan/live.js";
import type { GateResult } from "../plan/plan-domain.js";
import { parsePolicyIdTime } from "../sts/id.js";
import { mxPatternMatches, uncoveredHosts } from "../sts/mx.js";
import type { Policy } from "../sts/policy.js";
import { type DayEvidence, loadDayEvidence, windowDays } from "./evidence.js";

/** One line of the evidence table a promotion pull request shows. */
export interface GateCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface GateEvaluation extends GateResult {
  checks: GateCheck[];
}

const DAY_MS = 86_400_000;

/**
 * sts-policy-fetch-error is a blocker only when it persists: one isolated event is
 * often a transient network fault at the sender.
 */
const PERSISTENT_ONLY = new Set(["sts-policy-fetch-error"]);

function sameMx(a: string[], b: string[]): boolean {
  const left = new Set(a.map((pattern) => pattern.toLowerCase()));
  const right = new Set(b.map((pattern) => pattern.toLowerCase()));
  return left.size === right.size && [...left].every((pattern) => right.has(pattern));
}

/** Tells whether a day's reports saw the served policy, by id when known, else by content. */
function sawPolicy(day: DayEvidence, policy: Policy, id: string | null): boolean {
  for (const seen of day.sts?.policies.values() ?? []) {
    if (id !== null && seen.policyId === id) return true;
    if (seen.mode === policy.mode && seen.maxAge === policy.maxAge && sameMx(seen.mx, policy.mx)) {
      return true;
    }
  }
  return false;
}

/** Tells whether a failure concerns a current MX: a live MX, one matching a pattern, or an unknown one. */
function concernsCurrentMx(host: string | null, live: LiveState, policy: Policy): boolean {
  if (host === null) return true;
  const name = host.toLowerCase().replace(/\.$/, "");
  if (live.mxHosts?.includes(name)) return true;
  return policy.mx.some((pattern) => mxPatternMatches(pattern, name));
}

function blockingFailures(
  days: DayEvidence[],
  settings: PromotionSettings,
  live: LiveState,
  policy: Policy,
): string[] {
  const blocking = new Set(settings.blockingResultTypes);
  const perType = new Map<string, { sessions: number; days: Set<string>; orgs: Set<string> }>();

  for (const day of days) {
    for (const typeDay of [day.sts, day.noPolicyFound]) {
      for (const row of typeDay?.failureDetails.values() ?? []) {
        if (!blocking.has(row.resultType)) continue;
        if (!concernsCurrentMx(row.receivingMxHostname, live, policy)) continue;
        const entry = perType.get(row.resultType) ?? {
          sessions: 0,
          days: new Set(),
          orgs: new Set(),
        };
        entry.sessions += row.failedSessions;
        entry.days.add(day.day);
        entry.orgs.add(row.organization);
        perType.set(row.resultType, entry);
      }
    }
  }

  const reasons: string[] = [];
  for (const [type, entry] of [...perType].sort(([a], [b]) => a.localeCompare(b))) {
    const persistent = entry.days.size > 1 || entry.orgs.size > 1;
    if (PERSISTENT_ONLY.has(type) && !persistent) continue;
    reasons.push(`${type}: ${entry.sessions} failed sessions on ${entry.days.size} days`);
  }
  return reasons;
}

/**
 * Evaluates the clean-week gate for moving a domain from testing to enforce. It checks
 * that the served testing policy is unchanged for long enough, and that every day of the
 * window has reports from enough organisations with enough sessions. It also checks for
 * no blocking failure toward a current MX, a sound live state now, and, when probes are
 * given, MX certificates with enough days left.
 */
export function evaluateGate(
  domain: DomainConfig,
  live: LiveState,
  days: DayEvidence[],
  now: Date,
  probes?: Map<string, MxProbe>,
): GateEvaluation {
  const settings = domain.promotion;
  const checks: GateCheck[] = [];
  const policy = live.policy.value;

  if (policy === null || policy.mode !== "testing" || live.sts.id === null) {
    checks.push({
      name: "served policy",
      passed: false,
      detail: "no valid testing policy under a valid _mta-sts record is served",
    });
    return { passed: false, reasons: checks.map((check) => check.detail), checks };
  }

  const published = parsePolicyIdTime(live.sts.id);
  const inTestingDays =
    published === null ? null : Math.floor((now.getTime() - published.getTime()) / DAY_MS);
  const seenDays = days.filter((day) => sawPolicy(day, policy, live.sts.id));
  checks.push({
    name: "unchanged testing policy",
    passed:
      inTestingDays === null
        ? seenDays.length >= settings.minDaysInTesting
        : inTestingDays >= settings.minDaysInTesting,
    detail:
      inTestingDays === null
        ? `id ${live.sts.id} is not dated; reports saw the policy on ${seenDays.length} of ${days.length} days (need ${settings.minDaysInTesting})`
        : `id ${live.sts.id} published ${inTestingDays} days ago (need ${settings.minDaysInTesting})`,
  });

  const missing = days.filter((day) => !sawPolicy(day, policy, live.sts.id)).map((day) => day.day);
  checks.push({
    name: "daily reports",
    passed: missing.length === 0,
    detail:
      missing.length === 0
        ? `reports on all ${days.length} days`
        : `no reports for the current policy on ${missing.join(", ")}`,
  });

  const organizations = new Set<string>();
  let sessions = 0;
  for (const day of days) {
    for (const name of day.sts?.organizations.keys() ?? []) organizations.add(name);
    sessions += (day.sts?.successfulSessions ?? 0) + (day.sts?.failedSessions ?? 0);
  }
  checks.push({
    name: "reporting organisations",
    passed: organizations.size >= settings.minReportingOrganizations,
    detail: `${organizations.size} (${[...organizations].sort().join(", ") || "none"}); need ${settings.minReportingOrganizations}`,
  });
  checks.push({
    name: "sessions",
    passed: sessions >= settings.minSessions,
    detail: `${sessions} sessions; need ${settings.minSessions}`,
  });

  const blockers = blockingFailures(days, settings, live, policy);
  checks.push({
    name: "blocking failures",
    passed: blockers.length === 0,
    detail: blockers.length === 0 ? "none" : blockers.join("; "),
  });

  const uncovered = uncoveredHosts(domain.mtaSts.mx, live.mxHosts ?? []);
  checks.push({
    name: "live state",
    passed: uncovered.length === 0 && live.policy.fetch.ok,
    detail:
      uncovered.length === 0
        ? "policy served, every MX covered"
        : `MX not covered: ${uncovered.join(", ")}`,
  });

  if (probes) {
    const weak = [...probes.values()].filter(
      (probe) => probe.result !== "ok" || (probe.daysToExpiry ?? 0) < settings.minCertificateDays,
    );
    checks.push({
      name: "MX certificates",
      passed: weak.length === 0,
      detail:
        weak.length === 0
          ? `every MX has ${settings.minCertificateDays} or more days left`
          : weak
              .map(
                (probe) =>
                  `${probe.host}: ${probe.result === "ok" ? `${probe.daysToExpiry} days left` : probe.result}`,
              )
              .join("; "),
    });
  }

  const failed = checks.filter((check) => !check.passed);
  return {
    passed: failed.length === 0,
    reasons: failed.map((check) => `${check.name}: ${check.detail}`),
    checks,
  };
}

/** Loads the evidence the gate needs for every declared domain before the plan runs. */
export async function loadGateEvidence(
  project: Project,
  domains: DomainConfig[],
  now: Date,
): Promise<Map<string, DayEvidence[]>> {
  const evidence = new Map<string, DayEvidence[]>();
  for (const domain of domains) {
    if (domain.state !== "present" || domain.mtaSts.mode !== "enforce") continue;
    const days = windowDays(now, domain.promotion.windowDays);
    evidence.set(
      domain.domain,
      await loadDayEvidence(project.config.reports.summariesDir, domain.domain, days),
    );
  }
  return evidence;
}

/** Returns the gate the planner calls when a declared enforce meets a served testing policy. */
export function createPromotionGate(
  evidence: Map<string, DayEvidence[]>,
  now: Date,
): (domain: DomainConfig, live: LiveState) => GateResult {
  return (domain, live) => evaluateGate(domain, live, evidence.get(domain.domain) ?? [], now);
}
