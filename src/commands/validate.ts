import { plural } from "../plan/render-text.js";
import { configErrorsJson, configErrorText, loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/** `validate`: loads and checks every configuration file, and stops there. */
export async function runValidateCommand(options: CommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const warnings = loaded.warnings;
  const summary = `valid: ${plural(loaded.project.domains.length, "domain")}, ${plural(warnings.length, "warning")}`;
  let text = warnings.length > 0 ? `${configErrorText(warnings)}\n\n${summary}\n` : `${summary}\n`;
  if (options.format === "json") {
    text = configErrorsJson(true, warnings, loaded.project.domains.length);
  }
  return {
    exitCode: 0,
    configErrors: warnings,
    summaryMarkdown: `## Configuration\n\n${summary}\n`,
    text,
    outputs: { domains: String(loaded.project.domains.length) },
  };
}
