/**
 * Renders a MonthSummary as its canonical file text, the same bytes as
 * canonicalJson(summary.toFile()). The data is copied into plain objects whose keys are
 * inserted in sorted order, and the native JSON.stringify lays them out. For the 150
 * summaries of bench/ingest.ts that took 26 to 43 ms, against 200 to 400 ms for
 * canonicalJson with the file writes, most of it spent flattening concatenated strings.
 *
 * JSON.stringify writes string keys in insertion order, except keys that are array
 * indices ("0" to "4294967294"), which V8 and the ECMAScript spec put first in numeric
 * order. A summary with such a key (a sender may name its organisation "42") is
 * rendered by canonicalJson instead, which sorts every key itself.
 */

import { canonicalJson } from "./canonical-json.js";
import type {
  FailureRow,
  MonthSummary,
  OrganizationTotals,
  PolicySeen,
  PolicyTypeDay,
  ReportRecord,
} from "./month.js";
import { SUMMARY_FORMAT } from "./schema.js";

/** ECMAScript array index: a canonical decimal integer from 0 to 2^32 - 2. */
const MAX_ARRAY_INDEX = 4_294_967_294;
const DECIMAL_INTEGER = /^(?:0|[1-9]\d{0,9})$/;

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 0x30 || first > 0x39) {
    return false;
  }
  return DECIMAL_INTEGER.test(key) && Number(key) <= MAX_ARRAY_INDEX;
}

/** Thrown inside a rendering when a map key would be reordered by JSON.stringify. */
class ArrayIndexKey extends Error {}

function compareKeys(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}

/** Returns the sorted keys of a map whose keys come from reports; throws ArrayIndexKey for an index. */
function sortedKeys(map: Map<string, unknown>): string[] {
  const keys = [...map.keys()];
  for (const key of keys) {
    if (isArrayIndex(key)) {
      throw new ArrayIndexKey();
    }
  }
  return keys.sort(compareKeys);
}

/** The object written for every empty map, because most failure breakdowns of a day are empty. */
const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Copies a map into an object with sorted keys. Object.fromEntries defines own data
 * properties, so a key such as "__proto__" stays data and never sets a prototype.
 */
function sortedObject<T, R>(map: Map<string, T>, convert: (value: T) => R): Record<string, R> {
  if (map.size === 0) {
    return EMPTY_OBJECT;
  }
  return Object.fromEntries(sortedKeys(map).map((key) => [key, convert(map.get(key)!)]));
}

function sortedValues<T>(map: Map<string, T>): T[] {
  if (map.size <= 1) {
    return [...map.values()];
  }
  return [...map.keys()].sort(compareKeys).map((key) => map.get(key)!);
}

function keep<T>(value: T): T {
  return value;
}

// The object literals below list their keys in sorted order. The equality test against
// canonicalJson in test/reports/render.test.ts checks that they stay sorted.

function organizationTotals(totals: OrganizationTotals) {
  return {
    failed_sessions: totals.failedSessions,
    reports: totals.reports,
    successful_sessions: totals.successfulSessions,
  };
}

function failureRow(row: FailureRow) {
  return {
    failed_sessions: row.failedSessions,
    failure_reason_code: row.failureReasonCode,
    organization: row.organization,
    receiving_ip: row.receivingIp,
    receiving_mx_hostname: row.receivingMxHostname,
    result_type: row.resultType,
    sending_mta_ip: row.sendingMtaIp,
  };
}

function policySeen(policy: PolicySeen) {
  return {
    failed_sessions: policy.failedSessions,
    max_age: policy.maxAge,
    mode: policy.mode,
    mx: policy.mx,
    policy_id: policy.policyId,
    reports: policy.reports,
    successful_sessions: policy.successfulSessions,
  };
}

function typeDay(entry: PolicyTypeDay) {
  return {
    failed_sessions: entry.failedSessions,
    failure_details: sortedValues(entry.failureDetails).map(failureRow),
    failures_by_reason_code: sortedObject(entry.failuresByReasonCode, keep),
    failures_by_receiving_ip: sortedObject(entry.failuresByReceivingIp, keep),
    failures_by_receiving_mx: sortedObject(entry.failuresByReceivingMx, keep),
    failures_by_result_type: sortedObject(entry.failuresByResultType, keep),
    failures_by_sending_ip: sortedObject(entry.failuresBySendingIp, keep),
    organizations: sortedObject(entry.organizations, organizationTotals),
    policies: sortedValues(entry.policies).map(policySeen),
    reports: entry.reports,
    successful_sessions: entry.successfulSessions,
  };
}

function reportRecord(record: ReportRecord) {
  return {
    day: record.day,
    organization: record.organization,
    report_id: record.reportId,
    warnings: record.warnings,
  };
}

/** Sorts report records into file order: by the JSON text of day, organisation and report-id. */
function sortedRecords(records: Iterable<ReportRecord>): ReportRecord[] {
  return [...records]
    .map((record) => ({
      key: JSON.stringify([record.day, record.organization, record.reportId]),
      record,
    }))
    .sort((left, right) => compareKeys(left.key, right.key))
    .map(({ record }) => record);
}

/** Returns the canonical text of `summary`'s file, equal to canonicalJson(summary.toFile()). */
export function renderSummaryFile(summary: MonthSummary): string {
  let file: unknown;
  try {
    file = {
      days: sortedObject(summary.days, (types) => sortedObject(types, typeDay)),
      domain: summary.domain,
      format: SUMMARY_FORMAT,
      month: summary.month,
      reports: sortedRecords(summary.reports.values()).map(reportRecord),
    };
  } catch (error) {
    if (error instanceof ArrayIndexKey) {
      return canonicalJson(summary.toFile());
    }
    throw error;
  }
  return `${JSON.stringify(file, null, 2)}\n`;
}
