/**
 * The Markdown digest for the job summary. Per domain it shows sessions and failure rate
 * of the last 7 UTC days against the 7 before, the sending organisations and result
 * types with the most failures, and a Mermaid chart of failed sessions per day.
 */

import {
  collectDomainDigest,
  countUnattributed,
  type DomainDigest,
  digestDays,
  listSummaryDomains,
  WINDOW_DAYS,
  type WindowTotals,
} from "./digest-data.js";

/** Options of renderDigest. */
export interface DigestOptions {
  summariesDir: string;
  /** Domains to include; all domains with summaries when absent. */
  domains?: string[];
  /** The run's time; the digest covers the 7 whole UTC days before its day. */
  now: Date;
}

const TOP_COUNT = 3;

/** Formats an integer with thousands separators, independent of the host locale. */
function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function failureRate(totals: WindowTotals): number | null {
  const sessions = totals.successful + totals.failed;
  return sessions === 0 ? null : (totals.failed / sessions) * 100;
}

function formatRate(rate: number | null): string {
  return rate === null ? "n/a" : `${rate.toFixed(2)}%`;
}

/** Escapes sender-controlled text for Markdown tables and lists. */
function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, " ").replace(/[\\`*_[\]<>|#]/g, "\\$&");
}

function describeChange(current: WindowTotals, previous: WindowTotals): string {
  const sessionsNow = current.successful + current.failed;
  const sessionsBefore = previous.successful + previous.failed;
  if (sessionsBefore === 0) {
    return "no reports in the previous 7 days";
  }

  const sessionChange = ((sessionsNow - sessionsBefore) / sessionsBefore) * 100;
  const rateNow = failureRate(current);
  const rateBefore = failureRate(previous);
  const sign = (value: number): string => {
    if (value > 0) {
      return "+";
    }
    return value < 0 ? "-" : "±";
  };
  const rateText =
    rateNow === null || rateBefore === null
      ? "failure rate n/a"
      : `failure rate ${sign(rateNow - rateBefore)}${Math.abs(rateNow - rateBefore).toFixed(2)} pt`;
  return `sessions ${sign(sessionChange)}${Math.abs(sessionChange).toFixed(1)}%, ${rateText}`;
}

/** Orders by count, largest first, then by name. */
function compareCounts(
  [leftName, left]: [string, number],
  [rightName, right]: [string, number],
): number {
  if (right !== left) {
    return right - left;
  }
  return leftName < rightName ? -1 : 1;
}

function topEntries(map: Map<string, number>): string {
  const entries = [...map.entries()].sort(compareCounts);
  if (entries.length === 0) {
    return "none";
  }
  return entries
    .slice(0, TOP_COUNT)
    .map(([name, count]) => `${escapeMarkdown(name)} (${formatCount(count)})`)
    .join(", ");
}

function renderChart(digest: DomainDigest): string[] {
  const labels = digest.dailyFailures.map(({ day }) => `"${day.slice(5)}"`);
  const values = digest.dailyFailures.map(({ failed }) => failed);
  const top = Math.max(1, ...values);
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${digest.domain}: failed sessions per UTC day"`,
    `  x-axis [${labels.join(", ")}]`,
    `  y-axis "failed sessions" 0 --> ${top}`,
    `  bar [${values.join(", ")}]`,
    "```",
  ];
}

function renderDomain(digest: DomainDigest): string[] {
  const { current, previous } = digest;
  const sessions = current.successful + current.failed;
  const previousSessions = previous.successful + previous.failed;
  const lines = [
    `### ${digest.domain}`,
    "",
    `- Sessions: ${formatCount(sessions)} (${formatCount(current.successful)} successful, ${formatCount(current.failed)} failed, ${formatRate(failureRate(current))} failed) from ${formatCount(current.reports)} reports`,
    previousSessions === 0
      ? "- Previous 7 days: no reports"
      : `- Previous 7 days: ${formatCount(previousSessions)} sessions, ${formatRate(failureRate(previous))} failed; change: ${describeChange(current, previous)}`,
    `- Reporting organisations: ${current.organizations.size === 0 ? "none" : [...current.organizations].sort().map(escapeMarkdown).join(", ")}`,
    `- Top failing sending organisations: ${topEntries(current.failedByOrganization)}`,
    `- Top failure result types: ${topEntries(current.failuresByResultType)}`,
  ];
  if (current.tlsaSuccessful + current.tlsaFailed > 0) {
    lines.push(
      `- DANE (tlsa) evaluations of the same sessions: ${formatCount(current.tlsaSuccessful)} successful, ${formatCount(current.tlsaFailed)} failed`,
    );
  }
  lines.push("", ...renderChart(digest), "");
  return lines;
}

/** Renders the digest as Markdown. */
export async function renderDigest(options: DigestOptions): Promise<string> {
  const domains = options.domains ?? (await listSummaryDomains(options.summariesDir));
  const days = digestDays(options.now);
  const first = days[WINDOW_DAYS]!;
  const last = days[days.length - 1]!;

  const lines = [`## TLS-RPT reports, ${first} to ${last} (UTC)`, ""];
  if (domains.length === 0) {
    lines.push("No TLS-RPT summaries yet.", "");
    return lines.join("\n");
  }

  const digests: DomainDigest[] = [];
  for (const domain of [...domains].sort()) {
    digests.push(await collectDomainDigest(options.summariesDir, domain, options.now));
  }

  lines.push(
    "| Domain | Sessions | Failed | Failure rate | Change vs. previous 7 days |",
    "| --- | ---: | ---: | ---: | --- |",
  );
  for (const digest of digests) {
    const { current, previous } = digest;
    lines.push(
      `| ${digest.domain} | ${formatCount(current.successful + current.failed)} | ${formatCount(current.failed)} | ${formatRate(failureRate(current))} | ${describeChange(current, previous)} |`,
    );
  }
  lines.push("");

  const unattributed = await countUnattributed(options.summariesDir, options.now);
  if (unattributed > 0) {
    lines.push(
      `${unattributed} reports in this period name no policy domain; they are kept under reports/summaries/_unattributed.`,
      "",
    );
  }

  for (const digest of digests) {
    lines.push(...renderDomain(digest));
  }
  return lines.join("\n");
}
