import type { DomainConfig } from "../config/index.js";
import { newPolicyId } from "../sts/id.js";
import type { Policy } from "../sts/policy.js";
import { renderPolicy } from "../sts/policy.js";
import { renderStsRecord, renderTlsRptRecord } from "../sts/txt.js";
import type { LiveState } from "./live.js";
import { liveStsIds } from "./live.js";
import type { Change, Risk } from "./types.js";

/** Joins the live record texts for a change's `before`, or null when there are none. */
export function recordsBefore(texts: string[] | null): string | null {
  if (texts === null || texts.length === 0) return null;
  return texts.join("\n");
}

export function describePolicy(policy: Policy): string {
  const mx = policy.mx.length > 0 ? `, mx ${policy.mx.join(" ")}` : "";
  return `mode ${policy.mode}${mx}, max_age ${policy.maxAge}`;
}

/** Describes how the declared policy differs from the served one, field by field. */
export function describePolicyChange(before: Policy | null, after: Policy): string {
  if (before === null) return `publish policy (${describePolicy(after)})`;

  const parts: string[] = [];
  if (before.mode !== after.mode) parts.push(`mode ${before.mode} -> ${after.mode}`);

  const beforeMx = new Set(before.mx.map((pattern) => pattern.toLowerCase()));
  const afterMx = new Set(after.mx.map((pattern) => pattern.toLowerCase()));
  const added = [...afterMx].filter((pattern) => !beforeMx.has(pattern));
  const removed = [...beforeMx].filter((pattern) => !afterMx.has(pattern));
  if (added.length > 0) parts.push(`mx + ${added.join(" ")}`);
  if (removed.length > 0) parts.push(`mx - ${removed.join(" ")}`);

  if (before.maxAge !== after.maxAge) parts.push(`max_age ${before.maxAge} -> ${after.maxAge}`);
  if (parts.length === 0) parts.push("republish the canonical rendering");
  return parts.join(", ");
}

/**
 * Risk of publishing `after` over `before`: anything that enforces, or changes what an
 * enforced policy allows, can stop mail; testing and none only change reports.
 */
export function policyRisk(before: Policy | null, after: Policy): Risk {
  if (after.mode === "enforce") return "high";
  if (before?.mode === "enforce") return "medium";
  return "low";
}

/** Builds the policy body change and the `_mta-sts` record change with a new id that follows it. */
export function policyChanges(
  desired: DomainConfig,
  live: LiveState,
  after: Policy,
  now: Date,
  description: string,
): Change[] {
  const domain = desired.domain;
  const fetch = live.policy.fetch;
  const risk = policyRisk(live.policy.value, after);
  const id = newPolicyId(now, liveStsIds(live));

  return [
    {
      kind: "publish-policy",
      domain,
      description,
      risk,
      provider: desired.policyHost,
      target: fetch.url,
      before: fetch.ok ? fetch.body : null,
      after: renderPolicy(after),
    },
    {
      kind: "set-sts-record",
      domain,
      description: `new id ${id}`,
      risk,
      provider: desired.dns,
      target: `_mta-sts.${domain}`,
      before: recordsBefore(live.sts.texts),
      after: renderStsRecord(id),
    },
  ];
}

/** Only the `_mta-sts` record, for a served policy that is right under a broken record. */
export function stsRecordChange(desired: DomainConfig, live: LiveState, now: Date): Change {
  const id = newPolicyId(now, liveStsIds(live));
  const domain = desired.domain;
  return {
    kind: "set-sts-record",
    domain,
    description: `publish a single valid record, new id ${id}`,
    risk: live.policy.value?.mode === "enforce" ? "medium" : "low",
    provider: desired.dns,
    target: `_mta-sts.${domain}`,
    before: recordsBefore(live.sts.texts),
    after: renderStsRecord(id),
  };
}

function sameDestinations(live: string[], declared: string[]): boolean {
  if (live.length !== declared.length) return false;
  const set = new Set(live);
  return declared.every((uri) => set.has(uri));
}

/** Builds the `_smtp._tls` change that makes the live record match the declaration, or null. */
export function tlsRptChange(desired: DomainConfig, live: LiveState): Change | null {
  const domain = desired.domain;
  const target = `_smtp._tls.${domain}`;
  const texts = live.tlsRpt.texts;
  if (texts === null) return null;

  const selection = live.tlsRpt.selection;
  const published = selection !== null && selection.kind !== "none";

  if (desired.tlsRpt === null) {
    if (!published) return null;
    return {
      kind: "delete-tlsrpt-record",
      domain,
      description: "delete the TLS-RPT record (no rua declared)",
      risk: "low",
      provider: desired.dns,
      target,
      before: recordsBefore(texts),
      after: null,
    };
  }

  const declared = desired.tlsRpt.rua;
  if (live.tlsRpt.rua !== null && sameDestinations(live.tlsRpt.rua, declared)) return null;

  return {
    kind: "set-tlsrpt-record",
    domain,
    description:
      live.tlsRpt.rua === null
        ? `publish TLS-RPT rua ${declared.join(", ")}`
        : `rua ${live.tlsRpt.rua.join(", ")} -> ${declared.join(", ")}`,
    risk: "low",
    provider: desired.dns,
    target,
    before: recordsBefore(texts),
    after: renderTlsRptRecord(declared),
  };
}
