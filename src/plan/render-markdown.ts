import { planCounts } from "./plan-fleet.js";
import { changeSign, statusLabel } from "./render-text.js";
import type { Change, DomainPlan, Plan } from "./types.js";

const severityIcon = { error: "🔴", warning: "🟠", info: "ℹ️" } as const;
const statusIcon: Record<string, string> = {
  "in sync": "✅",
  "no changes": "⚠️",
  changes: "📝",
  held: "⏸️",
  error: "❌",
};

function status(domain: DomainPlan): string {
  const label = statusLabel(domain);
  return `${statusIcon[label]} ${label}`;
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

function renderChange(change: Change): string[] {
  const held = change.heldReason
    ? ` — **held${change.heldUntil ? ` until ${change.heldUntil}` : ""}**: ${change.heldReason}`
    : "";
  const lines = [
    `- \`${changeSign(change)}\` **${change.kind}** \`${change.target}\`: ${change.description} (risk ${change.risk})${held}`,
  ];
  const diff: string[] = [];
  if (change.before !== null)
    diff.push(
      ...change.before
        .replace(/\r\n/g, "\n")
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => `- ${line}`),
    );
  if (change.after !== null)
    diff.push(
      ...change.after
        .replace(/\r\n/g, "\n")
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => `+ ${line}`),
    );
  if (diff.length > 0) lines.push("", "  ```diff", ...diff.map((line) => `  ${line}`), "  ```");
  return lines;
}

function renderDomain(domain: DomainPlan): string[] {
  const lines = [`### ${domain.domain}`, "", `${status(domain)} · \`${domain.file}\``, ""];
  for (const change of domain.changes) lines.push(...renderChange(change));
  if (domain.findings.length > 0) {
    lines.push("", "| | finding | message | hint |", "|---|---|---|---|");
    for (const item of domain.findings) {
      lines.push(
        `| ${severityIcon[item.severity]} | \`${item.code}\` | ${cell(item.message)} | ${cell(item.hint)} |`,
      );
    }
  }
  lines.push("");
  return lines;
}

/** Renders the plan as GitHub-flavoured Markdown for pull request comments and job summaries. */
export function renderPlanMarkdown(plan: Plan): string {
  const counts = planCounts(plan);
  const lines = [
    "## MTA-STS plan",
    "",
    `**${counts.domains}** domains: ${counts.inSync} in sync, ${counts.changed} with changes, ${counts.held} held, ${counts.failed} failed · ${counts.changes} changes · ${counts.errors} errors · ${counts.warnings} warnings`,
    "",
    `Plan checksum: \`${plan.checksum}\` · computed ${plan.generatedAt}`,
    "",
    "| domain | status | changes | findings |",
    "|---|---|---|---|",
  ];
  for (const domain of plan.domains) {
    const worst = domain.findings.map((item) => severityIcon[item.severity]).join("");
    lines.push(`| ${domain.domain} | ${status(domain)} | ${domain.changes.length} | ${worst} |`);
  }
  lines.push("");

  for (const domain of plan.domains) {
    if (domain.status === "in-sync" && domain.findings.length === 0) continue;
    lines.push(...renderDomain(domain));
  }
  return `${lines.join("\n")}\n`;
}
