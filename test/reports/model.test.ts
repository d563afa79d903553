/** The report model: timestamps, the day rule, file names, mail headers and normalisation. */

import { describe, expect, it } from "vitest";
import { parseReportDateTime } from "../../src/reports/model/datetime.js";
import { reportDay } from "../../src/reports/model/day.js";
import { parseReportFileName } from "../../src/reports/model/filename.js";
import { normalizeReport, type ReportEnvelope } from "../../src/reports/model/normalize-report.js";
import { readReportMailHeaders } from "../../src/reports/model/subject.js";
import { UnreadableInputError } from "../../src/reports/quarantine.js";

describe("parseReportDateTime", () => {
  const cases: [string, string | null, RegExp | null][] = [
    ["2016-04-01T23:59:59Z", "2016-04-01T23:59:59.000Z", null],
    ["2016-04-01t23:59:59z", "2016-04-01T23:59:59.000Z", null],
    ["2024-02-23T00:00:00+02:00", "2024-02-22T22:00:00.000Z", null],
    ["2024-02-22T20:00:00-05:30", "2024-02-23T01:30:00.000Z", null],
    ["2024-02-22T10:00:00.123456Z", "2024-02-22T10:00:00.123Z", null],
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59.000Z", null],
    ["2023-01-10T00:00:00", "2023-01-10T00:00:00.000Z", /no time zone offset and was read as UTC/],
    ["2023-01-10 00:00:00Z", "2023-01-10T00:00:00.000Z", /space instead of "T"/],
    ["2023-01-10", "2023-01-10T00:00:00.000Z", /no time of day/],
    ["2023-01-10T08:30Z", "2023-01-10T08:30:00.000Z", /no seconds/],
    ["2023-02-30T00:00:00Z", null, null],
    ["2023-13-01T00:00:00Z", null, null],
    ["yesterday", null, null],
    ["", null, null],
  ];
  it.each(cases)("%s", (text, iso, warning) => {
    const parsed = parseReportDateTime(text, "start-datetime");
    expect(parsed?.date.toISOString() ?? null).toBe(iso);
    if (warning === null) {
      expect(parsed?.warning ?? null).toBeNull();
    } else {
      expect(parsed?.warning).toMatch(warning);
    }
  });
});

describe("parseReportDateTime cache", () => {
  it("returns a new Date for a repeated timestamp", () => {
    const first = parseReportDateTime("2024-09-15T00:00:00Z", "start-datetime");
    const second = parseReportDateTime("2024-09-15T00:00:00Z", "start-datetime");
    expect(second?.date).toEqual(first?.date);
    expect(second?.date).not.toBe(first?.date);
  });
});

describe("reportDay", () => {
  const cases: [string, string, string, string, boolean][] = [
    ["whole day to 23:59:59", "2024-09-15T00:00:00Z", "2024-09-15T23:59:59Z", "2024-09-15", false],
    [
      "end at next midnight is exclusive",
      "2023-01-25T00:00:00Z",
      "2023-01-26T00:00:00Z",
      "2023-01-25",
      false,
    ],
    [
      "whole day to 23:59:59.999",
      "2023-01-25T00:00:00Z",
      "2023-01-25T23:59:59.999Z",
      "2023-01-25",
      false,
    ],
    [
      "rolling day, larger share on the start day",
      "2023-01-25T06:00:00Z",
      "2023-01-26T06:00:00Z",
      "2023-01-25",
      true,
    ],
    [
      "rolling day, larger share on the end day",
      "2023-01-25T22:00:00Z",
      "2023-01-26T22:00:00Z",
      "2023-01-26",
      true,
    ],
    [
      "tie goes to the start day",
      "2023-01-25T12:00:00Z",
      "2023-01-26T12:00:00Z",
      "2023-01-25",
      true,
    ],
    [
      "three days count on the middle day",
      "2023-01-25T00:00:00Z",
      "2023-01-28T00:00:00Z",
      "2023-01-26",
      true,
    ],
    ["partial day", "2023-01-25T00:00:00Z", "2023-01-25T06:00:00Z", "2023-01-25", true],
    [
      "offset day counts on its larger UTC share",
      "2024-02-23T00:00:00+02:00",
      "2024-02-23T23:59:59+02:00",
      "2024-02-23",
      true,
    ],
    ["end before start", "2023-01-25T00:00:00Z", "2023-01-24T00:00:00Z", "2023-01-25", true],
    ["zero length", "2023-01-25T00:00:00Z", "2023-01-25T00:00:00Z", "2023-01-25", true],
  ];
  it.each(cases)("%s", (_name, start, end, day, warns) => {
    const result = reportDay(new Date(start), new Date(end));
    expect(result.day).toBe(day);
    expect(result.warning !== null).toBe(warns);
  });

  it("ignores the host time zone", () => {
    const before = process.env.TZ;
    process.env.TZ = "Pacific/Kiritimati";
    try {
      const start = parseReportDateTime("2023-01-10T00:00:00", "start")!.date;
      const end = parseReportDateTime("2023-01-10T23:59:59", "end")!.date;
      expect(reportDay(start, end).day).toBe("2023-01-10");
    } finally {
      process.env.TZ = before;
    }
  });
});

