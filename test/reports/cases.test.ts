/**
 * Every report case (test/fixtures/cases, copied from the team's bug cases) and every
 * real report sample (../shared/cases/reports, never committed) ingested on its own,
 * with the summary rows each one must produce.
 */

import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildReportEmail } from "../../src/sandbox/sample-reports.js";
import { reportMissingShared, sharedPath } from "../support/shared.js";
import { caseFixture, createWorkspace, type Workspace } from "./helpers.js";

/** One expected summary row: a domain, UTC day and policy type. */
interface ExpectedRow {
  domain: string;
  day: string;
  type: string;
  successful: number;
  failed: number;
  organization: string;
  resultTypes?: Record<string, number>;
  receivingMx?: Record<string, number>;
  receivingIp?: Record<string, number>;
  sendingIp?: Record<string, number>;
  reasonCodes?: Record<string, number>;
  /** Expected policies seen (sts only): mode, max_age and mx. */
  policy?: { mode: string | null; max_age: number | null; mx: string[] };
}

interface ReportCase {
  file: string;
  rows: ExpectedRow[];
  /** Each pattern must match one warning recorded for the report. */
  warnings?: RegExp[];
  /** Days that must have no entry (for example the day after a midnight end). */
  absentDays?: { domain: string; day: string }[];
}

let workspace: Workspace;

beforeEach(async () => {
  workspace = await createWorkspace();
});

afterEach(async () => {
  await workspace.cleanup();
});

async function checkCase(file: string, reportCase: ReportCase): Promise<void> {
  const result = await workspace.ingestFiles([file]);
  expect(result.counts).toEqual({ read: 1, new: 1, duplicate: 0, quarantined: 0 });

  for (const row of reportCase.rows) {
    const entry = await workspace.typeDay(row.domain, row.day, row.type);
    expect(entry, `${row.domain} ${row.day} ${row.type}`).toBeDefined();
    expect(entry?.successful_sessions).toBe(row.successful);
    expect(entry?.failed_sessions).toBe(row.failed);
    expect(entry?.reports).toBe(1);
    expect(Object.keys(entry?.organizations ?? {})).toEqual([row.organization]);
    expect(entry?.failures_by_result_type).toEqual(row.resultTypes ?? {});
    if (row.receivingMx !== undefined) {
      expect(entry?.failures_by_receiving_mx).toEqual(row.receivingMx);
    }
    if (row.receivingIp !== undefined) {
      expect(entry?.failures_by_receiving_ip).toEqual(row.receivingIp);
    }
    if (row.sendingIp !== undefined) {
      expect(entry?.failures_by_sending_ip).toEqual(row.sendingIp);
    }
    if (row.reasonCodes !== undefined) {
      expect(entry?.failures_by_reason_code).toEqual(row.reasonCodes);
    }
    if (row.policy !== undefined) {
      const seen = entry?.policies.map(({ mode, max_age, mx }) => ({ mode, max_age, mx }));
      expect(seen).toEqual([row.policy]);
    }
  }

  const warnings = result.reports[0]?.warnings ?? [];
  for (const pattern of reportCase.warnings ?? []) {
    expect(
      warnings.some((warning) => pattern.test(warning)),
      `${pattern} in ${JSON.stringify(warnings)}`,
    ).toBe(true);
  }
  for (const { domain, day } of reportCase.absentDays ?? []) {
    const summary = await workspace.summary(domain, day.slice(0, 7));
    expect(summary.days[day]).toBeUndefined();
  }
}

