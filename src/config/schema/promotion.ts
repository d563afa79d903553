/** The promotion thresholds, shared by mta-sts-gitops.yaml and the per-domain overrides. */

import { z } from "zod";
import { RESULT_TYPES, type ResultType } from "../../sts/result-types.js";
import { count } from "./common.js";

/**
 * Result types that block promotion by default. Under enforce, the first five make
 * senders defer or bounce mail to the failing MX host (RFC 8461 section 5). The last
 * three mean senders could not fetch or use the policy, so enforce would not take effect.
 */
export const DEFAULT_BLOCKING_RESULT_TYPES: readonly ResultType[] = [
  "starttls-not-supported",
  "certificate-host-mismatch",
  "certificate-expired",
  "certificate-not-trusted",
  "validation-failure",
  "sts-policy-invalid",
  "sts-webpki-invalid",
  "sts-policy-fetch-error",
];

/** Default value of every threshold, by its YAML key. */
export const PROMOTION_DEFAULTS = {
  min_days_in_testing: 7,
  window_days: 7,
  min_reporting_organizations: 2,
  min_sessions: 10,
  min_certificate_days: 14,
  blocking_result_types: [...DEFAULT_BLOCKING_RESULT_TYPES],
};

/** Returns the threshold fields without defaults, for callers to add defaults or make them optional. */
export function promotionThresholdFields() {
  return {
    min_days_in_testing: count(
      "Days the domain must have been in testing with an unchanged policy.",
      0,
      365,
    ),
    window_days: count(
      "UTC days, ending yesterday, that must each have reports for the current policy.",
      1,
      90,
    ),
    min_reporting_organizations: count(
      "Distinct organizations that must have sent reports in the window.",
      0,
    ),
    min_sessions: count(
      "Sessions (successful and failed) the reports of the window must count in total.",
      0,
    ),
    min_certificate_days: count(
      "Days every MX certificate must still be valid at promotion time.",
      0,
      365,
    ),
    blocking_result_types: z
      .array(z.enum(RESULT_TYPES))
      .describe(
        "TLS-RPT result types of which a single failed session in the window blocks promotion.",
      ),
  };
}
