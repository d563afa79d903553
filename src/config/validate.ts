/** The `validate` command: load the project, print every problem, return the exit code. */

import { compareConfigErrors, formatConfigError } from "./errors.js";
import { loadProject } from "./load.js";

export interface ValidateOptions {
  root: string;
  configPath?: string;
  domainsDir?: string;
  /** Receives each output line, without a trailing newline. */
  out: (line: string) => void;
}

/**
 * Prints every error and warning as "file:line:column: severity: message", then one
 * summary line with the counts. Returns 0 when there is no error (warnings allowed)
 * and 1 otherwise.
 */
export async function runValidate(options: ValidateOptions): Promise<number> {
  const result = await loadProject(options.root, {
    configPath: options.configPath,
    domainsDir: options.domainsDir,
  });

  const problems = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  problems.sort(compareConfigErrors);
  for (const problem of problems) {
    options.out(formatConfigError(problem));
  }

  const warnings = count(result.warnings.length, "warning");
  if (!result.ok) {
    const files = new Set(result.errors.map((error) => error.file)).size;
    options.out(
      `validate: failed with ${count(result.errors.length, "error")} in ${count(files, "file")}, ${warnings}`,
    );
    return 1;
  }

  const { domains } = result.project;
  const absent = domains.filter((domain) => domain.state === "absent").length;
  const retiring = absent === 0 ? "" : ` (${absent} absent)`;
  options.out(`validate: ok, ${count(domains.length, "domain")}${retiring}, 0 errors, ${warnings}`);
  return 0;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}
