/**
 * Reads one entry of a report's `policies` array (RFC 8460 section 4.4) by the RFC keys.
 * Known deviations are accepted with a warning: `mx-host` as a string, the prose names
 * `domain`, `mx-host-pattern` and `additional-info-uri`, a missing `policy-domain`,
 * missing or empty IP fields, and failure details that do not add up to the summary.
 */

import { type Policy, parsePolicy } from "../../sts/policy.js";
import { UnreadableInputError } from "../quarantine.js";
import {
  isObject,
  normalizeHost,
  normalizePolicyDomain,
  readCount,
  readIpAddress,
  readText,
  type WarningList,
  warnUnknownKeys,
} from "./fields.js";
import { type FailureDetail, POLICY_TYPES, type PolicyResult, RESULT_TYPES } from "./report.js";

/** Sources of the domain for a policy without `policy-domain`. */
export interface AttributionSources {
  /** TLS-Report-Domain header (or the subject's "Domain:"), already normalised. */
  mailDomain: string | null;
  /** Policy domain from an RFC 8460 section 5.1 file name, already normalised. */
  fileNameDomain: string | null;
}

const ENTRY_KEYS = new Set(["policy", "summary", "failure-details"]);
const POLICY_KEYS = new Set(["policy-type", "policy-string", "policy-domain", "mx-host"]);
const SUMMARY_KEYS = new Set(["total-successful-session-count", "total-failure-session-count"]);
const DETAIL_KEYS = new Set([
  "result-type",
  "sending-mta-ip",
  "receiving-mx-hostname",
  "receiving-mx-helo",
  "receiving-ip",
  "failed-session-count",
  "additional-information",
  "failure-reason-code",
]);

/** Prose names that RFC 8460 section 4.4 uses for some keys, mapped to the schema keys. */
const POLICY_ALIASES: Record<string, string> = {
  domain: "policy-domain",
  "mx-host-pattern": "mx-host",
};
const DETAIL_ALIASES: Record<string, string> = { "additional-info-uri": "additional-information" };

const KNOWN_POLICY_TYPES: ReadonlySet<string> = new Set(POLICY_TYPES);
const KNOWN_RESULT_TYPES: ReadonlySet<string> = new Set(RESULT_TYPES);

function notAReport(path: string, problem: string): UnreadableInputError {
  return new UnreadableInputError("not-a-report", `${path} ${problem}`);
}

/**
 * Returns `object` with alias keys renamed to the schema keys, warning about each. The
 * object is copied only when it contains an alias, which conformant reports never do.
 */
function resolveAliases(
  object: Record<string, unknown>,
  aliases: Record<string, string>,
  path: string,
  warnings: WarningList,
): Record<string, unknown> {
  let result: Record<string, unknown> | null = null;
  for (const alias in aliases) {
    if (!(alias in object)) {
      continue;
    }
    const key = aliases[alias]!;
    result ??= { ...object };
    if (!(key in object)) {
      result[key] = object[alias];
      warnings.add(
        `${path}${JSON.stringify(alias)} was read as ${JSON.stringify(key)}, the RFC 8460 schema key`,
      );
    }
    delete result[alias];
  }
  return result ?? object;
}

/** Reads a list of strings that a sender may also send as one string. */
function readStringList(value: unknown, path: string, warnings: WarningList): string[] | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === "string") {
    warnings.add(
      `${path} is a string, not an array of strings as RFC 8460 section 4.4 specifies; read as a list of one`,
    );
    return value.trim().length === 0 ? [] : [value];
  }
  if (!Array.isArray(value)) {
    warnings.add(`${path} is neither a string nor an array and was ignored`);
    return null;
  }

  const items: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === "string") {
      items.push(item);
    } else {
      warnings.add(`${path}[${index}] is not a string and was ignored`);
    }
  });
  return items;
}

function readPolicyType(value: unknown, path: string, warnings: WarningList): string {
  if (typeof value !== "string" || value.trim().length === 0) {
    throw notAReport(path, "is missing or not a string, so the sessions cannot be classified");
  }
  const type = value.trim().toLowerCase();
  if (!/^[a-z0-9-]{1,64}$/.test(type)) {
    throw notAReport(path, `${JSON.stringify(value.slice(0, 100))} is not a policy type`);
  }
  if (!KNOWN_POLICY_TYPES.has(type)) {
    warnings.add(
      `${path} ${JSON.stringify(type)} is not an RFC 8460 policy type; kept under that name`,
    );
  }
  return type;
}