describe("parseReportFileName", () => {
  it.each([
    ["mail.sndr.example.com!example.net!1470013207!1470186007!001.json.gz", "example.net", "001"],
    ["google.com!example.com!1725321600!1725407999!001.json.gz", "example.com", "001"],
    ["microsoft.com!example.net!1726185600!1726271999.json", "example.net", null],
    ["/some/dir/a.example!b.example!1!2!x9.JSON.GZ", "b.example", "x9"],
  ])("%s", (name, domain, uniqueId) => {
    const parsed = parseReportFileName(name);
    expect(parsed?.policyDomain).toBe(domain);
    expect(parsed?.uniqueId).toBe(uniqueId);
  });

  it.each(["report.json", "a!b!c!d.json", "a!b!1!2!3!4.json", "a!b!1!2.txt", "a!b!1!2!x-y.json"])(
    "rejects %s",
    (name) => {
      expect(parseReportFileName(name)).toBeNull();
    },
  );
});

describe("readReportMailHeaders", () => {
  const header = (fields: Record<string, string>) => (name: string) => fields[name] ?? null;

  it("reads Google's subject", () => {
    const headers = readReportMailHeaders(
      header({
        subject:
          "Report Domain: example.net Submitter: google.com Report-ID: <2024.09.03T00.00.00Z+example.net@google.com>",
      }),
    );
    expect(headers).toEqual({
      policyDomain: "example.net",
      submitter: "google.com",
      reportId: "2024.09.03T00.00.00Z+example.net@google.com",
    });
  });

  it("reads a bare Report-ID after a fold", () => {
    const headers = readReportMailHeaders(
      header({
        subject:
          "Report Domain: a.example Submitter: microsoft.com Report-ID:   133198585438131172+a.example",
      }),
    );
    expect(headers.reportId).toBe("133198585438131172+a.example");
  });

  it("prefers TLS-Report headers to the subject", () => {
    const headers = readReportMailHeaders(
      header({
        subject: "Report Domain: wrong.example Submitter: wrong.example",
        "tls-report-domain": "right.example",
        "tls-report-submitter": "reporter.example",
      }),
    );
    expect(headers.policyDomain).toBe("right.example");
    expect(headers.submitter).toBe("reporter.example");
  });

  it("returns nulls without headers", () => {
    expect(readReportMailHeaders(header({}))).toEqual({
      policyDomain: null,
      submitter: null,
      reportId: null,
    });
  });
});

const BASE = {
  "organization-name": "Reporter Inc.",
  "date-range": {
    "start-datetime": "2025-01-10T00:00:00Z",
    "end-datetime": "2025-01-10T23:59:59Z",
  },
  "contact-info": "tlsrpt@reporter.example",
  "report-id": "r-1",
  policies: [
    {
      policy: { "policy-type": "sts", "policy-domain": "example.com" },
      summary: { "total-successful-session-count": 5, "total-failure-session-count": 1 },
      "failure-details": [{ "result-type": "starttls-not-supported", "failed-session-count": 1 }],
    },
  ],
};

