import type { LiveState } from "./live.js";

/**
 * Latest time a sender may still apply the served policy if it is replaced now.
 * RFC 8461 section 3.2: a sender caches a policy for max_age seconds after its last
 * fetch, and one may have fetched it a moment ago, so the bound is now + max_age.
 */
export function cacheExpiry(live: LiveState, now: Date): Date {
  const maxAge = live.policy.value?.maxAge ?? 0;
  return new Date(now.getTime() + maxAge * 1000);
}

/** Formats a time for messages and `heldUntil`: ISO 8601 UTC without milliseconds. */
export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}
