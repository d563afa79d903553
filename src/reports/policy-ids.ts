/**
 * Names the live policy a report saw: an sts policy-string whose meaning (mode, max_age
 * and mx set) equals a known live policy body gets that policy's id.
 */

import { type Policy, parsePolicy, policiesEqual } from "../sts/policy.js";
import type { PolicyIdLookup } from "./summary/month.js";

/** Live policies by domain: the id from the _mta-sts TXT record and the served body. */
export type KnownPolicies = Map<string, { id: string; body: string }[]>;

/**
 * Builds a lookup over `known`. Bodies that do not parse are skipped. When several match,
 * the first listed wins, so callers list the current policy first.
 */
export function createPolicyIdLookup(known: KnownPolicies): PolicyIdLookup {
  const parsed = new Map<string, { id: string; policy: Policy }[]>();
  for (const [domain, entries] of known) {
    const policies: { id: string; policy: Policy }[] = [];
    for (const entry of entries) {
      const policy = parsePolicy(entry.body).policy;
      if (policy !== null) {
        policies.push({ id: entry.id, policy });
      }
    }
    parsed.set(domain.toLowerCase(), policies);
  }

  return (domain, result) => {
    const seen = result.parsedPolicy;
    if (seen === null) {
      return null;
    }
    const match = parsed.get(domain)?.find((entry) => policiesEqual(entry.policy, seen));
    return match?.id ?? null;
  };
}
