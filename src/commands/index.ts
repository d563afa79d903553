/** The commands shared by the CLI and the Action; both call `runCommand`. */

import { runApply } from "./apply.js";
import { runAudit } from "./audit.js";
import { runIngestCommand } from "./ingest.js";
import { runPlan } from "./plan.js";
import { runPromote } from "./promote.js";
import type { CommandName, CommandOptions, CommandOutcome } from "./types.js";
import { runValidateCommand } from "./validate.js";

export * from "./types.js";

const commands: Record<CommandName, (options: CommandOptions) => Promise<CommandOutcome>> = {
  validate: runValidateCommand,
  plan: runPlan,
  apply: runApply,
  audit: runAudit,
  ingest: runIngestCommand,
  promote: runPromote,
};

/** Runs one command with explicit options; the entry points print and output the outcome. */
export function runCommand(name: CommandName, options: CommandOptions): Promise<CommandOutcome> {
  return commands[name](options);
}
