/** renderSummaryFile: the fast summary writer gives the same bytes as canonicalJson. */

import { describe, expect, it } from "vitest";
import { normalizeReport } from "../../src/reports/model/normalize-report.js";
import { createPolicyIdLookup } from "../../src/reports/policy-ids.js";
import { canonicalJson } from "../../src/reports/summary/canonical-json.js";
import { MonthSummary } from "../../src/reports/summary/month.js";
import { renderSummaryFile } from "../../src/reports/summary/render.js";

interface ReportSpec {
  organization: string;
  reportId: string;
  day: string;
  reasonCode?: string;
  receivingIp?: string;
}

function reportJson(spec: ReportSpec): Record<string, unknown> {
  return {
    "organization-name": spec.organization,
    "date-range": {
      "start-datetime": `${spec.day}T00:00:00Z`,
      "end-datetime": `${spec.day}T23:59:59Z`,
    },
    "contact-info": "tlsrpt@reporter.example",
    "report-id": spec.reportId,
    policies: [
      {
        policy: {
          "policy-type": "sts",
          "policy-string": [
            "version: STSv1",
            "mode: testing",
            "mx: mx.example.com",
            "max_age: 86400",
          ],
          "policy-domain": "example.com",
          "mx-host": ["mx.example.com"],
        },
        summary: { "total-successful-session-count": 10, "total-failure-session-count": 2 },
        "failure-details": [
          {
            "result-type": "certificate-expired",
            "receiving-mx-hostname": "mx.example.com",
            "receiving-ip": spec.receivingIp ?? "192.0.2.1",
            "sending-mta-ip": "198.51.100.7",
            "failed-session-count": 2,
            ...(spec.reasonCode === undefined ? {} : { "failure-reason-code": spec.reasonCode }),
          },
        ],
      },
    ],
  };
}

/** Builds the summary of example.com for 2024-05 from `specs`. */
function summaryOf(specs: ReportSpec[]): MonthSummary {
  const summary = new MonthSummary("example.com", "2024-05");
  const lookup = createPolicyIdLookup(new Map());
  for (const spec of specs) {
    const json = reportJson(spec);
    const report = normalizeReport(json, Buffer.from(JSON.stringify(json)), {
      fileName: null,
      mail: null,
      warnings: [],
    });
    summary.addReport(report, report.policies, lookup);
  }
  return summary;
}

describe("renderSummaryFile", () => {
  const cases: [string, ReportSpec[]][] = [
    [
      "plain names",
      [
        { organization: "Google Inc.", reportId: "g-1", day: "2024-05-02" },
        { organization: "Microsoft Corporation", reportId: "m-1", day: "2024-05-02" },
        { organization: "Google Inc.", reportId: "g-2", day: "2024-05-01", reasonCode: "x509" },
      ],
    ],
    [
      "organisation named as an array index",
      [
        { organization: "42", reportId: "a", day: "2024-05-03" },
        { organization: "7", reportId: "b", day: "2024-05-03" },
        { organization: "Zeta", reportId: "c", day: "2024-05-03" },
      ],
    ],
    [
      "reason code 0 beside -1",
      [
        { organization: "Mail.ru", reportId: "r", day: "2024-05-09", reasonCode: "0" },
        { organization: "Mail.ru", reportId: "s", day: "2024-05-09", reasonCode: "-1" },
      ],
    ],
    [
      "largest array index",
      [
        { organization: "4294967294", reportId: "a", day: "2024-05-04" },
        { organization: "3x", reportId: "b", day: "2024-05-04" },
      ],
    ],
    [
      "one past the largest array index",
      [
        { organization: "4294967295", reportId: "a", day: "2024-05-04" },
        { organization: "3x", reportId: "b", day: "2024-05-04" },
      ],
    ],
    [
      "leading zero is no index",
      [
        { organization: "007", reportId: "a", day: "2024-05-05" },
        { organization: "006x", reportId: "b", day: "2024-05-05" },
      ],
    ],
    [
      "organisation named __proto__",
      [{ organization: "__proto__", reportId: "p", day: "2024-05-06" }],
    ],
  ];

  it.each(cases)("equals canonicalJson: %s", (_name, specs) => {
    const summary = summaryOf(specs);
    expect(renderSummaryFile(summary)).toBe(canonicalJson(summary.toFile()));
  });

  it("keeps __proto__ as data", () => {
    const text = renderSummaryFile(
      summaryOf([{ organization: "__proto__", reportId: "p", day: "2024-05-06" }]),
    );
    const organizations = JSON.parse(text).days["2024-05-06"].sts.organizations;
    expect(Object.keys(organizations)).toEqual(["__proto__"]);
  });

  it("sorts index-like keys as text", () => {
    const text = renderSummaryFile(
      summaryOf([
        { organization: "9", reportId: "a", day: "2024-05-07" },
        { organization: "10", reportId: "b", day: "2024-05-07" },
      ]),
    );
    expect(text.indexOf('"10": {')).toBeLessThan(text.indexOf('"9": {'));
  });
});
