/**
 * Turns a parsed JSON value into a TlsRptReport (RFC 8460 section 4.4). Non-conformance
 * becomes a warning on the report. Only what makes the report impossible to count raises
 * UnreadableInputError, which sends the input to quarantine: no readable date-range, no
 * policies array, unreadable session counts, or a policy domain that is no domain name.
 */

import { createHash } from "node:crypto";
import { UnreadableInputError } from "../quarantine.js";
import { parseReportDateTime } from "./datetime.js";
import { reportDay } from "./day.js";
import {
  isObject,
  normalizePolicyDomain,
  readText,
  WarningList,
  warnUnknownKeys,
} from "./fields.js";
import { parseReportFileName } from "./filename.js";
import { type AttributionSources, readPolicyResult } from "./normalize-policy.js";
import type { TlsRptReport } from "./report.js";
import type { ReportMailHeaders } from "./subject.js";

/** The context of a report: its file name and the headers of the e-mail that carried it. */
export interface ReportEnvelope {
  fileName: string | null;
  mail: ReportMailHeaders | null;
  /** Warnings found while decoding (MIME labels, missing boundary, ...). */
  warnings: string[];
}

const REPORT_KEYS = new Set([
  "organization-name",
  "date-range",
  "contact-info",
  "report-id",
  "policies",
]);
const DATE_RANGE_KEYS = new Set(["start-datetime", "end-datetime"]);

/** Identifiers longer than this are not from a real sender; the report is quarantined. */
const MAX_IDENTIFIER_LENGTH = 512;

const DAY_MS = 86_400_000;

function notAReport(message: string): UnreadableInputError {
  return new UnreadableInputError("not-a-report", message);
}

/** Reads the envelope's domains, ignoring one that is no domain name (with a warning). */
function attributionSources(envelope: ReportEnvelope, warnings: WarningList): AttributionSources {
  const read = (text: string | null | undefined, label: string): string | null => {
    if (text === null || text === undefined) {
      return null;
    }
    try {
      return normalizePolicyDomain(text, label, warnings);
    } catch {
      warnings.add(
        `${label} ${JSON.stringify(text.slice(0, 100))} is not a domain name and was ignored`,
      );
      return null;
    }
  };

  const fileName = envelope.fileName === null ? null : parseReportFileName(envelope.fileName);
  return {
    mailDomain: read(envelope.mail?.policyDomain, "TLS-Report-Domain"),
    fileNameDomain: read(fileName?.policyDomain, "file name domain"),
  };
}

function readDateRange(value: unknown, warnings: WarningList): { start: Date; end: Date } {
  if (!isObject(value)) {
    throw notAReport(
      "date-range is missing or not an object, so the report cannot be placed on a day",
    );
  }
  warnUnknownKeys(value, DATE_RANGE_KEYS, "date-range.", warnings);

  const startText = typeof value["start-datetime"] === "string" ? value["start-datetime"] : "";
  const start = parseReportDateTime(startText, "date-range.start-datetime");
  if (start === null) {
    throw notAReport(
      `date-range.start-datetime ${JSON.stringify(value["start-datetime"] ?? null)} is not an RFC 3339 date-time, so the report cannot be placed on a day`,
    );
  }
  if (start.warning !== null) {
    warnings.add(start.warning);
  }

  const endText = typeof value["end-datetime"] === "string" ? value["end-datetime"] : "";
  const end = parseReportDateTime(endText, "date-range.end-datetime");
  if (end === null) {
    warnings.add(
      `date-range.end-datetime ${JSON.stringify(value["end-datetime"] ?? null)} is not an RFC 3339 date-time; the report is taken to cover one day from its start`,
    );
    return { start: start.date, end: new Date(start.date.getTime() + DAY_MS - 1000) };
  }
  if (end.warning !== null) {
    warnings.add(end.warning);
  }
  return { start: start.date, end: end.date };
}

function domainOfAddress(address: string | null): string | null {
  if (address === null) {
    return null;
  }
  const at = address.lastIndexOf("@");
  if (at === -1) {
    return null;
  }
  const end = address.endsWith(">") ? address.length - 1 : address.length;
  return address.slice(at + 1, end).toLowerCase();
}