const BUG_CASES: ReportCase[] = [
  {
    file: "23-report-failure-detail-without-ips.json",
    rows: [
      {
        domain: "example.com",
        day: "2025-06-14",
        type: "sts",
        successful: 0,
        failed: 3,
        organization: "Microsoft Corporation",
        resultTypes: { "sts-policy-fetch-error": 3 },
        receivingMx: {},
        sendingIp: {},
        policy: { mode: null, max_age: null, mx: [] },
      },
    ],
  },
  {
    file: "24-report-contact-null-empty-arrays.json",
    rows: [
      {
        domain: "example.com",
        day: "2025-01-10",
        type: "no-policy-found",
        successful: 1,
        failed: 0,
        organization: "mx.example.net",
      },
    ],
    warnings: [/contact-info is null/],
  },
  {
    file: "25-report-datetime-without-timezone.json",
    rows: [
      {
        domain: "example.com",
        day: "2023-01-10",
        type: "sts",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
        policy: { mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
      },
    ],
    warnings: [/start-datetime "2023-01-10T00:00:00" has no time zone offset and was read as UTC/],
  },
  {
    file: "26-report-base64-wrapped-76.eml",
    rows: [
      {
        domain: "example.com",
        day: "2024-09-15",
        type: "sts",
        successful: 12,
        failed: 1,
        organization: "Google Inc.",
        resultTypes: { "certificate-expired": 1 },
        receivingMx: { "mail.example.com": 1 },
        policy: { mode: "enforce", max_age: 604800, mx: ["mail.example.com"] },
      },
    ],
  },
  {
    file: "27-report-gzip-file.json.gz",
    rows: [
      {
        domain: "example.com",
        day: "2024-09-15",
        type: "sts",
        successful: 12,
        failed: 1,
        organization: "Google Inc.",
        resultTypes: { "certificate-expired": 1 },
        receivingMx: { "mail.example.com": 1 },
        sendingIp: { "192.0.2.10": 1 },
        receivingIp: { "198.51.100.25": 1 },
      },
    ],
  },
  {
    file: "31-report-detail-sum-exceeds-summary.json",
    rows: [
      {
        domain: "example.com",
        day: "2024-02-22",
        type: "sts",
        successful: 0,
        failed: 1,
        organization: "Reporter",
        resultTypes: { "sts-policy-fetch-error": 2 },
        reasonCodes: { "bad https response code: 404": 1, "bad https response code: 500": 1 },
      },
    ],
    warnings: [/failure-details add up to 2, total-failure-session-count is 1/],
    absentDays: [{ domain: "example.com", day: "2024-02-23" }],
  },
  {
    file: "33-report-empty-string-fields.json",
    rows: [
      {
        domain: "example.com",
        day: "2024-08-02",
        type: "sts",
        successful: 0,
        failed: 10,
        organization: "Google Inc.",
        resultTypes: { "validation-failure": 10 },
        receivingMx: { "example-com.h-v1.mx.microsoft": 10 },
        receivingIp: { "198.51.100.12": 6, "198.51.100.13": 4 },
        sendingIp: {},
        policy: {
          mode: "enforce",
          max_age: 604800,
          mx: ["*.mail.protection.outlook.com", "*.mx.microsoft"],
        },
      },
    ],
  },
  {
    file: "35-report-end-next-midnight.json",
    rows: [
      {
        domain: "example.com",
        day: "2023-01-25",
        type: "sts",
        successful: 40,
        failed: 1,
        organization: "Mail.ru",
        resultTypes: { "sts-policy-fetch-error": 1 },
      },
    ],
    absentDays: [{ domain: "example.com", day: "2023-01-26" }],
  },
];

describe("bug report cases", () => {
  it.each(BUG_CASES)("$file", async (reportCase) => {
    await checkCase(caseFixture(reportCase.file), reportCase);
  });

  it("23 keeps a report-id ending in a bare plus", async () => {
    await workspace.ingestFiles([caseFixture("23-report-failure-detail-without-ips.json")]);
    const summary = await workspace.summary("example.com", "2025-06");
    expect(summary.reports.map((record) => record.report_id)).toEqual(["133900000000000000+"]);
  });

  it("26 and 27 are one report, counted once", async () => {
    const result = await workspace.ingestFiles([
      caseFixture("26-report-base64-wrapped-76.eml"),
      caseFixture("27-report-gzip-file.json.gz"),
    ]);
    expect(result.counts).toEqual({ read: 2, new: 1, duplicate: 1, quarantined: 0 });
    expect((await workspace.typeDay("example.com", "2024-09-15", "sts"))?.successful_sessions).toBe(
      12,
    );
  });

  it("29 empty policies from a file is unattributed", async () => {
    const result = await workspace.ingestFiles([caseFixture("29-report-empty-policies.json")]);
    expect(result.counts).toEqual({ read: 1, new: 1, duplicate: 0, quarantined: 0 });

    const summary = await workspace.summary("_unattributed", "2025-03");
    expect(summary.days).toEqual({});
    expect(
      summary.reports.map((record) => [record.organization, record.report_id, record.day]),
    ).toEqual([["Example Reporter", "2025-03-01_empty", "2025-03-01"]]);
  });

  it("29 empty policies in mail goes to TLS-Report-Domain", async () => {
    const json = await readFile(caseFixture("29-report-empty-policies.json"));
    const mail = buildReportEmail({
      attachment: gzipSync(json),
      policyDomain: "example.com",
      submitter: "reporter.example.net",
      reportId: "2025-03-01_empty",
      fileName: "report.json.gz",
      date: new Date("2025-03-02T01:00:00Z"),
    });
    const file = path.join(workspace.root, "29.eml");
    await writeFile(file, mail);

    const result = await workspace.ingestFiles([file]);
    expect(result.reports[0]?.domains).toEqual(["example.com"]);
    const summary = await workspace.summary("example.com", "2025-03");
    expect(summary.reports.map((record) => record.report_id)).toEqual(["2025-03-01_empty"]);
  });
});

const REAL_REPORTS: ReportCase[] = [
  {
    file: "dmarc-report-viewer-issue-71__refluxstop.de.json",
    rows: [
      {
        domain: "example.org",
        day: "2026-01-11",
        type: "sts",
        successful: 1,
        failed: 0,
        organization: "refluxstop.de",
        policy: {
          mode: "enforce",
          max_age: 86400,
          mx: ["mx1.example.org", "mx2.example.org", "mx3.example.org", "mx4.example.org"],
        },
      },
    ],
    warnings: [/contact-info is null/],
    absentDays: [{ domain: "example.org", day: "2026-01-12" }],
  },
  {
    file: "dmarc-report-viewer__google.json",
    rows: [
      {
        domain: "domain.de",
        day: "2025-04-12",
        type: "no-policy-found",
        successful: 2,
        failed: 0,
        organization: "Google Inc.",
      },
    ],
  },
  {
    file: "dmarc-report-viewer__microsoft.json",
    rows: [
      {
        domain: "random.net",
        day: "2025-05-23",
        type: "sts",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
        policy: { mode: "enforce", max_age: 2592000, mx: ["*.random.net"] },
      },
      {
        domain: "random.net",
        day: "2025-05-23",
        type: "tlsa",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
      },
    ],
  },
  {
    file: "mail-tls-rpt__google.com!fastmaildmarc.com!1583107200!1583193599!001.json.gz",
    rows: [
      {
        domain: "fastmaildmarc.com",
        day: "2020-03-02",
        type: "no-policy-found",
        successful: 343,
        failed: 0,
        organization: "Google Inc.",
      },
    ],
  },
  {
    file: "mox__microsoft.eml",
    rows: [
      {
        domain: "test.xmox.nl",
        day: "2023-01-10",
        type: "sts",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
        policy: { mode: "enforce", max_age: 86400, mx: ["komijn.test.xmox.nl"] },
      },
    ],
    warnings: [/start-datetime "2023-01-10T00:00:00" has no time zone offset/],
  },
  {
    file: "mox__rfc8460-example-message.eml",
    rows: [
      {
        domain: "company-y.example",
        day: "2016-04-01",
        type: "sts",
        successful: 5326,
        failed: 303,
        organization: "Company-X",
        resultTypes: {
          "certificate-expired": 100,
          "starttls-not-supported": 200,
          "validation-failure": 3,
        },
        receivingMx: {
          "mx1.mail.company-y.example": 100,
          "mx2.mail.company-y.example": 200,
          "mx-backup.mail.company-y.example": 3,
        },
        sendingIp: { "2001:db8:abcd:12::1": 100, "2001:db8:abcd:13::1": 200, "198.51.100.62": 3 },
        reasonCodes: { X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED: 3 },
        policy: { mode: "testing", max_age: 86400, mx: ["*.mail.company-y.example"] },
      },
    ],
    warnings: [
      /TLS-Report-Domain example\.net differs from .*company-y\.example; the report body wins/,
    ],
  },
  {
    file: "parsedmarc__empty_failure_detail_fields.json",
    rows: [
      {
        domain: "example.com",
        day: "2024-06-01",
        type: "sts",
        successful: 0,
        failed: 1,
        organization: "Reporter Example",
        resultTypes: { "sts-policy-fetch-error": 1 },
        receivingMx: {},
        receivingIp: {},
        sendingIp: {},
        reasonCodes: { "no-policy-served": 1 },
      },
    ],
  },
  {
    file: "parsedmarc__google.com_smtp_tls_report.eml",
    rows: [
      {
        domain: "example.net",
        day: "2024-09-03",
        type: "no-policy-found",
        successful: 48,
        failed: 0,
        organization: "Google Inc.",
      },
    ],
  },
  {
    file: "parsedmarc__mail.ru.json",
    rows: [
      {
        domain: "example.com",
        day: "2024-02-22",
        type: "sts",
        successful: 0,
        failed: 1,
        organization: "Mail.ru",
        resultTypes: { "sts-policy-fetch-error": 2 },
      },
    ],
    warnings: [/failure-details add up to 2, total-failure-session-count is 1/],
    absentDays: [{ domain: "example.com", day: "2024-02-23" }],
  },
  {
    file: "parsedmarc__rfc8460.json",
    rows: [
      {
        domain: "company-y.example",
        day: "2016-04-01",
        type: "sts",
        successful: 5326,
        failed: 303,
        organization: "Company-X",
        resultTypes: {
          "certificate-expired": 100,
          "starttls-not-supported": 200,
          "validation-failure": 3,
        },
        sendingIp: { "2001:db8:abcd:12::1": 100, "2001:db8:abcd:13::1": 200, "198.51.100.62": 3 },
        policy: { mode: "testing", max_age: 86400, mx: ["*.mail.company-y.example"] },
      },
    ],
    warnings: [/mx-host is a string/],
  },
  {
    file: "tlsrpt-be__test.eml",
    rows: [
      {
        domain: "company-y.example",
        day: "2016-04-01",
        type: "sts",
        successful: 5326,
        failed: 303,
        organization: "Company-X",
        resultTypes: {
          "certificate-expired": 100,
          "starttls-not-supported": 200,
          "validation-failure": 3,
        },
      },
    ],
    warnings: [/no closing boundary/, /mx-host is a string/],
  },
  {
    file: "tlsrpt-reporter-issue-51__no-policy-found-without-policy-domain.json",
    rows: [
      {
        domain: "_unattributed",
        day: "2025-09-20",
        type: "no-policy-found",
        successful: 1,
        failed: 0,
        organization: "mta.example.org",
      },
    ],
    warnings: [/policy-domain is missing .* kept as unattributed/],
  },
  {
    file: "tlsrpt-rs__google2.eml",
    rows: [
      {
        domain: "example.net",
        day: "2024-09-18",
        type: "sts",
        successful: 2,
        failed: 0,
        organization: "Google Inc.",
        policy: { mode: "enforce", max_age: 10368000, mx: ["carp-20.example.net"] },
      },
    ],
  },
  {
    file: "tlsrpt-rs__microsoft1.eml",
    rows: [
      {
        domain: "example.net",
        day: "2024-09-13",
        type: "sts",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
      },
      {
        domain: "example.net",
        day: "2024-09-13",
        type: "tlsa",
        successful: 2,
        failed: 0,
        organization: "Microsoft Corporation",
      },
    ],
  },
];

const sharedReports = sharedPath("cases/reports");
if (sharedReports === null) {
  reportMissingShared("cases/reports");
}

describe.skipIf(sharedReports === null)("real report samples", () => {
  it.each(REAL_REPORTS)("$file", async (reportCase) => {
    await checkCase(path.join(sharedReports!, reportCase.file), reportCase);
  });

  it("covers every sample in the folder", async () => {
    const files = (await readdir(sharedReports!)).filter((name) => !name.startsWith(".")).sort();
    expect(files).toEqual(REAL_REPORTS.map((reportCase) => reportCase.file).sort());
  });

  it("issue-51 attributed by an RFC 8460 file name", async () => {
    const source = path.join(
      sharedReports!,
      "tlsrpt-reporter-issue-51__no-policy-found-without-policy-domain.json",
    );
    const renamed = path.join(
      workspace.root,
      "mta.example.org!example.com!1758326400!1758412799.json",
    );
    await copyFile(source, renamed);

    const result = await workspace.ingestFiles([renamed]);
    expect(result.reports[0]?.domains).toEqual(["example.com"]);
    expect(
      (await workspace.typeDay("example.com", "2025-09-20", "no-policy-found"))
        ?.successful_sessions,
    ).toBe(1);
  });

  it("three copies of the RFC example count once", async () => {
    const result = await workspace.ingestFiles([
      path.join(sharedReports!, "parsedmarc__rfc8460.json"),
      path.join(sharedReports!, "tlsrpt-be__test.eml"),
      path.join(sharedReports!, "mox__rfc8460-example-message.eml"),
    ]);
    expect(result.counts).toEqual({ read: 3, new: 1, duplicate: 2, quarantined: 0 });
  });

  it("whole folder twice leaves files byte-identical", async () => {
    const first = await workspace.ingest([{ type: "directory", path: sharedReports! }]);
    const before = await workspace.snapshot();
    const second = await workspace.ingest([{ type: "directory", path: sharedReports! }]);

    expect(first.counts.quarantined).toBe(0);
    expect(second.counts).toEqual({
      read: first.counts.read,
      new: 0,
      duplicate: first.counts.read,
      quarantined: 0,
    });
    expect(second.summaries).toEqual([]);
    expect(await workspace.snapshot()).toEqual(before);
  });
});
