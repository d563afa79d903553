/** runIngest: de-duplication, deterministic files, policy ids, logs and source handling. */

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/reports/summary/canonical-json.js";
import { monthSummaryFileSchema } from "../../src/reports/summary/schema.js";
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

async function samples(): Promise<string[]> {
  return writeSampleReports(path.join(workspace.root, "inbox"), FLEET, NOW);
}

function mixedInputs(sampleFiles: string[]): string[] {
  return [
    ...sampleFiles,
    caseFixture("26-report-base64-wrapped-76.eml"),
    caseFixture("31-report-detail-sum-exceeds-summary.json"),
    reportFixture("two-reports.mbox"),
    reportFixture("microsoft-folded-subject-no-zone.eml"),
  ];
}

describe("runIngest", () => {
  it("same input twice leaves files byte-identical", async () => {
    const inputs = mixedInputs(await samples());
    const first = await workspace.ingestFiles(inputs);
    const before = await workspace.snapshot();
    const second = await workspace.ingestFiles(inputs);

    expect(first.counts.new).toBe(inputs.length + 1);
    expect(second.counts).toEqual({
      read: first.counts.read,
      new: 0,
      duplicate: first.counts.read,
      quarantined: 0,
    });
    expect(second.summaries).toEqual([]);
    expect(second.domains).toEqual([]);
    expect(await workspace.snapshot()).toEqual(before);
  });

  it("input order does not change the files", async () => {
    const inputs = mixedInputs(await samples());
    await workspace.ingestFiles(inputs);
    const forward = await workspace.snapshot();

    const other = await createWorkspace();
    try {
      await other.ingestFiles([...inputs].reverse());
      expect(await other.snapshot()).toEqual(forward);
    } finally {
      await other.cleanup();
    }
  });

  it("two runs equal one run over both halves", async () => {
    const inputs = mixedInputs(await samples());
    const half = Math.floor(inputs.length / 2);
    await workspace.ingestFiles(inputs.slice(0, half));
    await workspace.ingestFiles(inputs.slice(half));
    const split = await workspace.snapshot();

    const other = await createWorkspace();
    try {
      await other.ingestFiles(inputs);
      expect(split).toEqual(await other.snapshot());
    } finally {
      await other.cleanup();
    }
  });

  it("duplicates inside one batch count once", async () => {
    const file = caseFixture("35-report-end-next-midnight.json");
    const result = await workspace.ingestFiles([file, file, file]);
    expect(result.counts).toEqual({ read: 3, new: 1, duplicate: 2, quarantined: 0 });
    expect((await workspace.typeDay("example.com", "2023-01-25", "sts"))?.successful_sessions).toBe(
      40,
    );
  });

  it("summary files are canonical and match the format", async () => {
    await workspace.ingestFiles(mixedInputs(await samples()));
    for (const [name, text] of await workspace.snapshot()) {
      const parsed = JSON.parse(text);
      expect(monthSummaryFileSchema.safeParse(parsed).success, name).toBe(true);
      expect(canonicalJson(parsed), name).toBe(text);
    }
  });

  it("stores report keys and warnings", async () => {
    await workspace.ingestFiles([caseFixture("31-report-detail-sum-exceeds-summary.json")]);
    const summary = await workspace.summary("example.com", "2024-02");
    expect(summary.reports).toEqual([
      {
        organization: "Reporter",
        report_id: "31-sum-mismatch@reporter.example.net",
        day: "2024-02-22",
        warnings: [
          "policies[0]: failure-details add up to 2, total-failure-session-count is 1; the summary count is used",
        ],
      },
    ]);
  });

  it("names the live policy id when the body matches", async () => {
    const knownPolicies = new Map([
      [
        "example.com",
        [
          {
            id: "20240901T000000Z",
            body: "version: STSv1\r\nmode: enforce\r\nmx: MAIL.example.com\r\nmax_age: 604800\r\n",
          },
          {
            id: "20240101T000000Z",
            body: "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n",
          },
        ],
      ],
    ]);
    await workspace.ingestFiles([caseFixture("27-report-gzip-file.json.gz")], { knownPolicies });
    await workspace.ingestFiles([caseFixture("25-report-datetime-without-timezone.json")], {
      knownPolicies,
    });

    const matched = await workspace.typeDay("example.com", "2024-09-15", "sts");
    expect(matched?.policies.map((policy) => policy.policy_id)).toEqual(["20240901T000000Z"]);
    const unmatched = await workspace.typeDay("example.com", "2023-01-10", "sts");
    expect(unmatched?.policies.map((policy) => policy.policy_id)).toEqual([null]);
  });

  it("logs each source and the totals", async () => {
    const lines: string[] = [];
    await workspace.ingestFiles([caseFixture("23-report-failure-detail-without-ips.json")], {
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toBe("ingest: source=1 files read=1 new=1 duplicate=0 quarantined=0");
    expect(lines[1]).toMatch(
      /^ingest: done read=1 new=1 duplicate=0 quarantined=0 summaries_written=1 seconds=\d+\.\d\d$/,
    );
  });

  it("logs each quarantined input", async () => {
    const bad = path.join(workspace.root, "bad.json");
    await writeFile(bad, "{");
    const lines: string[] = [];
    await workspace.ingestFiles([bad], { log: (line) => lines.push(line) });
    expect(lines[0]).toMatch(
      /^ingest: quarantined origin=\S+bad\.json reason=invalid-json detail="report is not valid JSON/,
    );
  });

  it("flags a report dated after the run", async () => {
    const result = await workspace.ingestFiles(
      [caseFixture("23-report-failure-detail-without-ips.json")],
      {
        now: new Date("2025-06-01T00:00:00Z"),
      },
    );
    expect(result.reports[0]?.warnings).toContain(
      "report is dated 2025-06-14, after the run's date 2025-06-01",
    );
  });

  it("directory source reads subfolders and skips dotfiles", async () => {
    const inbox = path.join(workspace.root, "inbox");
    await mkdir(path.join(inbox, "2025", "01"), { recursive: true });
    await writeFile(path.join(inbox, ".gitkeep"), "");
    await writeFile(
      path.join(inbox, "2025", "01", "a.json"),
      await readFile(caseFixture("24-report-contact-null-empty-arrays.json")),
    );

    const result = await workspace.ingest([{ type: "directory", path: "inbox" }]);
    expect(result.counts).toEqual({ read: 1, new: 1, duplicate: 0, quarantined: 0 });
  });

  it("missing path fails with its name", async () => {
    await expect(workspace.ingestFiles(["no/such/file.json"])).rejects.toThrow(
      /report path \S+no\/such\/file\.json cannot be read: ENOENT/,
    );
  });

  it("corrupt summary file stops the run before writing", async () => {
    const dir = path.join(workspace.summariesDir, "example.com");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "2023-01.json"), '{"format": 1, "domain": "example.com"');

    await expect(
      workspace.ingestFiles([caseFixture("35-report-end-next-midnight.json")]),
    ).rejects.toThrow(/summary file \S+2023-01\.json is not valid JSON .* restore it from git/);
    expect(await readdir(dir)).toEqual(["2023-01.json"]);
  });

  it("summary file of another format is refused", async () => {
    const dir = path.join(workspace.summariesDir, "example.com");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "2023-01.json"),
      JSON.stringify({ format: 2, domain: "example.com", month: "2023-01", days: {}, reports: [] }),
    );

    await expect(
      workspace.ingestFiles([caseFixture("35-report-end-next-midnight.json")]),
    ).rejects.toThrow(/does not match the summary format at format/);
  });
});