function attributeDomain(
  value: unknown,
  path: string,
  sources: AttributionSources,
  warnings: WarningList,
): string | null {
  const text = readText(value, path, warnings);
  if (text !== null) {
    const domain = normalizePolicyDomain(text, path, warnings);
    if (sources.mailDomain !== null && sources.mailDomain !== domain) {
      warnings.add(
        `TLS-Report-Domain ${sources.mailDomain} differs from ${path} ${domain}; the report body wins (RFC 8460 section 5.6)`,
      );
    }
    if (sources.fileNameDomain !== null && sources.fileNameDomain !== domain) {
      warnings.add(
        `file name domain ${sources.fileNameDomain} differs from ${path} ${domain}; the report body wins (RFC 8460 section 5.6)`,
      );
    }
    return domain;
  }

  if (sources.mailDomain !== null) {
    warnings.add(
      `${path} is missing; attributed to ${sources.mailDomain} from the TLS-Report-Domain header`,
    );
    return sources.mailDomain;
  }
  if (sources.fileNameDomain !== null) {
    warnings.add(
      `${path} is missing; attributed to ${sources.fileNameDomain} from the RFC 8460 file name`,
    );
    return sources.fileNameDomain;
  }
  warnings.add(
    `${path} is missing and no TLS-Report-Domain header or RFC 8460 file name names the domain; kept as unattributed`,
  );
  return null;
}

function readFailureDetail(
  value: unknown,
  path: string,
  warnings: WarningList,
): FailureDetail | null {
  if (!isObject(value)) {
    warnings.add(`${path} is not an object and was ignored`);
    return null;
  }
  const detail = resolveAliases(value, DETAIL_ALIASES, path, warnings);
  warnUnknownKeys(detail, DETAIL_KEYS, path, warnings);

  const count = readCount(detail["failed-session-count"], `${path}.failed-session-count`, warnings);
  if (count === null) {
    warnings.add(
      `${path}.failed-session-count is missing or not a non-negative integer; the entry was ignored`,
    );
    return null;
  }

  let resultType = readText(detail["result-type"], `${path}.result-type`, warnings);
  if (resultType === null) {
    warnings.add(`${path}.result-type is missing; counted as "unknown"`);
    resultType = "unknown";
  } else if (!KNOWN_RESULT_TYPES.has(resultType)) {
    warnings.add(
      `${path}.result-type ${JSON.stringify(resultType)} is not a registered result type; kept as sent`,
    );
  }

  const mxHostname = readText(
    detail["receiving-mx-hostname"],
    `${path}.receiving-mx-hostname`,
    warnings,
  );
  return {
    resultType,
    sendingMtaIp: readIpAddress(detail["sending-mta-ip"], `${path}.sending-mta-ip`, warnings),
    receivingIp: readIpAddress(detail["receiving-ip"], `${path}.receiving-ip`, warnings),
    receivingMxHostname: mxHostname === null ? null : normalizeHost(mxHostname),
    receivingMxHelo: readText(detail["receiving-mx-helo"], `${path}.receiving-mx-helo`, warnings),
    failedSessionCount: count,
    failureReasonCode: readText(
      detail["failure-reason-code"],
      `${path}.failure-reason-code`,
      warnings,
    ),
    additionalInformation: readText(
      detail["additional-information"],
      `${path}.additional-information`,
      warnings,
    ),
  };
}

function readFailureDetails(value: unknown, path: string, warnings: WarningList): FailureDetail[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    warnings.add(`${path} is not an array and was ignored`);
    return [];
  }
  const details: FailureDetail[] = [];
  value.forEach((item, index) => {
    const detail = readFailureDetail(item, `${path}[${index}]`, warnings);
    if (detail !== null) {
      details.push(detail);
    }
  });
  return details;
}

/**
 * Parsed policy texts. A fleet's reports repeat the same few policies every day, so a
 * bounded cache saves parsing each copy; it is cleared when full.
 */
