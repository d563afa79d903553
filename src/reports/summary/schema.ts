/**
 * The committed monthly summary file, reports/summaries/<policy-domain>/<YYYY-MM>.json.
 * Counts are per UTC day and per policy type; session totals come from the reports'
 * summary fields, the failure breakdowns from their failure-details.
 */

import { z } from "zod";

/** Version of the file layout; a reader refuses files of another version. */
export const SUMMARY_FORMAT = 1;

const count = z.number().int().nonnegative();
const counts = z.record(z.string(), count);

const failureRow = z.object({
  result_type: z.string(),
  receiving_mx_hostname: z.string().nullable(),
  receiving_ip: z.string().nullable(),
  sending_mta_ip: z.string().nullable(),
  failure_reason_code: z.string().nullable(),
  organization: z.string(),
  failed_sessions: count,
});

const policySeen = z.object({
  mode: z.string().nullable(),
  max_age: count.nullable(),
  mx: z.array(z.string()),
  policy_id: z.string().nullable(),
  reports: count,
  successful_sessions: count,
  failed_sessions: count,
});

const organizationTotals = z.object({
  reports: count,
  successful_sessions: count,
  failed_sessions: count,
});

const policyTypeDay = z.object({
  reports: count,
  successful_sessions: count,
  failed_sessions: count,
  organizations: z.record(z.string(), organizationTotals),
  failures_by_result_type: counts,
  failures_by_receiving_mx: counts,
  failures_by_receiving_ip: counts,
  failures_by_sending_ip: counts,
  failures_by_reason_code: counts,
  failure_details: z.array(failureRow),
  policies: z.array(policySeen),
});

const reportRecord = z.object({
  organization: z.string(),
  report_id: z.string(),
  day: z.string(),
  warnings: z.array(z.string()),
});

/** Zod schema of a monthly summary file. */
export const monthSummaryFileSchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  domain: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  days: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.record(z.string(), policyTypeDay)),
  reports: z.array(reportRecord),
});

export type MonthSummaryFile = z.infer<typeof monthSummaryFileSchema>;
export type PolicyTypeDayFile = z.infer<typeof policyTypeDay>;
export type FailureRowFile = z.infer<typeof failureRow>;
export type PolicySeenFile = z.infer<typeof policySeen>;
export type ReportRecordFile = z.infer<typeof reportRecord>;
