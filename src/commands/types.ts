import type { ConfigError, ObserveSettings } from "../config/index.js";
import type { Plan } from "../plan/types.js";

/** The commands shared by the CLI and the Action. */
export type CommandName = "validate" | "plan" | "apply" | "audit" | "ingest" | "promote";

export const COMMAND_NAMES: readonly CommandName[] = [
  "validate",
  "plan",
  "apply",
  "audit",
  "ingest",
  "promote",
];

/** A slice of the fleet for one runner: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Secrets read from the environment or Action inputs by the entry points only. */
export interface Secrets {
  cloudflareApiToken?: string;
  powerdnsApiKey?: string;
  githubToken?: string;
  /** Other provider secrets by environment variable name, as the configuration refers to them. */
  byEnvName?: Record<string, string>;
}

/**
 * Everything a command needs, passed explicitly: commands never read the environment,
 * so the CLI, the Action and the tests call the same functions.
 */
export interface CommandOptions {
  root: string;
  configPath?: string;
  /** Domain names (or shell-style globs) to restrict the run to. */
  domains?: string[];
  shard?: Shard;
  force: boolean;
  planChecksum?: string;
  /** Severity of findings at which the command exits 1. */
  failOn: "error" | "warning";
  secrets: Secrets;
  /** Current time; tests pass a fixed clock. */
  now: () => Date;
  /** Line-oriented log on stderr (or the Action log). */
  log: (line: string) => void;
  /** Output format of `text`: terminal text (the default), Markdown or JSON. */
  format?: OutputFormat;
  /** Colours in terminal text; the CLI sets it only when stdout is a terminal. */
  color?: boolean;
  /** Observation settings that replace the configured ones (command-line flags, the sandbox). */
  observe?: ObserveOverrides;
  /** Stream for a progress indicator; the CLI passes stderr with its terminal flag. */
  progress?: { stream: NodeJS.WritableStream; isTTY: boolean };
  /** Base URL of the Cloudflare API, for tests and the offline demo. */
  cloudflareApiUrl?: string;
}

export type OutputFormat = "text" | "markdown" | "json";

export interface ObserveOverrides extends Partial<ObserveSettings> {
  /** Extra trusted CA certificates as PEM text (the sandbox passes its run's CA directly). */
  trustedCaPem?: string[];
  /** Port of name servers found through NS records; only the sandbox changes it. */
  authoritativePort?: number;
}

/** Result of a command, for the entry points to print, annotate and output. */
export interface CommandOutcome {
  /** 0 in sync or success, 2 changes pending (plan), 1 errors. */
  exitCode: number;
  configErrors: ConfigError[];
  plan?: Plan;
  /** The full result as Markdown for the job summary. */
  summaryMarkdown: string;
  /** The result as terminal text. */
  text: string;
  /** Action outputs, all strings (changes, plan-json, plan-checksum, pull-request-number, ...). */
  outputs: Record<string, string>;
  /** Set by `promote`: the edited domain files and the pull request body. */
  promotion?: PromotionOutcome;
}

export interface PromotionOutcome {
  /** Domain files edited to mode enforce, relative to the root, with their new content. */
  files: { path: string; content: string }[];
  /** The evidence table for the pull request body. */
  markdown: string;
  domains: string[];
}
