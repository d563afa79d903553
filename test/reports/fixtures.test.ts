/**
 * The synthetic fixtures in test/fixtures/reports: the same quirks as the real samples,
 * so they stay tested without the shared folder.
 */

import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, reportFixture, type Workspace } from "./helpers.js";

let workspace: Workspace;

beforeEach(async () => {
  workspace = await createWorkspace();
});

afterEach(async () => {
  await workspace.cleanup();
});

interface FixtureCase {
  file: string;
  domain: string;
  day: string;
  type: string;
  successful: number;
  failed: number;
  organization: string;
  reportId: string;
  resultTypes?: Record<string, number>;
  warnings?: RegExp[];
}

const FIXTURES: FixtureCase[] = [
  {
    file: "google-lf-qp-banner.eml",
    domain: "fabrikam.example",
    day: "2025-02-03",
    type: "no-policy-found",
    successful: 31,
    failed: 0,
    organization: "Google Inc.",
    reportId: "2025-02-03T00:00:00Z_fabrikam.example",
  },
  {
    file: "microsoft-folded-subject-no-zone.eml",
    domain: "fabrikam.example",
    day: "2025-02-03",
    type: "tlsa",
    successful: 9,
    failed: 0,
    organization: "Microsoft Corporation",
    reportId: "133830000000000001+fabrikam.example",
    warnings: [/start-datetime "2025-02-03T00:00:00" has no time zone offset and was read as UTC/],
  },
  {
    file: "gzip-label-on-plain-json.eml",
    domain: "fabrikam.example",
    day: "2025-02-05",
    type: "sts",
    successful: 4,
    failed: 1,
    organization: "Contoso Mail",
    reportId: "contoso-2025-02-05-fabrikam",
    resultTypes: { "starttls-not-supported": 1 },
    warnings: [/labelled application\/tlsrpt\+gzip holds plain JSON/],
  },
  {
    file: "json-label-on-gzip.eml",
    domain: "fabrikam.example",
    day: "2025-02-05",
    type: "sts",
    successful: 4,
    failed: 1,
    organization: "Contoso Mail",
    reportId: "contoso-2025-02-05-fabrikam",
    resultTypes: { "starttls-not-supported": 1 },
    warnings: [/labelled application\/tlsrpt\+json holds gzip data/],
  },
  {
    file: "rfc-example-8bit-unfolded-subject.eml",
    domain: "company-y.example",
    day: "2016-04-01",
    type: "sts",
    successful: 5326,
    failed: 303,
    organization: "Company-X",
    reportId: "fixture-rfc-example-8bit",
    resultTypes: {
      "certificate-expired": 100,
      "starttls-not-supported": 200,
      "validation-failure": 3,
    },
    warnings: [/no closing boundary/, /mx-host is a string/],
  },
  {
    file: "base64-one-line-no-closing-boundary.eml",
    domain: "fabrikam.example",
    day: "2025-02-05",
    type: "sts",
    successful: 4,
    failed: 1,
    organization: "Contoso Mail",
    reportId: "contoso-2025-02-05-one-line",
    warnings: [/no closing boundary/],
  },
  {
    file: "mta.reporter.example!fabrikam.example!1738972800!1739059199!001.json.gz",
    domain: "fabrikam.example",
    day: "2025-02-08",
    type: "no-policy-found",
    successful: 6,
    failed: 0,
    organization: "mta.reporter.example",
    reportId: "2025-02-08T00:00:00Z_idx1",
    warnings: [
      /policy-domain is missing; attributed to fabrikam\.example from the RFC 8460 file name/,
    ],
  },
  {
    file: "tab-indented-quirks.json",
    domain: "fabrikam.example",
    day: "2025-02-09",
    type: "sts",
    successful: 7,
    failed: 2,
    organization: "small-mta.example",
    reportId: "1739059200_42",
    resultTypes: { "certificate-host-mismatch": 2 },
    warnings: [/contact-info is null/, /mx-host is a string/],
  },
  {
    file: "three-space-indented-quirks.json",
    domain: "fabrikam.example",
    day: "2025-02-09",
    type: "sts",
    successful: 7,
    failed: 2,
    organization: "small-mta.example",
    reportId: "1739059200_43",
    resultTypes: { "certificate-host-mismatch": 2 },
  },
];