const NO_ENVELOPE: ReportEnvelope = { fileName: null, mail: null, warnings: [] };

function withPolicy(policy: Record<string, unknown>): Record<string, unknown> {
  return {
    ...BASE,
    policies: [{ ...BASE.policies[0], policy: { ...BASE.policies[0]!.policy, ...policy } }],
  };
}

function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    ...BASE,
    policies: [
      {
        ...BASE.policies[0],
        "failure-details": [
          { "result-type": "validation-failure", "failed-session-count": 1, ...detail },
        ],
      },
    ],
  };
}

/** Normalises `value` as it arrives: serialised and parsed, so undefined members vanish. */
function normalize(value: unknown, envelope: ReportEnvelope = NO_ENVELOPE) {
  const bytes = Buffer.from(JSON.stringify(value));
  return normalizeReport(JSON.parse(bytes.toString()), bytes, envelope);
}

describe("normalizeReport", () => {
  it("reads a conformant report without warnings", () => {
    const report = normalize(BASE);
    expect(report.warnings).toEqual([]);
    expect(report.day).toBe("2025-01-10");
    expect(report.policies[0]?.policyDomain).toBe("example.com");
  });

  const warningCases: [string, Record<string, unknown>, RegExp][] = [
    ["missing contact-info", { ...BASE, "contact-info": undefined }, /contact-info is missing/],
    ["numeric report-id", { ...BASE, "report-id": 42 }, /report-id is a number/],
    ["unknown top-level key", { ...BASE, extra: 1 }, /"extra" is not an RFC 8460 field/],
    [
      "policy alias domain",
      withPolicy({ "policy-domain": undefined, domain: "example.com" }),
      /"domain" was read as "policy-domain"/,
    ],
    [
      "policy alias mx-host-pattern",
      withPolicy({ "mx-host-pattern": ["mail.example.com"] }),
      /"mx-host-pattern" was read as "mx-host"/,
    ],
    ["mx-host string", withPolicy({ "mx-host": "mail.example.com" }), /mx-host is a string/],
    [
      "policy-string string",
      withPolicy({ "policy-string": "version: STSv1" }),
      /policy-string is a string/,
    ],
    [
      "invalid sts policy-string",
      withPolicy({ "policy-string": ["version: STSv1", "mode: enforce"] }),
      /not a valid MTA-STS policy/,
    ],
    [
      "unknown policy type",
      withPolicy({ "policy-type": "dane" }),
      /"dane" is not an RFC 8460 policy type/,
    ],
    [
      "U-label domain",
      withPolicy({ "policy-domain": "bücher.example" }),
      /U-label.*xn--bcher-kva\.example/,
    ],
    [
      "detail alias additional-info-uri",
      withDetail({ "additional-info-uri": "https://x.example/" }),
      /"additional-info-uri" was read as "additional-information"/,
    ],
    [
      "unknown result type",
      withDetail({ "result-type": "tls-downgrade" }),
      /"tls-downgrade" is not a registered result type/,
    ],
    [
      "invalid sending IP",
      withDetail({ "sending-mta-ip": "192.000.2.1" }),
      /"192\.000\.2\.1" is not an IP address; kept as sent/,
    ],
    [
      "detail count as string",
      withDetail({ "failed-session-count": "1" }),
      /is the string "1", not a JSON number/,
    ],
    ["detail without count", withDetail({ "failed-session-count": null }), /entry was ignored/],
    [
      "long reason code",
      withDetail({ "failure-reason-code": "x".repeat(600) }),
      /only the first 512 were kept/,
    ],
    ["empty policies", { ...BASE, policies: [] }, /policies is empty/],
    [
      "missing organization",
      { ...BASE, "organization-name": "" },
      /filed under "reporter\.example"/,
    ],
    ["missing report-id", { ...BASE, "report-id": undefined }, /SHA-256 of the report was used/],
  ];
  it.each(warningCases)("warns: %s", (_name, value, pattern) => {
    const report = normalize(value);
    expect(
      report.warnings.some((warning) => pattern.test(warning)),
      JSON.stringify(report.warnings),
    ).toBe(true);
  });

  it("uses the subject Report-ID when the body has none", () => {
    const report = normalize(
      { ...BASE, "report-id": undefined },
      {
        fileName: null,
        mail: { policyDomain: null, submitter: null, reportId: "abc@reporter.example" },
        warnings: [],
      },
    );
    expect(report.reportId).toBe("abc@reporter.example");
  });

  it("keeps the body report-id over the subject", () => {
    const report = normalize(BASE, {
      fileName: null,
      mail: {
        policyDomain: "example.com",
        submitter: "reporter.example",
        reportId: "other@reporter.example",
      },
      warnings: [],
    });
    expect(report.reportId).toBe("r-1");
    expect(report.warnings).toEqual([]);
  });

  it("flags a submitter that differs from contact-info", () => {
    const report = normalize(BASE, {
      fileName: null,
      mail: { policyDomain: null, submitter: "other.example", reportId: null },
      warnings: [],
    });
    expect(report.warnings).toEqual([
      expect.stringMatching(/TLS-Report-Submitter other\.example does not match/),
    ]);
  });

  it("gives a stand-in id that depends on the content", () => {
    const first = normalize({ ...BASE, "report-id": undefined });
    const second = normalize({ ...BASE, "report-id": undefined, "organization-name": "Other" });
    expect(first.reportId).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(first.reportId).not.toBe(second.reportId);
  });

  it("attributes a missing policy-domain to the header first", () => {
    const report = normalize(withPolicy({ "policy-domain": undefined }), {
      fileName: "r.example!from-name.example!1!2.json",
      mail: { policyDomain: "From-Header.example.", submitter: null, reportId: null },
      warnings: [],
    });
    expect(report.policies[0]?.policyDomain).toBe("from-header.example");
  });

  it("caps warnings at 50 plus a count", () => {
    const extra = Object.fromEntries(
      Array.from({ length: 80 }, (_, index) => [`x${index}`, index]),
    );
    const report = normalize({ ...BASE, ...extra });
    expect(report.warnings).toHaveLength(51);
    expect(report.warnings[50]).toBe("30 more warnings were not kept");
  });

  const rejectCases: [string, unknown, RegExp][] = [
    ["string", "report", /top-level JSON value is string/],
    ["policies missing", { ...BASE, policies: undefined }, /policies is missing or not an array/],
    [
      "policy missing",
      { ...BASE, policies: [{ summary: BASE.policies[0]!.summary }] },
      /policies\[0\]\.policy is missing/,
    ],
    [
      "summary missing",
      { ...BASE, policies: [{ policy: BASE.policies[0]!.policy }] },
      /policies\[0\]\.summary is missing/,
    ],
    ["policy type missing", withPolicy({ "policy-type": undefined }), /policy-type is missing/],
    ["domain with a slash", withPolicy({ "policy-domain": "a/b.example" }), /is not a domain name/],
    [
      "domain with a leading underscore",
      withPolicy({ "policy-domain": "_unattributed" }),
      /is not a domain name/,
    ],
    [
      "huge report-id",
      { ...BASE, "report-id": "x".repeat(600) },
      /report-id is 600 characters long/,
    ],
  ];
  it.each(rejectCases)("rejects: %s", (_name, value, pattern) => {
    expect(() => normalize(value)).toThrow(UnreadableInputError);
    expect(() => normalize(value)).toThrow(pattern);
  });

  it("rejects a fractional session count", () => {
    const value = {
      ...BASE,
      policies: [
        {
          ...BASE.policies[0],
          summary: { "total-successful-session-count": 1.5, "total-failure-session-count": 0 },
        },
      ],
    };
    expect(() => normalize(value)).toThrow(
      /total-successful-session-count is missing or not a non-negative integer/,
    );
  });
});
