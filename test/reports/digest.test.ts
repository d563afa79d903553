/** renderDigest over summaries written by runIngest. */

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderDigest } from "../../src/reports/digest.js";
import { writeSampleReports } from "../../src/sandbox/sample-reports.js";
import { caseFixture, createWorkspace, reportFixture, type Workspace } from "./helpers.js";

let workspace: Workspace;

beforeEach(async () => {
  workspace = await createWorkspace();
});

afterEach(async () => {
  await workspace.cleanup();
});

const NOW = new Date("2025-06-10T08:00:00Z");
const FLEET = ["contoso-mail.example", "tailspin-toys.example", "northwind-traders.example"];

async function ingestSamples(): Promise<void> {
  const files = await writeSampleReports(path.join(workspace.root, "inbox"), FLEET, NOW);
  await workspace.ingestFiles(files, { now: NOW });
}

/** Returns the lines of one domain's section, from its heading to the next heading. */
function section(markdown: string, domain: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(`### ${domain}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith("### "));
  return lines.slice(start, end === -1 ? undefined : end);
}

describe("renderDigest", () => {
  it("covers the 7 UTC days before now", async () => {
    await ingestSamples();
    const markdown = await renderDigest({ summariesDir: workspace.summariesDir, now: NOW });
    expect(markdown.split("\n")[0]).toBe("## TLS-RPT reports, 2025-06-03 to 2025-06-09 (UTC)");
  });

  it("has one table row per domain", async () => {
    await ingestSamples();
    const markdown = await renderDigest({ summariesDir: workspace.summariesDir, now: NOW });
    const rows = markdown
      .split("\n")
      .filter((line) => line.startsWith("| ") && line.includes(".example"));
    expect(rows).toEqual([
      "| contoso-mail.example | 98 | 0 | 0.00% | sessions +104.2%, failure rate ±0.00 pt |",
      "| northwind-traders.example | 129 | 0 | 0.00% | no reports in the previous 7 days |",
      "| tailspin-toys.example | 118 | 6 | 5.08% | no reports in the previous 7 days |",
    ]);
  });

  it("names the failing organisations and result types", async () => {
    await ingestSamples();
    const lines = section(
      await renderDigest({ summariesDir: workspace.summariesDir, now: NOW }),
      "tailspin-toys.example",
    );
    expect(lines).toContain("- Top failing sending organisations: Google Inc. (6)");
    expect(lines).toContain("- Top failure result types: certificate-expired (6)");
    expect(lines).toContain(
      "- Sessions: 118 (112 successful, 6 failed, 5.08% failed) from 3 reports",
    );
  });

  it("compares with the previous week", async () => {
    await ingestSamples();
    const lines = section(
      await renderDigest({ summariesDir: workspace.summariesDir, now: NOW }),
      "contoso-mail.example",
    );
    expect(lines).toContain(
      "- Previous 7 days: 48 sessions, 0.00% failed; change: sessions +104.2%, failure rate ±0.00 pt",
    );
  });

  it("charts failed sessions per day", async () => {
    await ingestSamples();
    const lines = section(
      await renderDigest({ summariesDir: workspace.summariesDir, now: NOW }),
      "tailspin-toys.example",
    );
    const start = lines.indexOf("```mermaid");
    expect(lines.slice(start, start + 7)).toEqual([
      "```mermaid",
      "xychart-beta",
      '  title "tailspin-toys.example: failed sessions per UTC day"',
      '  x-axis ["05-27", "05-28", "05-29", "05-30", "05-31", "06-01", "06-02", "06-03", "06-04", "06-05", "06-06", "06-07", "06-08", "06-09"]',
      '  y-axis "failed sessions" 0 --> 6',
      "  bar [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0]",
      "```",
    ]);
  });

  it("limits output to the requested domains", async () => {
    await ingestSamples();
    const markdown = await renderDigest({
      summariesDir: workspace.summariesDir,
      domains: ["northwind-traders.example"],
      now: NOW,
    });
    expect(markdown).toContain("### northwind-traders.example");
    expect(markdown).not.toContain("contoso-mail.example");
  });

  it("keeps tlsa sessions apart", async () => {
    await workspace.ingestFiles([caseFixture("24-report-contact-null-empty-arrays.json")]);
    await workspace.ingestFiles([reportFixture("microsoft-folded-subject-no-zone.eml")]);
    const markdown = await renderDigest({
      summariesDir: workspace.summariesDir,
      domains: ["fabrikam.example"],
      now: new Date("2025-02-04T10:00:00Z"),
    });
    expect(markdown).toContain(
      "| fabrikam.example | 9 | 0 | 0.00% | no reports in the previous 7 days |",
    );
    expect(markdown).toContain(
      "- DANE (tlsa) evaluations of the same sessions: 9 successful, 0 failed",
    );
  });

  it("escapes organisation names", async () => {
    const report = JSON.parse(
      await readFile(caseFixture("35-report-end-next-midnight.json"), "utf8"),
    );
    report["organization-name"] = "Evil | <b>Org</b>";
    const file = path.join(workspace.root, "evil.json");
    await writeFile(file, JSON.stringify(report));
    await workspace.ingestFiles([file]);

    const markdown = await renderDigest({
      summariesDir: workspace.summariesDir,
      now: new Date("2023-01-26T10:00:00Z"),
    });
    expect(markdown).toContain(
      "- Top failing sending organisations: Evil \\| \\<b\\>Org\\</b\\> (1)",
    );
  });

  it("counts unattributed reports", async () => {
    await workspace.ingestFiles([
      caseFixture("29-report-empty-policies.json"),
      caseFixture("35-report-end-next-midnight.json"),
    ]);
    const markdown = await renderDigest({
      summariesDir: workspace.summariesDir,
      now: new Date("2025-03-03T00:00:00Z"),
    });
    expect(markdown).toContain("1 reports in this period name no policy domain");
  });

  it("says so when there are no summaries", async () => {
    const markdown = await renderDigest({ summariesDir: workspace.summariesDir, now: NOW });
    expect(markdown).toContain("No TLS-RPT summaries yet.");
  });
});
