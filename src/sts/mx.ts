/**
 * MX host patterns of an MTA-STS policy (RFC 8461 sections 3.2 and 4.1).
 *
 * A pattern is an RFC 5321 Domain, optionally preceded by "*." to match exactly one
 * extra left-most label. DNS names compare case-insensitively (RFC 4343).
 */

import { isIP } from "node:net";
import { domainToASCII } from "node:url";

/** RFC 1035 section 2.3.4: a label contains at most 63 octets. */
const MAX_LABEL_LENGTH = 63;

/** RFC 1035 section 2.3.4: 255 octets on the wire, which is 253 characters in text form. */
const MAX_NAME_LENGTH = 253;

/** RFC 5321 section 4.1.2 sub-domain: a letter or digit, then LDH, not ending in a hyphen. */
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

const WILDCARD_PREFIX = "*.";

/** Severity of a pattern problem: errors break the policy grammar, warnings do not stop a sender. */
export type MxPatternSeverity = "error" | "warning";

/** One problem with an mx pattern, with the reason as a one-line sentence. */
export interface MxPatternProblem {
  severity: MxPatternSeverity;
  reason: string;
}

/** Lower-cases ASCII letters only, as DNS name comparison does (RFC 4343). */
export function lowerCaseAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Lower-cases the ASCII letters of a DNS name and removes one trailing dot. */
export function normalizeHostName(name: string): string {
  const lower = lowerCaseAscii(name);
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * Checks an mx pattern for a policy we publish.
 * Returns null when the pattern is valid, else a one-line reason that quotes it.
 */
export function validateMxPattern(pattern: string): string | null {
  return findMxPatternProblem(pattern)?.reason ?? null;
}

/**
 * Finds the first problem with an mx pattern, or null when there is none.
 * Warnings cover a trailing dot, which senders remove before matching, and a single label,
 * which is grammatical but never a public MX host. A parser of published policies reports
 * them without rejecting the policy.
 */
export function findMxPatternProblem(pattern: string): MxPatternProblem | null {
  const quoted = JSON.stringify(pattern);
  const error = (reason: string): MxPatternProblem => ({
    severity: "error",
    reason: `mx pattern ${quoted} ${reason}`,
  });
  const warning = (reason: string): MxPatternProblem => ({
    severity: "warning",
    reason: `mx pattern ${quoted} ${reason}`,
  });

  if (pattern === "") {
    return error('is empty; write a host name such as "mail.example.com"');
  }
  if (pattern.includes(",")) {
    return error("contains a comma; write one mx line per pattern");
  }
  if (/\s/.test(pattern)) {
    return error("contains white space; write one host name per mx line");
  }

  const literal = ipLiteralOf(pattern);
  if (literal !== null) {
    return error(
      `is an IP address literal (${literal}); RFC 8461 section 3.2 allows only domain names, so list the MX host name`,
    );
  }

  if (/[^\p{ASCII}]/u.test(pattern)) {
    const aLabel = domainToASCII(pattern);
    const hint = aLabel === "" ? "convert it to A-labels" : `write ${JSON.stringify(aLabel)}`;
    return error(
      `contains non-ASCII characters; RFC 8461 section 3.2 requires A-labels (Punycode), so ${hint}`,
    );
  }

  if (pattern === "*") {
    return error(
      'is a bare wildcard; "*" must be followed by a domain, as in "*.example.com" (RFC 8461 section 4.1)',
    );
  }
  if (pattern.startsWith(".")) {
    return error(
      `has a leading dot, which is draft-era syntax; write ${JSON.stringify(`*${pattern}`)} to match one label below ${JSON.stringify(pattern.slice(1))}`,
    );
  }

  const isWildcard = pattern.startsWith(WILDCARD_PREFIX);
  const domain = isWildcard ? pattern.slice(WILDCARD_PREFIX.length) : pattern;
  if (isWildcard && domain.includes("*")) {
    return error(
      'has more than one wildcard; RFC 8461 section 4.1 allows one, as the whole left-most label ("*.example.com")',
    );
  }
  if (domain.includes("*")) {
    return error(
      'uses "*" outside the left-most label; RFC 8461 section 4.1 allows one wildcard, as the whole left-most label ("*.example.com")',
    );
  }

  const trailingDot = domain.endsWith(".");
  const name = trailingDot ? domain.slice(0, -1) : domain;
  const labelProblem = findLabelProblem(name);
  if (labelProblem !== null) {
    return error(labelProblem);
  }
  if (pattern.length - (trailingDot ? 1 : 0) > MAX_NAME_LENGTH) {
    return error(`is longer than ${MAX_NAME_LENGTH} characters`);
  }

  if (!name.includes(".")) {
    const description = isWildcard
      ? `would match every name directly under the top-level domain ${JSON.stringify(name)}`
      : "is a single-label name, which is never a public MX host (ICANN forbids dotless domains)";
    return warning(`${description}; list the fully qualified MX host name`);
  }
  if (trailingDot) {
    return warning(
      `ends with a dot, which is not part of an RFC 5321 Domain; write ${JSON.stringify(pattern.slice(0, -1))}`,
    );
  }

  return null;
}

function findLabelProblem(name: string): string | null {
  for (const label of name.split(".")) {
    if (label === "") {
      return "has an empty label; check for doubled or stray dots";
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return `has a label longer than ${MAX_LABEL_LENGTH} characters (${JSON.stringify(label)})`;
    }
    if (!LDH_LABEL.test(label)) {
      return `has the label ${JSON.stringify(label)}; RFC 5321 labels contain only letters, digits and inner hyphens`;
    }
  }
  return null;
}

/** Returns the address when the pattern is an IPv4 or IPv6 literal, bracketed or not. */
function ipLiteralOf(pattern: string): string | null {
  const bracketed = /^\[(?:IPv6:)?(.*)\]$/i.exec(pattern);
  const candidate = bracketed ? bracketed[1]! : pattern;
  return isIP(candidate) === 0 ? null : candidate;
}

/**
 * Tells whether an MX host name matches a policy mx pattern (RFC 8461 section 4.1).
 * "*.example.com" matches exactly one extra left-most label: "mail.example.com" but not
 * "example.com" or "a.b.example.com". Both sides are compared case-insensitively after
 * removing one trailing dot. A pattern with a grammar error matches nothing.
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  if (findMxPatternProblem(pattern)?.severity === "error") {
    return false;
  }

  const expected = normalizeHostName(pattern);
  const candidate = normalizeHostName(host);
  if (candidate === "" || candidate.includes("*") || candidate.split(".").includes("")) {
    return false;
  }

  if (!expected.startsWith(WILDCARD_PREFIX)) {
    return candidate === expected;
  }

  const firstDot = candidate.indexOf(".");
  if (firstDot <= 0) {
    return false;
  }
  return candidate.slice(firstDot + 1) === expected.slice(WILDCARD_PREFIX.length);
}

/**
 * Returns the hosts that no pattern matches, in input order, each name once
 * (duplicates that differ only in case or a trailing dot count as one).
 */
export function uncoveredHosts(patterns: string[], hosts: string[]): string[] {
  const seen = new Set<string>();
  const uncovered: string[] = [];

  for (const host of hosts) {
    const key = normalizeHostName(host);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);

    if (!patterns.some((pattern) => mxPatternMatches(pattern, host))) {
      uncovered.push(host);
    }
  }

  return uncovered;
}
