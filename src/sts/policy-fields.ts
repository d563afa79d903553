/**
 * Types and field rules of the MTA-STS policy file (RFC 8461 section 3.2), shared by the
 * parser and the renderer.
 */

export type Mode = "enforce" | "testing" | "none";

export const MODES: readonly Mode[] = ["enforce", "testing", "none"];

/** RFC 8461 section 3.2: max_age is at most 31557600 seconds (365.25 days). */
export const MAX_AGE_MAX = 31_557_600;

/** A policy's meaning: the fields a sender acts on. */
export interface Policy {
  mode: Mode;
  mx: string[];
  maxAge: number;
}

/** One finding about a policy file; line is 1-based, null when it concerns the whole file. */
export interface PolicyProblem {
  line: number | null;
  key: string | null;
  message: string;
}

/** Result of parsing a policy file; policy is null exactly when errors is non-empty. */
export interface PolicyParse {
  policy: Policy | null;
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
  info: PolicyProblem[];
  /** Extension fields by name, first occurrence only; senders ignore them. */
  extensions: Record<string, string>;
}

/** RFC 8461 section 3.2 sts-policy-ext-name, which every field name also matches. */
export const POLICY_FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** RFC 8461 section 3.2: sts-policy-max-age-value = 1*10(DIGIT). */
const MAX_AGE_DIGITS = /^[0-9]{1,10}$/;

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** Returns why a mode value is invalid, or null when it is one of the three modes. */
export function findModeProblem(value: string): string | null {
  return isMode(value) ? null : describeInvalidMode(value);
}

/** Explains why `value` is not a mode, with a hint for draft-era and wrongly cased values. */
export function describeInvalidMode(value: string): string {
  const found = `mode must be "enforce", "testing" or "none", found ${JSON.stringify(value)}`;
  if (value === "report") {
    return `${found}; "report" is the draft-era name of "testing", so write "mode: testing"`;
  }
  if (isMode(value.toLowerCase())) {
    return `${found}; the value is case-sensitive, so write "mode: ${value.toLowerCase()}"`;
  }
  return found;
}

/** Returns why a max_age text is invalid, or null when it is 1-10 digits and at most MAX_AGE_MAX. */
export function findMaxAgeTextProblem(value: string): string | null {
  if (!MAX_AGE_DIGITS.test(value)) {
    return `max_age must be a whole number of seconds (1 to 10 digits) from 0 to ${MAX_AGE_MAX}, found ${JSON.stringify(value)}`;
  }
  return findMaxAgeProblem(Number(value));
}

/** Returns why a max_age number is invalid, or null when it is an integer from 0 to MAX_AGE_MAX. */
export function findMaxAgeProblem(value: number): string | null {
  if (!Number.isInteger(value) || value < 0) {
    return `max_age must be a whole number of seconds from 0 to ${MAX_AGE_MAX}, found ${value}`;
  }
  if (value > MAX_AGE_MAX) {
    return `max_age must be at most ${MAX_AGE_MAX} seconds (365.25 days, RFC 8461 section 3.2), found ${value}`;
  }
  return null;
}
