import type { DomainConfig } from "../config/index.js";
import { parsePolicyIdTime } from "../sts/id.js";
import { MAX_AGE_MAX, type Policy } from "../sts/policy.js";
import { policyChanges, recordsBefore, tlsRptChange } from "./changes.js";
import { finding } from "./findings.js";
import { formatTime } from "./horizon.js";
import type { LiveState } from "./live.js";
import type { Change, Finding } from "./types.js";

/**
 * Returns the mode none policy published to retire a domain. RFC 8461 section 8.3: publish
 * mode none with a new id, wait until every earlier policy has expired from sender
 * caches, then delete. Its max_age is the largest one served or declared, so the live
 * none policy itself records how long the wait is, and no state outside DNS and the
 * policy host is needed to compute the horizon on a later run.
 */
function retirementPolicy(desired: DomainConfig, live: LiveState): Policy {
  const served = live.policy.value?.maxAge ?? 0;
  const maxAge = Math.min(MAX_AGE_MAX, Math.max(served, desired.mtaSts.maxAge, 86_400));
  return { mode: "none", mx: [], maxAge };
}

function deletions(desired: DomainConfig, live: LiveState): Change[] {
  const domain = desired.domain;
  const fetch = live.policy.fetch;
  const changes: Change[] = [];

  if (live.sts.selection !== null && live.sts.selection.kind !== "none") {
    changes.push({
      kind: "delete-sts-record",
      domain,
      description: "delete the _mta-sts record; every earlier policy has expired",
      risk: "low",
      provider: desired.dns,
      target: `_mta-sts.${domain}`,
      before: recordsBefore(live.sts.texts),
      after: null,
    });
  }

  if (fetch.ok) {
    changes.push({
      kind: "withdraw-policy",
      domain,
      description: "stop serving the mode none policy",
      risk: "low",
      provider: desired.policyHost,
      target: fetch.url,
      before: fetch.body,
      after: null,
    });
  }
  return changes;
}

function withoutCode(findings: Finding[], code: string): void {
  for (let index = findings.length - 1; index >= 0; index -= 1) {
    if (findings[index]!.code === code) findings.splice(index, 1);
  }
}

/** Plans the retirement of a domain with `state: absent`, one safe step per run. */
export function planRetirement(
  desired: DomainConfig,
  live: LiveState,
  now: Date,
  findings: Finding[],
): Change[] {
  const domain = desired.domain;
  const tls = tlsRptChange(desired, live);
  const tail = tls ? [tls] : [];
  const served = live.policy.value;
  const recordPublished = live.sts.selection !== null && live.sts.selection.kind !== "none";

  // Fully retired: an unreachable policy host is the expected end state, not a fault.
  if (!recordPublished && !live.policy.fetch.ok) {
    withoutCode(findings, "policy-fetch-failed");
    return tail;
  }

  const noneServed = served?.mode === "none";
  if (!noneServed || (recordPublished && live.sts.id === null)) {
    const none = retirementPolicy(desired, live);
    findings.push(
      finding(
        "retirement-started",
        domain,
        `retiring: mode none (max_age ${none.maxAge}) replaces the served ${served ? `mode ${served.mode}` : "policy"}; the record and policy are deleted once earlier policies have expired`,
      ),
    );
    return [
      ...policyChanges(
        desired,
        live,
        none,
        now,
        `retire: publish mode none (max_age ${none.maxAge}) with a new id`,
      ),
      ...tail,
    ];
  }

  if (!recordPublished) {
    // Mode none is served without a record: senders can only hold mode none or
    // policies older than the record's deletion, so withdrawing is safe.
    return [...deletions(desired, live), ...tail];
  }

  const published = parsePolicyIdTime(live.sts.id!);
  if (published === null) {
    findings.push(
      finding(
        "retirement-horizon-unknown",
        domain,
        `id ${live.sts.id} of the mode none policy does not encode its publication time`,
      ),
    );
    const none = retirementPolicy(desired, live);
    return [
      ...policyChanges(desired, live, none, now, `retire: republish mode none with a datable id`),
      ...tail,
    ];
  }

  const waitSeconds = Math.max(served.maxAge, desired.mtaSts.maxAge);
  const horizon = new Date(published.getTime() + waitSeconds * 1000);
  if (now.getTime() < horizon.getTime()) {
    const until = formatTime(horizon);
    findings.push(
      finding(
        "retirement-waiting",
        domain,
        `mode none published at ${formatTime(published)}; earlier policies may be cached until ${until}`,
      ),
    );
    const held = deletions(desired, live).map((change) => ({
      ...change,
      heldUntil: until,
      heldReason: "inside the cache horizon of earlier policies",
    }));
    return [...held, ...tail];
  }

  return [...deletions(desired, live), ...tail];
}
