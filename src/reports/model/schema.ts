/**
 * The TLS-RPT report format of RFC 8460 section 4.4 as a zod schema, strict about the
 * field names. schemas/tlsrpt-report.schema.json is generated from it. Ingestion does not
 * reject reports that fail it; normalize-report.ts reads them tolerantly and records
 * each deviation as a warning.
 */

import { z } from "zod";
import { POLICY_TYPES, RESULT_TYPES } from "./report.js";

/** File name of the generated JSON Schema inside schemas/. */
export const REPORT_SCHEMA_FILE = "tlsrpt-report.schema.json";

/** RFC 8460 section 4.4: date-time as in RFC 3339 section 5.6, which needs an offset or Z. */
const dateTime = z.iso
  .datetime({ offset: true })
  .describe("RFC 3339 date-time with Z or an offset");

const sessionCount = z.number().int().nonnegative();

const ipAddress = z.union([z.ipv4(), z.ipv6()]);

const failureDetail = z
  .strictObject({
    "result-type": z
      .string()
      .min(1)
      .describe(`RFC 8460 section 4.3 or the IANA registry: ${RESULT_TYPES.join(", ")}`),
    "sending-mta-ip": ipAddress.optional(),
    "receiving-mx-hostname": z.string().min(1).optional(),
    "receiving-mx-helo": z.string().min(1).optional(),
    "receiving-ip": ipAddress.optional(),
    "failed-session-count": sessionCount,
    "additional-information": z.string().optional().describe("a URI; never fetched"),
    "failure-reason-code": z.string().optional(),
  })
  .describe("Failed sessions of one kind; result types are not exclusive");

const policyEntry = z.strictObject({
  policy: z.strictObject({
    "policy-type": z.enum(POLICY_TYPES),
    "policy-string": z
      .array(z.string())
      .optional()
      .describe("sts: one element per policy line; tlsa: one element per TLSA record"),
    "policy-domain": z.string().min(1).describe("the Policy Domain as an A-label"),
    "mx-host": z.array(z.string()).optional().describe("mx patterns of the applied sts policy"),
  }),
  summary: z.strictObject({
    "total-successful-session-count": sessionCount,
    "total-failure-session-count": sessionCount,
  }),
  "failure-details": z.array(failureDetail).optional(),
});

/** Zod schema of an RFC 8460 section 4.4 report. */
export const tlsRptReportSchema = z
  .strictObject({
    "organization-name": z.string().min(1),
    "date-range": z.strictObject({
      "start-datetime": dateTime,
      "end-datetime": dateTime,
    }),
    "contact-info": z.string().min(1).describe("RFC 5322 addr-spec of the reporter"),
    "report-id": z.string().min(1),
    policies: z.array(policyEntry),
  })
  .meta({
    title: "TLS-RPT report",
    description:
      "SMTP TLS Reporting aggregate report, RFC 8460 section 4.4. Generated from src/reports/model/schema.ts.",
  });

/** Returns the JSON Schema text written to schemas/tlsrpt-report.schema.json. */
export function renderReportJsonSchema(): string {
  const schema = z.toJSONSchema(tlsRptReportSchema, { target: "draft-07" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
