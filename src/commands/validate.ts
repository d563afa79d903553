import { configErrorText, loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/** `validate`: loads and checks every configuration file, and stops there. */
export async function runValidateCommand(options: CommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const warnings = loaded.warnings;
  const summary = `valid: ${loaded.project.domains.length} domains, ${warnings.length} warnings`;
  const text =
    warnings.length > 0 ? `${configErrorText(warnings)}\n\n${summary}\n` : `${summary}\n`;
  return {
    exitCode: 0,
    configErrors: warnings,
    summaryMarkdown: `## Configuration\n\n${summary}\n`,
    text,
    outputs: { domains: String(loaded.project.domains.length) },
  };
}
