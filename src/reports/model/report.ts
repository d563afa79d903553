/**
 * A TLS-RPT report (RFC 8460 section 4.4) after decoding and normalisation. Field names
 * follow the RFC keys. Values are cleaned (empty strings become null, host names are
 * lower case, IP addresses canonical), and every deviation is listed in `warnings`.
 */

import type { Policy } from "../../sts/policy.js";

export { RESULT_TYPES } from "../../sts/result-types.js";

/** RFC 8460 section 4.4 policy-type values. */
export const POLICY_TYPES = ["sts", "tlsa", "no-policy-found"] as const;

/** One failure-details entry. */
export interface FailureDetail {
  resultType: string;
  sendingMtaIp: string | null;
  receivingIp: string | null;
  receivingMxHostname: string | null;
  receivingMxHelo: string | null;
  failedSessionCount: number;
  failureReasonCode: string | null;
  additionalInformation: string | null;
}

/** One entry of `policies`: the policy applied and the sessions counted under it. */
export interface PolicyResult {
  /** "sts", "tlsa", "no-policy-found", or an unknown value kept as sent. */
  policyType: string;
  policyString: string[] | null;
  /** For sts: the policy-string read as an MTA-STS policy, or null when absent or invalid. */
  parsedPolicy: Policy | null;
  /** Lower-case A-label domain; null when neither the report nor its envelope names one. */
  policyDomain: string | null;
  mxHost: string[];
  totalSuccessfulSessionCount: number;
  totalFailureSessionCount: number;
  failureDetails: FailureDetail[];
}

/** A normalised report. */
export interface TlsRptReport {
  organizationName: string;
  contactInfo: string | null;
  /** The report-id, or a stand-in when the report has none (see `warnings`). */
  reportId: string;
  start: Date;
  end: Date;
  /** The UTC day (YYYY-MM-DD) the report counts on; see day.ts. */
  day: string;
  policies: PolicyResult[];
  /**
   * The domain named by the TLS-Report-Domain header or the RFC 8460 file name. A report
   * whose policies name no domain (an empty `policies` list) is filed under it.
   */
  envelopeDomain: string | null;
  warnings: string[];
}
