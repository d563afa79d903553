import { planCounts } from "./plan-fleet.js";
import type { Plan } from "./types.js";

/** Renders the plan as JSON for machines: stable key order, counts first. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(
    {
      generatedAt: plan.generatedAt,
      checksum: plan.checksum,
      counts: planCounts(plan),
      domains: plan.domains,
    },
    null,
    2,
  )}\n`;
}
