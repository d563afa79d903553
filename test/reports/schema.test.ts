/** The generated JSON Schema of RFC 8460 reports and how it relates to ingestion. */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { REPORT_SCHEMA_FILE, renderReportJsonSchema } from "../../src/reports/model/schema.js";
import { buildReportJson } from "../../src/sandbox/sample-reports.js";
import { repoRoot } from "../support/shared.js";
import { caseFixture, reportFixture } from "./helpers.js";

const schemaPath = path.join(repoRoot, "schemas", REPORT_SCHEMA_FILE);

async function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(await readFile(schemaPath, "utf8")));
}

async function readJson(file: string): Promise<unknown> {
  const bytes = await readFile(file);
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString("utf8");
  return JSON.parse(text);
}

describe("report JSON Schema", () => {
  it("committed file matches the zod schema", async () => {
    expect(await readFile(schemaPath, "utf8")).toBe(renderReportJsonSchema());
  });

  it("accepts conformant reports", async () => {
    const validate = await validator();
    const conformant = [
      buildReportJson({
        organizationName: "Google Inc.",
        contactInfo: "smtp-tls-reporting@google.com",
        reportId: "r1",
        day: "2025-01-01",
        policyDomain: "contoso-mail.example",
        mode: "testing",
        mx: ["mail.contoso-mail.example"],
        maxAge: 604800,
        successful: 3,
        failures: [
          {
            resultType: "certificate-expired",
            receivingMxHostname: "mail.contoso-mail.example",
            failedSessionCount: 1,
          },
        ],
      }),
      await readJson(caseFixture("27-report-gzip-file.json.gz")),
      await readJson(caseFixture("31-report-detail-sum-exceeds-summary.json")),
      await readJson(caseFixture("35-report-end-next-midnight.json")),
    ];
    for (const report of conformant) {
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it.each([
    ["24-report-contact-null-empty-arrays.json", "/contact-info"],
    ["25-report-datetime-without-timezone.json", "/date-range/start-datetime"],
    ["33-report-empty-string-fields.json", "/policies/0/failure-details/0/sending-mta-ip"],
  ])("rejects %s at %s", async (file, pointer) => {
    const validate = await validator();
    expect(validate(await readJson(caseFixture(file)))).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toContain(pointer);
  });

  it("rejects a string mx-host and a missing policy-domain", async () => {
    const validate = await validator();
    expect(validate(await readJson(reportFixture("tab-indented-quirks.json")))).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toContain(
      "/policies/0/policy/mx-host",
    );

    const noDomain = await readJson(
      reportFixture("mta.reporter.example!fabrikam.example!1738972800!1739059199!001.json.gz"),
    );
    expect(validate(noDomain)).toBe(false);
    expect(validate.errors?.map((error) => error.params)).toContainEqual({
      missingProperty: "policy-domain",
    });
  });

  it("rejects the prose key names", async () => {
    const validate = await validator();
    const report = (await readJson(caseFixture("27-report-gzip-file.json.gz"))) as {
      policies: { policy: Record<string, unknown> }[];
    };
    const policy = report.policies[0]!.policy;
    policy["mx-host-pattern"] = policy["mx-host"];
    delete policy["mx-host"];
    expect(validate(report)).toBe(false);
    expect(validate.errors?.map((error) => error.params)).toContainEqual({
      additionalProperty: "mx-host-pattern",
    });
  });
});
