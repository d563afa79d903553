import type { Finding, Severity } from "./types.js";

/**
 * One entry of the findings reference. docs/findings.md is generated from this table,
 * and a test fails when the two differ, so every code a plan can emit is documented.
 */
export interface FindingRule {
  code: string;
  severity: Severity;
  /** Meaning of the finding, for the reference. */
  meaning: string;
  /** The default fix, used as the finding's hint unless the plan gives a more specific one. */
  hint: string;
}

const rules = [
  {
    code: "dns-temporary-failure",
    severity: "error",
    meaning:
      "A DNS lookup failed temporarily (SERVFAIL, REFUSED or timeout). The state of the record is unknown, so the domain is not planned: a temporary failure is never read as 'no policy'.",
    hint: "Check the zone's authoritative servers and the configured resolvers, then run the plan again.",
  },
  {
    code: "sts-record-missing",
    severity: "warning",
    meaning:
      "No `_mta-sts` TXT record starting with `v=STSv1` is published, so senders never fetch the policy.",
    hint: "Apply the plan to publish the record with a new id.",
  },
  {
    code: "sts-record-multiple",
    severity: "error",
    meaning:
      "More than one `_mta-sts` TXT record starts with `v=STSv1`. RFC 8461 section 3.1: senders then treat the domain as having no policy.",
    hint: "Keep exactly one record; apply replaces the set with a single record.",
  },
  {
    code: "sts-record-invalid",
    severity: "error",
    meaning:
      "The `_mta-sts` TXT record does not follow the RFC 8461 section 3.1 grammar (for example an id with characters other than letters and digits), so senders ignore it.",
    hint: "Apply the plan to replace it with a valid record and a new id.",
  },
  {
    code: "sts-record-discarded",
    severity: "warning",
    meaning:
      "A TXT record at `_mta-sts` was not counted as an MTA-STS record, for the reason given (for example a space before the first `;`).",
    hint: "Remove or rewrite the record so that it starts with `v=STSv1;`.",
  },
  {
    code: "sts-record-cname",
    severity: "info",
    meaning:
      "`_mta-sts` is delegated by CNAME (RFC 8461 section 8.2). The record is read at the target; the tool does not write through a CNAME.",
    hint: "Changes to a delegated record are made where the CNAME points, or after removing the CNAME.",
  },
  {
    code: "sts-record-cname-blocks-change",
    severity: "error",
    meaning:
      "The plan needs to change `_mta-sts`, but the name is a CNAME to another zone, and a TXT record cannot sit beside a CNAME.",
    hint: "Update the record at the CNAME target, or remove the CNAME so the tool can publish the record itself.",
  },
  {
    code: "policy-fetch-failed",
    severity: "error",
    meaning:
      "The policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` could not be fetched under the RFC 8461 section 3.3 rules (HTTPS with a valid certificate for the host, status 200, no redirect, `text/plain`, at most 64 KiB). While a TXT record is published, senders report `sts-policy-fetch-error` and deliver as if there were no policy.",
    hint: "Fix the policy host for the reason given; the finding message names it.",
  },
  {
    code: "policy-invalid",
    severity: "error",
    meaning:
      "The served policy does not parse under RFC 8461 section 3.2 (for example no `mode`, a wrong `version`, or no `mx` outside mode none). Senders report `sts-policy-invalid` and ignore it.",
    hint: "Apply the plan to publish the declared policy.",
  },
  {
    code: "policy-warning",
    severity: "warning",
    meaning:
      "The served policy parses, but deviates from the grammar in a way some senders reject (for example whitespace before a colon or a duplicated key).",
    hint: "Apply the plan to publish the canonical rendering of the policy.",
  },
  {
    code: "policy-extension-fields",
    severity: "info",
    meaning:
      "The served policy has keys RFC 8461 does not define. They are ignored by senders (section 3.2).",
    hint: "Nothing to do unless the keys are typos of `mx`, `mode`, `max_age` or `version`.",
  },
  {
    code: "policy-line-endings",
    severity: "info",
    meaning:
      "The served policy uses LF line endings. RFC 8461 section 3.2 allows LF and CRLF; the tool renders CRLF because some validators flag LF.",
    hint: "Nothing to do; the next publication by the tool uses CRLF.",
  },
  {
    code: "policy-drift",
    severity: "info",
    meaning:
      "The served policy differs from the declared one (mode, mx patterns or max_age). The plan publishes the declared policy with a new id.",
    hint: "Review the difference; apply publishes the declared policy.",
  },
  {
    code: "policy-id-unchanged",
    severity: "warning",
    meaning:
      "The policy body was modified after the id in `_mta-sts` was published (the policy host's Last-Modified is later than the time the id encodes). Senders compare ids only (RFC 8461 section 3.1), so those that cached the earlier body keep it.",
    hint: "Publish a new id; apply does this whenever it changes the body.",
  },
  {
    code: "tlsrpt-record-missing",
    severity: "warning",
    meaning:
      "No `_smtp._tls` TXT record is published although the domain declares `rua` destinations, so no TLS-RPT reports arrive (RFC 8460 section 3).",
    hint: "Apply the plan to publish the record.",
  },
  {
    code: "tlsrpt-record-multiple",
    severity: "error",
    meaning:
      "More than one `_smtp._tls` TXT record starts with `v=TLSRPTv1`. RFC 8460 section 3: the domain then does not implement TLS-RPT.",
    hint: "Keep exactly one record; apply replaces the set with a single record.",
  },
  {
    code: "tlsrpt-record-invalid",
    severity: "error",
    meaning:
      "The `_smtp._tls` TXT record does not follow the RFC 8460 section 3 grammar (for example an `rua` without a `mailto:` or `https:` scheme).",
    hint: "Apply the plan to replace it with the declared record.",
  },
  {
    code: "tlsrpt-record-cname",
    severity: "info",
    meaning: "`_smtp._tls` is delegated by CNAME. The record is read at the target.",
    hint: "Changes to a delegated record are made where the CNAME points.",
  },
  {
    code: "mx-not-covered",
    severity: "warning",
    meaning:
      "A live MX host is not matched by any `mx` pattern of the served policy (RFC 8461 section 4.1). In mode testing, senders only report it.",
    hint: "Add a pattern for the host before moving to enforce.",
  },
  {
    code: "enforce-mx-not-covered",
    severity: "error",
    meaning:
      "A live MX host is not matched by the policy in mode enforce. Senders that apply the policy refuse to deliver to that host (RFC 8461 section 5).",
    hint: "Add the host's pattern to `mx`, or relax the mode to testing until the policy covers every MX.",
  },
  {
    code: "declared-mx-not-covered",
    severity: "error",
    meaning:
      "The declared `mx` patterns do not cover a live MX host, and the declared mode is enforce. Publishing the policy would strand mail to that host.",
    hint: "Add a pattern for the host, or declare mode testing.",
  },
  {
    code: "mx-removal-unsafe",
    severity: "error",
    meaning:
      "The declared policy drops an `mx` pattern that a live MX host still uses while the served policy is in mode enforce. The change is held.",
    hint: "Remove the host from the DNS MX set first, wait out its TTL, then remove the pattern.",
  },
  {
    code: "mx-added-under-enforce",
    severity: "warning",
    meaning:
      "A live MX host is only covered by a pattern the served policy lacks. Senders holding the served enforce policy refuse that host until their cached copy expires; the finding gives the time.",
    hint: "Publish the pattern before adding an MX host; until the time given, keep the other MX hosts working.",
  },
  {
    code: "no-mx",
    severity: "info",
    meaning:
      "The domain has no MX record, so the implicit MX is the domain itself (RFC 5321 section 5.1); the policy must cover it.",
    hint: "Publish MX records, or include the domain name in `mx`.",
  },
  {
    code: "null-mx",
    severity: "info",
    meaning:
      "The domain publishes a null MX (RFC 7505): it accepts no mail, so MTA-STS does not apply.",
    hint: "Consider `state: absent` for this domain.",
  },
  {
    code: "max-age-short",
    severity: "warning",
    meaning:
      "Mode enforce with `max_age` under one week (604800 s). RFC 8461 section 10.2 expects weeks or more, so that a policy outlives attacks at refresh time.",
    hint: "Raise `max_age` to 604800 or more once enforce has run cleanly.",
  },
  {
    code: "mode-relaxed",
    severity: "warning",
    meaning:
      "The declared mode is weaker than the served one (enforce to testing or none). Always allowed, but senders keep enforcing the cached policy until it expires or they see the new id.",
    hint: "Confirm the relaxation is intended.",
  },
  {
    code: "promotion-not-approved",
    severity: "error",
    meaning:
      "The declared mode is enforce while the served mode is testing, and neither the promotion gate passed nor `promotion.enforce_override` is set. The change is held.",
    hint: "Merge the promotion pull request the tool opens after a clean week, or record `promotion.enforce_override` with a reason.",
  },
  {
    code: "promotion-override",
    severity: "warning",
    meaning:
      "Moving to enforce through `promotion.enforce_override` instead of the promotion gate.",
    hint: "Check the override's reason before merging.",
  },
  {
    code: "retirement-started",
    severity: "info",
    meaning:
      "The domain is declared `state: absent` while a policy other than mode none is served. The plan publishes mode none with a new id, the first step of RFC 8461 section 8.3; its max_age is the largest one served, so a later run can tell when every earlier policy has expired.",
    hint: "Nothing to do; later applies finish the retirement.",
  },
  {
    code: "retirement-waiting",
    severity: "info",
    meaning:
      "The domain is being retired (`state: absent`). Mode none is published; the record and the policy are deleted once every policy served before has expired from sender caches.",
    hint: "Nothing to do; a later apply after the time given deletes them.",
  },
  {
    code: "retirement-horizon-unknown",
    severity: "warning",
    meaning:
      "The live id was not published by this tool, so the time it was published is unknown, and the cache horizon is counted from now.",
    hint: "Apply once to publish mode none with an id of this tool; the horizon then runs from that time.",
  },
  {
    code: "mx-starttls-not-supported",
    severity: "error",
    meaning:
      "The MX host did not offer or accept STARTTLS on port 25. Under enforce, senders refuse it (RFC 8461 section 4); reports call it `starttls-not-supported`.",
    hint: "Enable STARTTLS on the host with a certificate valid for its name.",
  },
  {
    code: "mx-certificate-host-mismatch",
    severity: "error",
    meaning:
      "The MX certificate has no subjectAltName DNS entry matching the MX host name (RFC 8461 section 4.2 uses RFC 6125 without the CN fallback; a wildcard covers one label).",
    hint: "Install a certificate whose subjectAltName lists the MX host name.",
  },
  {
    code: "mx-certificate-expired",
    severity: "error",
    meaning: "The MX certificate has expired or is not valid yet.",
    hint: "Renew the certificate.",
  },
  {
    code: "mx-certificate-not-trusted",
    severity: "error",
    meaning:
      "The MX certificate does not chain to a trusted root (self-signed, unknown CA or a missing intermediate).",
    hint: "Serve the full chain of a certificate from a public CA.",
  },
  {
    code: "mx-validation-failure",
    severity: "error",
    meaning: "The TLS session with the MX host failed for another reason, given in the message.",
    hint: "Check the host's TLS configuration; the message names the failure.",
  },
  {
    code: "mx-unreachable",
    severity: "warning",
    meaning:
      "The MX host could not be reached on port 25 (no address, connection refused or timed out), so its TLS could not be checked.",
    hint: "Check the host and any firewall between the runner and port 25; many CI runners block outbound port 25.",
  },
  {
    code: "mx-certificate-expiring",
    severity: "warning",
    meaning:
      "The MX certificate expires within the configured number of days (14 by default), after which senders under enforce refuse the host.",
    hint: "Renew the certificate before it expires.",
  },
  {
    code: "mx-tls-version",
    severity: "error",
    meaning:
      "The MX host negotiated a TLS version older than 1.2. RFC 8461 section 7.2: MTAs supporting MTA-STS must support TLS 1.2 or later.",
    hint: "Enable TLS 1.2 or 1.3 on the host.",
  },
] as const satisfies readonly FindingRule[];

export type FindingCode = (typeof rules)[number]["code"];

export const FINDING_RULES: readonly FindingRule[] = rules;

const rulesByCode = new Map<string, FindingRule>(rules.map((rule) => [rule.code, rule]));

/** Builds a finding with the rule's severity and default hint unless overridden. */
export function finding(
  code: FindingCode,
  domain: string,
  message: string,
  overrides: { severity?: Severity; hint?: string } = {},
): Finding {
  const rule = rulesByCode.get(code)!;
  return {
    code,
    severity: overrides.severity ?? rule.severity,
    domain,
    message,
    hint: overrides.hint ?? rule.hint,
  };
}