const parsedPolicies = new Map<string, { policy: Policy | null; problem: string | null }>();
const PARSED_POLICY_CACHE_SIZE = 4096;

function parsePolicyCached(text: string): { policy: Policy | null; problem: string | null } {
  const cached = parsedPolicies.get(text);
  if (cached !== undefined) {
    return cached;
  }
  const parsed = parsePolicy(text);
  const result = { policy: parsed.policy, problem: parsed.errors[0]?.message ?? null };
  if (parsedPolicies.size >= PARSED_POLICY_CACHE_SIZE) {
    parsedPolicies.clear();
  }
  parsedPolicies.set(text, result);
  return result;
}

/**
 * Reads an sts policy-string as an MTA-STS policy (RFC 8460 section 4.4: one element per
 * policy line). Returns null when it is absent or not a valid policy.
 */
function readStsPolicy(lines: string[] | null, path: string, warnings: WarningList): Policy | null {
  if (lines === null || lines.length === 0) {
    return null;
  }
  const parsed = parsePolicyCached(lines.join("\n"));
  if (parsed.policy === null) {
    warnings.add(
      `${path} is not a valid MTA-STS policy (${parsed.problem ?? "unknown error"}); its mode and max_age are unknown`,
    );
  }
  return parsed.policy;
}

/** Reads `policies[index]`; throws UnreadableInputError when its counts cannot be read. */
export function readPolicyResult(
  value: unknown,
  index: number,
  sources: AttributionSources,
  warnings: WarningList,
): PolicyResult {
  const path = `policies[${index}]`;
  if (!isObject(value)) {
    throw notAReport(path, "is not an object");
  }
  warnUnknownKeys(value, ENTRY_KEYS, `${path}.`, warnings);

  if (!isObject(value.policy)) {
    throw notAReport(`${path}.policy`, "is missing or not an object");
  }
  const policy = resolveAliases(value.policy, POLICY_ALIASES, `${path}.policy.`, warnings);
  warnUnknownKeys(policy, POLICY_KEYS, `${path}.policy.`, warnings);

  if (!isObject(value.summary)) {
    throw notAReport(`${path}.summary`, "is missing or not an object");
  }
  warnUnknownKeys(value.summary, SUMMARY_KEYS, `${path}.summary.`, warnings);

  const successfulPath = `${path}.summary.total-successful-session-count`;
  const failedPath = `${path}.summary.total-failure-session-count`;
  const successful = readCount(
    value.summary["total-successful-session-count"],
    successfulPath,
    warnings,
  );
  const failed = readCount(value.summary["total-failure-session-count"], failedPath, warnings);
  if (successful === null) {
    throw notAReport(successfulPath, "is missing or not a non-negative integer");
  }
  if (failed === null) {
    throw notAReport(failedPath, "is missing or not a non-negative integer");
  }

  const failureDetails = readFailureDetails(
    value["failure-details"],
    `${path}.failure-details`,
    warnings,
  );
  const detailSum = failureDetails.reduce((sum, detail) => sum + detail.failedSessionCount, 0);
  if (failureDetails.length > 0 && detailSum !== failed) {
    // RFC 8460 section 4.4: result types are not exclusive, so details may add up to
    // more than the total. The summary count is the one used.
    warnings.add(
      `${path}: failure-details add up to ${detailSum}, total-failure-session-count is ${failed}; the summary count is used`,
    );
  }

  const mxHost = readStringList(policy["mx-host"], `${path}.policy.mx-host`, warnings) ?? [];
  const policyType = readPolicyType(policy["policy-type"], `${path}.policy.policy-type`, warnings);
  const policyStringPath = `${path}.policy.policy-string`;
  const policyString = readStringList(policy["policy-string"], policyStringPath, warnings);
  return {
    policyType,
    policyString,
    parsedPolicy:
      policyType === "sts" ? readStsPolicy(policyString, policyStringPath, warnings) : null,
    policyDomain: attributeDomain(
      policy["policy-domain"],
      `${path}.policy.policy-domain`,
      sources,
      warnings,
    ),
    mxHost: mxHost.map((host) => normalizeHost(host.trim())).filter((host) => host.length > 0),
    totalSuccessfulSessionCount: successful,
    totalFailureSessionCount: failed,
    failureDetails,
  };
}
