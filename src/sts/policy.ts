/**
 * The MTA-STS policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt
 * (RFC 8461 section 3.2): types, parser, renderer and comparison.
 */

import { lowerCaseAscii, validateMxPattern } from "./mx.js";
import { findMaxAgeProblem, findModeProblem, type Policy } from "./policy-fields.js";

export {
  MAX_AGE_MAX,
  MODES,
  type Mode,
  type Policy,
  type PolicyParse,
  type PolicyProblem,
} from "./policy-fields.js";
export { parsePolicy } from "./policy-parse.js";

/** Returns the Policy Host of a Policy Domain, "mta-sts.<domain>" (RFC 8461 section 3.3). */
export function policyHostName(domain: string): string {
  return `mta-sts.${domain}`;
}

/** Returns the URL a sender fetches the policy from (RFC 8461 section 3.3). */
export function policyUrl(domain: string): string {
  return `https://${policyHostName(domain)}/.well-known/mta-sts.txt`;
}

/** Thrown by renderPolicy; `problems` lists every reason, one sentence each. */
export class PolicyRenderError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      `cannot render the MTA-STS policy:\n${problems.map((problem) => `- ${problem}`).join("\n")}`,
    );
    this.name = "PolicyRenderError";
    this.problems = problems;
  }
}

/**
 * Renders a policy with CRLF line endings: version, mode, one mx line per pattern, max_age.
 * RFC 8461 section 3.2 allows LF too, but its prose specifies CRLF and some validators read
 * only the prose. Throws a PolicyRenderError listing every invalid mx pattern, a missing
 * mx under enforce or testing, an invalid mode and a max_age outside 0-31557600.
 */
export function renderPolicy(policy: Policy): string {
  const problems: string[] = [];

  const modeProblem = findModeProblem(policy.mode);
  if (modeProblem !== null) {
    problems.push(modeProblem);
  }

  for (const pattern of policy.mx) {
    const problem = validateMxPattern(pattern);
    if (problem !== null) {
      problems.push(problem);
    }
  }
  if (policy.mx.length === 0 && policy.mode !== "none") {
    problems.push(`mx is required: mode "${policy.mode}" needs at least one mx pattern`);
  }

  const maxAgeProblem = findMaxAgeProblem(policy.maxAge);
  if (maxAgeProblem !== null) {
    problems.push(maxAgeProblem);
  }

  if (problems.length > 0) {
    throw new PolicyRenderError(problems);
  }

  const lines = [
    "version: STSv1",
    `mode: ${policy.mode}`,
    ...policy.mx.map((pattern) => `mx: ${pattern}`),
    `max_age: ${policy.maxAge}`,
  ];
  return lines.map((line) => `${line}\r\n`).join("");
}

/** Compares two policies; mx patterns compare as sets, case-insensitively. */
export function policiesEqual(a: Policy, b: Policy): boolean {
  if (a.mode !== b.mode || a.maxAge !== b.maxAge) {
    return false;
  }

  const left = new Set(a.mx.map(lowerCaseAscii));
  const right = new Set(b.mx.map(lowerCaseAscii));
  if (left.size !== right.size) {
    return false;
  }
  for (const pattern of left) {
    if (!right.has(pattern)) {
      return false;
    }
  }
  return true;
}
