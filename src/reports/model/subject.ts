/**
 * Report mail headers (RFC 8460 section 5.3). The report body is authoritative when
 * these disagree with it (RFC 8460 section 5.6), so they only fill gaps.
 */

/** Report fields from the headers of a report e-mail. */
export interface ReportMailHeaders {
  /** TLS-Report-Domain, else the subject's "Domain:" value. */
  policyDomain: string | null;
  /** TLS-Report-Submitter, else the subject's "Submitter:" value. */
  submitter: string | null;
  /** The subject's "Report-ID:" value (or a separate Report-ID header) without angle brackets. */
  reportId: string | null;
}

/**
 * RFC 8460 section 5.3 subject: "Report Domain: d Submitter: s Report-ID: <id@host>".
 * Microsoft leaves out the angle brackets, and some messages carry "Submitter:" and
 * "Report-ID:" as header fields of their own, so each value is matched alone.
 */
const SUBJECT_DOMAIN = /\bDomain:\s*([^\s<>]+)/;
const SUBJECT_SUBMITTER = /\bSubmitter:\s*([^\s<>]+)/;
const SUBJECT_REPORT_ID = /\bReport-ID:\s*<?([^\s<>]+)>?/;

function stripAngleBrackets(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith("<") && trimmed.endsWith(">") ? trimmed.slice(1, -1).trim() : trimmed;
}

function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed.length === 0 ? null : trimmed;
}

/** Reads the report headers from header fields given by lower-cased name. */
export function readReportMailHeaders(field: (name: string) => string | null): ReportMailHeaders {
  const subject = (field("subject") ?? "").replace(/\s+/g, " ");

  const policyDomain =
    nonEmpty(field("tls-report-domain")) ?? nonEmpty(SUBJECT_DOMAIN.exec(subject)?.[1]);
  const submitter =
    nonEmpty(field("tls-report-submitter")) ??
    nonEmpty(SUBJECT_SUBMITTER.exec(subject)?.[1]) ??
    nonEmpty(field("submitter"));

  const separateReportId = field("report-id");
  const reportId =
    nonEmpty(SUBJECT_REPORT_ID.exec(subject)?.[1]) ??
    (separateReportId === null ? null : nonEmpty(stripAngleBrackets(separateReportId)));

  return { policyDomain, submitter, reportId };
}
