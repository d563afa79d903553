import type { ApplyResult, ApplyStep, DomainOutcome, DomainResult } from "./types.js";

const outcomeLabel: Record<DomainOutcome, string> = {
  applied: "✅ applied",
  pending: "⏳ pending",
  held: "⏸️ held",
  failed: "❌ failed",
  unchanged: "unchanged",
};

/** Advice to the operator per outcome, printed once for each outcome present. */
const nextStep: Partial<Record<DomainOutcome, string>> = {
  pending:
    "Pending: the published policy was not served before the deadline, so `_mta-sts` still carries the old id. Check the policy host, then run apply again; it publishes the same body again and writes the record once the policy is served.",
  held: "Held: the plan marked these changes as not safe yet. A later apply runs them once the time shown has passed or the reason is resolved.",
  failed:
    "Failed: the domain could not be planned or a provider call raised an error, as its message says; the other domains went on. Fix the cause and run apply again: domains already applied then have no changes.",
};

function summaryLine(result: ApplyResult): string {
  const counts = result.counts;
  return `${counts.domains} domains: ${counts.applied} applied, ${counts.pending} pending, ${counts.held} held, ${counts.failed} failed, ${counts.unchanged} unchanged`;
}

/** Returns one line that explains the domain's outcome. */
function domainDetail(result: DomainResult): string {
  if (result.error) return result.error.message;

  const pending = result.steps.find(
    (step) => step.status === "pending" && step.kind === "verify-policy",
  );
  if (result.outcome === "pending" && pending) return pending.detail;

  if (result.outcome === "held") {
    const heldSteps = result.steps.filter((step) => step.status === "held");
    return heldSteps.map((step) => `${step.kind}${untilText(step)}: ${step.detail}`).join("; ");
  }

  return result.steps
    .filter((step) => step.status === "done")
    .map((step) => step.kind)
    .join(", ");
}

function untilText(step: ApplyStep): string {
  return step.heldUntil ? ` until ${step.heldUntil}` : "";
}

function seconds(result: ApplyResult): string {
  const ms = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  return `${Math.round(ms / 1000)} s`;
}

/** Renders the result for a terminal: the counts, then each domain that had changes with its steps. */
export function renderApplyText(result: ApplyResult): string {
  const lines = [`apply: ${summaryLine(result)} (${seconds(result)})`];

  for (const domain of result.domains) {
    if (domain.outcome === "unchanged") continue;
    lines.push(`${domain.domain}: ${domain.outcome}`);
    for (const step of domain.steps) {
      lines.push(
        `    ${step.status.padEnd(7)} ${step.kind} ${step.target} [${step.provider}]${untilText(step)}: ${step.detail}`,
      );
    }
  }

  const unchanged = result.domains.filter((domain) => domain.outcome === "unchanged");
  if (unchanged.length > 0) {
    lines.push(`Unchanged: ${unchanged.map((domain) => domain.domain).join(", ")}`);
  }

  for (const outcome of ["pending", "held", "failed"] as const) {
    if (result.counts[outcome] > 0) lines.push(nextStep[outcome]!.replace(/`/g, ""));
  }
  return `${lines.join("\n")}\n`;
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/** Order of the Markdown rows, so the domains that need attention survive a length cut. */
const attentionOrder: DomainOutcome[] = ["failed", "pending", "held", "applied", "unchanged"];

/**
 * Renders the result as GitHub-flavoured Markdown for the job summary: the counts, a
 * table of the domains that had changes (failed, pending and held first), and every
 * step in a collapsed section.
 */
export function renderApplyMarkdown(result: ApplyResult): string {
  const changed = result.domains
    .filter((domain) => domain.outcome !== "unchanged")
    .sort((a, b) => attentionOrder.indexOf(a.outcome) - attentionOrder.indexOf(b.outcome));
  const lines = [
    "## MTA-STS apply",
    "",
    `**${summaryLine(result)}** · ${seconds(result)} · plan checksum \`${result.planChecksum}\``,
    "",
  ];

  for (const outcome of ["pending", "held", "failed"] as const) {
    if (result.counts[outcome] > 0) lines.push(`> ${nextStep[outcome]}`, "");
  }

  if (changed.length > 0) {
    lines.push("| domain | outcome | detail |", "|---|---|---|");
    for (const domain of changed) {
      lines.push(
        `| ${domain.domain} | ${outcomeLabel[domain.outcome]} | ${cell(domainDetail(domain))} |`,
      );
    }
    lines.push("");

    lines.push("<details><summary>Steps</summary>", "");
    lines.push("| domain | step | target | provider | status | time | detail |");
    lines.push("|---|---|---|---|---|---|---|");
    for (const domain of changed) {
      for (const step of domain.steps) {
        lines.push(
          `| ${domain.domain} | ${step.kind} | ${cell(step.target)} | ${cell(step.provider)} | ${step.status}${cell(untilText(step))} | ${step.at} | ${cell(step.detail)} |`,
        );
      }
    }
    lines.push("", "</details>", "");
  }

  const unchanged = result.domains.filter((domain) => domain.outcome === "unchanged");
  if (unchanged.length > 0) {
    lines.push(
      `<details><summary>${unchanged.length} unchanged domain${unchanged.length === 1 ? "" : "s"}</summary>`,
      "",
      unchanged.map((domain) => domain.domain).join(", "),
      "",
      "</details>",
      "",
    );
  }
  return lines.join("\n");
}