function readContactInfo(
  report: Record<string, unknown>,
  envelope: ReportEnvelope,
  warnings: WarningList,
) {
  if (report["contact-info"] === null) {
    warnings.add(
      "contact-info is null; RFC 8460 section 4.4 requires an e-mail address; treated as absent",
    );
  } else if (!("contact-info" in report)) {
    warnings.add("contact-info is missing; RFC 8460 section 4.4 requires it");
  }
  const contactInfo = readText(report["contact-info"], "contact-info", warnings);

  // RFC 8460 section 5.3: TLS-Report-Submitter MUST match the domain of contact-info.
  const submitter = envelope.mail?.submitter?.toLowerCase() ?? null;
  const contactDomain = domainOfAddress(contactInfo);
  if (submitter !== null && contactDomain !== null && submitter !== contactDomain) {
    warnings.add(
      `TLS-Report-Submitter ${submitter} does not match the contact-info domain ${contactDomain} (RFC 8460 section 5.3)`,
    );
  }
  return contactInfo;
}

function readIdentifier(value: unknown, path: string, warnings: WarningList): string | null {
  if (typeof value === "string" && value.trim().length > MAX_IDENTIFIER_LENGTH) {
    throw notAReport(
      `${path} is ${value.trim().length} characters long; no real report uses more than ${MAX_IDENTIFIER_LENGTH}`,
    );
  }
  return readText(value, path, warnings);
}

function readOrganization(
  report: Record<string, unknown>,
  contactInfo: string | null,
  envelope: ReportEnvelope,
  warnings: WarningList,
): string {
  const name = readIdentifier(report["organization-name"], "organization-name", warnings);
  if (name !== null) {
    return name;
  }

  const fallback =
    domainOfAddress(contactInfo) ?? envelope.mail?.submitter?.toLowerCase() ?? "unknown";
  warnings.add(
    `organization-name is missing or empty (RFC 8460 section 4.4 requires it); the report is filed under ${JSON.stringify(fallback)}`,
  );
  return fallback;
}

function readReportId(
  report: Record<string, unknown>,
  payload: Uint8Array,
  envelope: ReportEnvelope,
  warnings: WarningList,
): string {
  const reportId = readIdentifier(report["report-id"], "report-id", warnings);
  if (reportId !== null) {
    return reportId;
  }

  const subjectId = envelope.mail?.reportId ?? null;
  if (subjectId !== null && subjectId.length <= MAX_IDENTIFIER_LENGTH) {
    warnings.add(
      `report-id is missing (RFC 8460 section 4.4 requires it); the Report-ID from the subject was used`,
    );
    return subjectId;
  }

  const digest = createHash("sha256").update(payload).digest("hex").slice(0, 32);
  warnings.add(
    `report-id is missing (RFC 8460 section 4.4 requires it); the SHA-256 of the report was used`,
  );
  return `sha256:${digest}`;
}

/** Normalises a parsed report; `payload` is the JSON bytes, used only for a stand-in id. */
export function normalizeReport(
  value: unknown,
  payload: Uint8Array,
  envelope: ReportEnvelope,
): TlsRptReport {
  const warnings = new WarningList();
  for (const warning of envelope.warnings) {
    warnings.add(warning);
  }

  if (!isObject(value)) {
    throw notAReport(
      `top-level JSON value is ${Array.isArray(value) ? "an array" : typeof value}, not a report object`,
    );
  }
  warnUnknownKeys(value, REPORT_KEYS, "", warnings);

  const { start, end } = readDateRange(value["date-range"], warnings);
  const day = reportDay(start, end);
  if (day.warning !== null) {
    warnings.add(day.warning);
  }

  const policiesValue = value.policies;
  if (!Array.isArray(policiesValue)) {
    throw notAReport(
      "policies is missing or not an array (RFC 8460 section 4.4 requires an array)",
    );
  }
  if (policiesValue.length === 0) {
    warnings.add("policies is empty; the report adds no sessions");
  }

  const sources = attributionSources(envelope, warnings);
  const policies = policiesValue.map((entry, index) =>
    readPolicyResult(entry, index, sources, warnings),
  );
  const contactInfo = readContactInfo(value, envelope, warnings);

  return {
    organizationName: readOrganization(value, contactInfo, envelope, warnings),
    contactInfo,
    reportId: readReportId(value, payload, envelope, warnings),
    start,
    end,
    day: day.day,
    policies,
    envelopeDomain: sources.mailDomain ?? sources.fileNameDomain,
    warnings: warnings.toArray(),
  };
}
