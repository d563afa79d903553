/**
 * The Action's outputs, as strings (GitHub stores every output as a string).
 * The command's own outputs win; the ones derived here fill what it left out.
 */

import type { CommandOutcome } from "../commands/types.js";

/**
 * Largest `plan-json` output written. GitHub allows 1 MB of outputs per job, measured
 * as UTF-16, so a larger plan goes only to the file named by `plan-file`.
 */
export const PLAN_JSON_OUTPUT_MAX_CHARACTERS = 400_000;

export interface DerivedOutputs {
  outputs: Record<string, string>;
  /** Set when the plan was too large for the `plan-json` output. */
  planJsonOmitted: boolean;
}

/** Computes every output from the outcome; `planFile` is where the caller wrote the plan JSON. */
export function deriveOutputs(outcome: CommandOutcome, planFile?: string): DerivedOutputs {
  const outputs: Record<string, string> = {
    "exit-code": String(outcome.exitCode),
    "config-errors": String(outcome.configErrors.length),
  };
  let planJsonOmitted = false;

  if (outcome.plan) {
    const changes = outcome.plan.domains.reduce(
      (total, domain) => total + domain.changes.length,
      0,
    );
    outputs.changes = String(changes);
    outputs["plan-checksum"] = outcome.plan.checksum;

    const json = JSON.stringify(outcome.plan);
    if (json.length <= PLAN_JSON_OUTPUT_MAX_CHARACTERS) {
      outputs["plan-json"] = json;
    } else {
      planJsonOmitted = true;
    }
    if (planFile) {
      outputs["plan-file"] = planFile;
    }
  }

  for (const [name, value] of Object.entries(outcome.outputs)) {
    if (name === "plan-json" && value.length > PLAN_JSON_OUTPUT_MAX_CHARACTERS) {
      planJsonOmitted = true;
      continue;
    }
    outputs[name] = value;
  }

  return { outputs, planJsonOmitted };
}
