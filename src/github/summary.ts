/**
 * The job summary: the command's full Markdown result plus every configuration error,
 * including those beyond the annotation limit.
 */

import type { ConfigError } from "../config/index.js";
import { annotationPath } from "./annotations.js";
import { truncateMarkdown, utf8Bytes } from "./truncate.js";

/**
 * GitHub rejects a step summary larger than 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted,
 * supports content up to a size of 1024k") and then shows none of it.
 */
export const SUMMARY_MAX_BYTES = 1024 * 1024;

export interface JobSummaryInput {
  /**
   * Heading such as "mta-sts-gitops plan (shard 2/4)", shown when the body starts with
   * no heading of its own or when the run is one shard of several.
   */
  title: string;
  sharded: boolean;
  /** The command's own Markdown (outcome.summaryMarkdown). */
  body: string;
  configErrors: ConfigError[];
  /** Repository root, to print paths relative to it. */
  root: string;
  /** Errors that got no annotation because of GitHub's per-step limit. */
  omittedAnnotations: number;
}

/** Renders the job summary, cut to GitHub's 1 MiB limit with a note when it is longer. */
export function renderJobSummary(input: JobSummaryInput): string {
  const parts: string[] = [];
  if (input.sharded || !/^#{1,6} /.test(input.body.trimStart())) {
    parts.push(`## ${input.title}\n`);
  }

  if (input.configErrors.length > 0) {
    parts.push(renderConfigErrors(input.configErrors, input.root, input.omittedAnnotations));
  }
  if (input.body.trim().length > 0) {
    parts.push(input.body.endsWith("\n") ? input.body : `${input.body}\n`);
  }

  const note =
    "\n> [!WARNING]\n> This summary was cut at GitHub's 1 MiB limit for a step summary. " +
    "Use the `plan-json` output or the CLI for the rest.\n";
  return truncateMarkdown(parts.join("\n"), SUMMARY_MAX_BYTES, note, utf8Bytes);
}

/** Renders all configuration errors as a table, in the order the loader reported them. */
export function renderConfigErrors(errors: ConfigError[], root: string, omitted: number): string {
  const lines = [
    `### Configuration errors (${errors.length})`,
    "",
    "| Location | Severity | Message |",
    "| --- | --- | --- |",
  ];
  for (const problem of errors) {
    const file = annotationPath(problem.file, root);
    // Line 0 marks a problem with the whole file, such as a missing file.
    const location = problem.line > 0 ? `${file}:${problem.line}:${problem.column}` : file;
    lines.push(`| \`${location}\` | ${problem.severity} | ${escapeTableCell(problem.message)} |`);
  }
  if (omitted > 0) {
    lines.push(
      "",
      `GitHub shows 10 annotations of each severity per step, so ${omitted} of these appear only in this table.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Escapes what would end a table cell or start HTML in GitHub Flavored Markdown. */
export function escapeTableCell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}
