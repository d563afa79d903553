import type { GateCheck } from "./gate.js";

/** A domain the gate cleared, with its evidence. */
export interface Promotion {
  domain: string;
  file: string;
  checks: GateCheck[];
}

/** A domain the gate did not clear, with the failed checks. */
export interface Deferral {
  domain: string;
  reasons: string[];
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Renders the evidence as Markdown: one table for the fleet, one row per check and domain. */
export function renderPromotionMarkdown(promotions: Promotion[], deferrals: Deferral[]): string {
  const lines = ["## MTA-STS promotion: testing to enforce", ""];
  if (promotions.length === 0) {
    lines.push("No domain passed the promotion gate.", "");
  } else {
    lines.push(
      `${promotions.length} domain${promotions.length === 1 ? "" : "s"} showed a clean week under mode testing. Merging this pull request publishes mode enforce with a new policy id.`,
      "",
      "| domain | check | result | evidence |",
      "|---|---|---|---|",
    );
    for (const promotion of promotions) {
      for (const check of promotion.checks) {
        lines.push(
          `| ${promotion.domain} | ${check.name} | ${check.passed ? "✅" : "❌"} | ${cell(check.detail)} |`,
        );
      }
    }
    lines.push("");
  }

  if (deferrals.length > 0) {
    lines.push(
      "<details><summary>Domains still in testing</summary>",
      "",
      "| domain | why not yet |",
      "|---|---|",
    );
    for (const deferral of deferrals)
      lines.push(`| ${deferral.domain} | ${cell(deferral.reasons.join("; "))} |`);
    lines.push("", "</details>", "");
  }
  return lines.join("\n");
}
