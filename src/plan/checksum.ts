import { createHash } from "node:crypto";
import type { Change, DomainPlan } from "./types.js";

/**
 * New ids encode the time the plan was computed, so a plan recomputed at apply time
 * differs from the reviewed one in its ids alone. The checksum masks them: it binds
 * apply to the same changes over the same live values, not to the same second.
 */
function maskNewId(change: Change): string | null {
  if (change.kind !== "set-sts-record" || change.after === null) return change.after;
  return change.after.replace(/id=[A-Za-z0-9]+/, "id=<new>");
}

/** SHA-256 (hex) over the canonical JSON of every change, in domain order. */
export function planChecksum(domains: DomainPlan[]): string {
  const canonical = [...domains]
    .sort((a, b) => a.domain.localeCompare(b.domain))
    .flatMap((plan) =>
      plan.changes.map((change) => [
        change.domain,
        change.kind,
        change.provider,
        change.target,
        change.before,
        maskNewId(change),
        change.heldReason ?? null,
      ]),
    );
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}