describe("synthetic fixtures", () => {
  it.each(FIXTURES)("$file", async (fixture) => {
    const result = await workspace.ingestFiles([reportFixture(fixture.file)]);
    expect(result.counts).toEqual({ read: 1, new: 1, duplicate: 0, quarantined: 0 });
    expect(result.reports[0]?.reportId).toBe(fixture.reportId);

    const entry = await workspace.typeDay(fixture.domain, fixture.day, fixture.type);
    expect(entry?.successful_sessions).toBe(fixture.successful);
    expect(entry?.failed_sessions).toBe(fixture.failed);
    expect(Object.keys(entry?.organizations ?? {})).toEqual([fixture.organization]);
    expect(entry?.failures_by_result_type).toEqual(fixture.resultTypes ?? {});

    const warnings = result.reports[0]?.warnings ?? [];
    for (const pattern of fixture.warnings ?? []) {
      expect(
        warnings.some((warning) => pattern.test(warning)),
        `${pattern} in ${JSON.stringify(warnings)}`,
      ).toBe(true);
    }
  });

  it("microsoft sts and tlsa kept apart", async () => {
    await workspace.ingestFiles([reportFixture("microsoft-folded-subject-no-zone.eml")]);
    const day = (await workspace.summary("fabrikam.example", "2025-02")).days["2025-02-03"];
    expect(Object.keys(day ?? {}).sort()).toEqual(["sts", "tlsa"]);
    expect(day?.sts?.successful_sessions).toBe(9);
    expect(day?.sts?.policies.map((policy) => policy.mode)).toEqual(["testing"]);
    expect(day?.tlsa?.policies).toEqual([]);
  });

  it("next-midnight end counts on the start day only", async () => {
    await workspace.ingestFiles([reportFixture("tab-indented-quirks.json")]);
    const summary = await workspace.summary("fabrikam.example", "2025-02");
    expect(Object.keys(summary.days)).toEqual(["2025-02-09"]);
  });

  it("empty strings are absent, hosts and IPv6 normalised", async () => {
    await workspace.ingestFiles([reportFixture("tab-indented-quirks.json")]);
    const entry = await workspace.typeDay("fabrikam.example", "2025-02-09", "sts");
    expect(entry?.failures_by_receiving_mx).toEqual({ "mail.fabrikam.example": 2 });
    expect(entry?.failures_by_sending_ip).toEqual({ "2001:db8:0:42::25": 1 });
    expect(entry?.failures_by_receiving_ip).toEqual({});
    expect(entry?.failures_by_reason_code).toEqual({ "hostname mismatch": 1 });
  });

  it("mbox yields both reports", async () => {
    const result = await workspace.ingestFiles([reportFixture("two-reports.mbox")]);
    expect(result.counts).toEqual({ read: 2, new: 2, duplicate: 0, quarantined: 0 });
    expect(result.reports.map((report) => [report.reportId, report.day])).toEqual([
      ["mbox-1", "2025-02-06"],
      ["mbox-2", "2025-02-07"],
    ]);
    expect(result.reports[0]?.origin).toMatch(/two-reports\.mbox#1$/);
  });

  it("labels do not decide the format", async () => {
    const result = await workspace.ingestFiles([
      reportFixture("gzip-label-on-plain-json.eml"),
      reportFixture("json-label-on-gzip.eml"),
    ]);
    expect(result.counts).toEqual({ read: 2, new: 1, duplicate: 1, quarantined: 0 });
  });

  it("whole folder twice leaves files byte-identical", async () => {
    const folder = reportFixture("");
    const first = await workspace.ingest([{ type: "directory", path: folder }]);
    const before = await workspace.snapshot();
    const second = await workspace.ingest([{ type: "directory", path: folder }]);

    // The folder's README.md is no report, so it is quarantined, not skipped.
    expect(first.quarantined.map((entry) => path.basename(entry.origin))).toEqual(["README.md"]);
    expect(second.counts.new).toBe(0);
    expect(second.summaries).toEqual([]);
    expect(await workspace.snapshot()).toEqual(before);
  });
});
