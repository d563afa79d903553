import { planCounts } from "./plan-fleet.js";
import type { Change, DomainPlan, Finding, Plan, Severity } from "./types.js";

/** Formats a count with its noun, "1 domain" or "2 domains". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export interface TextStyle {
  /** Colours only when the output is a terminal; pipes and files get plain text. */
  color: boolean;
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;

function paint(style: TextStyle, color: keyof typeof codes, text: string): string {
  return style.color ? `\u001b[${codes[color]}m${text}\u001b[0m` : text;
}

const severityColor: Record<Severity, keyof typeof codes> = {
  error: "red",
  warning: "yellow",
  info: "dim",
};

/** Returns the diff-style sign of a change: + create, ~ replace, - delete, ! held. */
export function changeSign(change: Change): string {
  if (change.heldReason) return "!";
  if (change.after === null) return "-";
  return change.before === null ? "+" : "~";
}

function quoteLines(prefix: string, value: string): string[] {
  return value
    .replace(/\r\n/g, "\n")
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `${prefix}${line}`);
}

function renderChange(change: Change, style: TextStyle): string[] {
  const sign = changeSign(change);
  const colors: Record<string, keyof typeof codes> = { "!": "yellow", "-": "red" };
  const color = colors[sign] ?? "green";
  const lines = [
    `    ${paint(style, color, sign)} ${change.kind} ${change.target}: ${change.description} [risk ${change.risk}]`,
  ];
  if (change.heldReason) {
    const until = change.heldUntil ? ` until ${change.heldUntil}` : "";
    lines.push(`        held${until}: ${change.heldReason}`);
  }
  if (change.before !== null) lines.push(...quoteLines("        - ", change.before));
  if (change.after !== null) lines.push(...quoteLines("        + ", change.after));
  return lines;
}

function renderFinding(item: Finding, style: TextStyle): string[] {
  const label = paint(style, severityColor[item.severity], item.severity.padEnd(7));
  return [`    ${label} ${item.code}: ${item.message}`, `            hint: ${item.hint}`];
}

/**
 * Returns the status label shown to readers. It is "in sync" only when nothing needs
 * attention, so a domain without changes but with an error finding reads "no changes".
 */
export function statusLabel(domain: DomainPlan): string {
  if (domain.status !== "in-sync") {
    return { changes: "changes", held: "held", error: "error" }[domain.status];
  }
  const attention = domain.findings.some((item) => item.severity !== "info");
  return attention ? "no changes" : "in sync";
}

function renderDomain(domain: DomainPlan, style: TextStyle): string[] {
  const label = statusLabel(domain);
  const color = {
    "in sync": "green",
    "no changes": "yellow",
    changes: "blue",
    held: "yellow",
    error: "red",
  } as const;
  const status = paint(style, color[label as keyof typeof color], label);
  const lines = [`${paint(style, "bold", domain.domain)} (${domain.file}): ${status}`];
  for (const change of domain.changes) lines.push(...renderChange(change, style));
  for (const item of domain.findings) lines.push(...renderFinding(item, style));
  return lines;
}

/** Renders the plan for a terminal: one block per domain that has changes or findings. */
export function renderPlanText(plan: Plan, style: TextStyle): string {
  const counts = planCounts(plan);
  const blocks = plan.domains
    .filter((domain) => domain.status !== "in-sync" || domain.findings.length > 0)
    .map((domain) => renderDomain(domain, style).join("\n"));
  const quiet = plan.domains.filter(
    (domain) => domain.status === "in-sync" && domain.findings.length === 0,
  );
  if (quiet.length > 0) {
    blocks.push(`In sync with no findings: ${quiet.map((domain) => domain.domain).join(", ")}`);
  }

  const summary =
    `plan: ${plural(counts.domains, "domain")}, ${counts.inSync} in sync, ${counts.changed} with changes, ` +
    `${counts.held} held, ${counts.failed} failed; ${plural(counts.changes, "change")}, ` +
    `${plural(counts.errors, "error")}, ${plural(counts.warnings, "warning")}`;
  // The full checksum, because apply --plan-checksum compares all 64 hex digits.
  return `${blocks.join("\n\n")}\n\n${summary}\nplan checksum: ${plan.checksum}\n`;
}
