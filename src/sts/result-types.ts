/**
 * The result types of the IANA "STARTTLS Validation Result Types" registry, defined by
 * RFC 8460 section 4.3. The registry was last updated in 2018; new values need Expert
 * Review, so report parsers keep unknown values instead of rejecting them.
 */
export const RESULT_TYPES = [
  "starttls-not-supported",
  "certificate-host-mismatch",
  "certificate-expired",
  "certificate-not-trusted",
  "validation-failure",
  "tlsa-invalid",
  "dnssec-invalid",
  "dane-required",
  "sts-policy-fetch-error",
  "sts-policy-invalid",
  "sts-webpki-invalid",
] as const;

export type ResultType = (typeof RESULT_TYPES)[number];
