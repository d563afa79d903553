import type { ConfigError, DomainConfig, Project } from "../config/index.js";
import { formatConfigError, loadProject } from "../config/index.js";
import { plural } from "../plan/render-text.js";
import { selectShard } from "../plan/shard.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

export type LoadedProject =
  | { ok: true; project: Project; domains: DomainConfig[]; warnings: ConfigError[] }
  | { ok: false; outcome: CommandOutcome };

/** Turns a domain filter entry into a matcher; `*` matches any run of characters. */
function domainMatcher(pattern: string): (domain: string) => boolean {
  const lowered = pattern.trim().toLowerCase().replace(/\.$/, "");
  if (!lowered.includes("*")) return (domain) => domain === lowered;

  const escaped = lowered.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  const regex = new RegExp(`^${escaped.join(".*")}$`);
  return (domain) => regex.test(domain);
}

/** Renders the result of loading the configuration as JSON, for `--format json`. */
export function configErrorsJson(
  valid: boolean,
  problems: ConfigError[],
  domains: number | null,
): string {
  return `${JSON.stringify({ valid, domains, problems }, null, 2)}\n`;
}

/** Renders configuration errors the same way `validate` prints them. */
export function configErrorText(errors: ConfigError[]): string {
  return errors.map(formatConfigError).join("\n");
}

/**
 * Loads and validates the project, then narrows the fleet to the domain filter and the
 * shard. Any configuration error ends the command here, before anything is observed or
 * written: nothing is applied while any input is invalid.
 */
export async function loadForCommand(options: CommandOptions): Promise<LoadedProject> {
  const loaded = await loadProject(options.root, { configPath: options.configPath });
  if (!loaded.ok) {
    const errors = [...loaded.errors, ...loaded.warnings];
    const count = loaded.errors.length;
    const text =
      options.format === "json"
        ? configErrorsJson(false, errors, null)
        : `${configErrorText(errors)}\n\n${plural(count, "configuration error")}; nothing was observed or changed\n`;
    return {
      ok: false,
      outcome: {
        exitCode: 1,
        configErrors: errors,
        summaryMarkdown: `## Configuration errors\n\n${errors.map((error) => `- \`${error.file}:${error.line}:${error.column}\` ${error.message}`).join("\n")}\n`,
        text,
        outputs: { changes: "0" },
      },
    };
  }

  let domains = loaded.project.domains;
  if (options.domains && options.domains.length > 0) {
    const matchers = options.domains.map(domainMatcher);
    domains = domains.filter((domain) => matchers.some((matches) => matches(domain.domain)));
    if (domains.length === 0) {
      const wanted = options.domains.join(", ");
      throw new Error(
        `no declared domain matches the filter ${wanted}; check the names in domains/`,
      );
    }
  }

  if (options.shard) {
    const selected = new Set(
      selectShard(
        domains.map((domain) => domain.domain),
        options.shard,
      ),
    );
    domains = domains.filter((domain) => selected.has(domain.domain));
  }

  return { ok: true, project: loaded.project, domains, warnings: loaded.warnings };
}
