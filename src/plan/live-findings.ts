import type { PolicyFetch } from "../observe/types.js";
import { parsePolicyIdTime } from "../sts/id.js";
import { uncoveredHosts } from "../sts/mx.js";
import { finding } from "./findings.js";
import type { LiveState } from "./live.js";
import type { Finding } from "./types.js";

/** Describes a failed fetch: the failure class, then the fetcher's one-line cause. */
export function describeFetchFailure(fetch: Exclude<PolicyFetch, { ok: true }>): string {
  return `${fetch.reason}: ${fetch.detail}`;
}

function recordFindings(live: LiveState): Finding[] {
  const findings: Finding[] = [];
  const domain = live.domain;
  const sts = live.sts.selection;

  for (const discarded of sts?.discarded ?? []) {
    if (!discarded.text.startsWith("v=STSv1")) continue;
    findings.push(
      finding(
        "sts-record-discarded",
        domain,
        `_mta-sts.${domain} TXT "${discarded.text}" is not counted: ${discarded.reason}`,
      ),
    );
  }

  if (sts?.kind === "many") {
    findings.push(
      finding(
        "sts-record-multiple",
        domain,
        `_mta-sts.${domain} has ${sts.texts.length} STS records: ${sts.texts.map((text) => `"${text}"`).join(", ")}`,
      ),
    );
  }

  if (sts?.kind === "one" && !sts.parsed.ok) {
    findings.push(
      finding(
        "sts-record-invalid",
        domain,
        `_mta-sts.${domain} TXT "${sts.text}" is invalid: ${sts.parsed.error}`,
      ),
    );
  }

  if (sts?.kind === "one" && sts.parsed.ok) {
    for (const warning of sts.parsed.warnings) {
      findings.push(
        finding(
          "sts-record-discarded",
          domain,
          `_mta-sts.${domain} TXT "${sts.text}": ${warning}`,
          {
            severity: "warning",
            hint: "Rewrite the record as `v=STSv1; id=<id>;`; apply does this with the next change.",
          },
        ),
      );
    }
  }

  if (live.sts.cnameChain.length > 0) {
    findings.push(
      finding(
        "sts-record-cname",
        domain,
        `_mta-sts.${domain} is a CNAME to ${live.sts.cnameChain.join(" -> ")}`,
      ),
    );
  }

  const tls = live.tlsRpt.selection;
  if (tls?.kind === "many") {
    findings.push(
      finding(
        "tlsrpt-record-multiple",
        domain,
        `_smtp._tls.${domain} has ${tls.texts.length} TLS-RPT records: ${tls.texts.map((text) => `"${text}"`).join(", ")}`,
      ),
    );
  }

  if (tls?.kind === "one" && !tls.parsed.ok) {
    findings.push(
      finding(
        "tlsrpt-record-invalid",
        domain,
        `_smtp._tls.${domain} TXT "${tls.text}" is invalid: ${tls.parsed.error}`,
      ),
    );
  }

  if (live.tlsRpt.cnameChain.length > 0) {
    findings.push(
      finding(
        "tlsrpt-record-cname",
        domain,
        `_smtp._tls.${domain} is a CNAME to ${live.tlsRpt.cnameChain.join(" -> ")}`,
      ),
    );
  }

  return findings;
}

function policyFindings(live: LiveState): Finding[] {
  const domain = live.domain;
  const fetch = live.policy.fetch;
  const recordPublished = live.sts.selection !== null && live.sts.selection.kind !== "none";

  if (!fetch.ok) {
    // Without a published record, senders never fetch the policy, so a broken host
    // only matters for the next publication; with one, senders fail right now.
    const consequence = recordPublished
      ? "while _mta-sts is published, so senders report sts-policy-fetch-error"
      : "no _mta-sts record is published yet";
    return [
      finding(
        "policy-fetch-failed",
        domain,
        `${fetch.url}: ${describeFetchFailure(fetch)}; ${consequence}`,
        { severity: recordPublished ? "error" : "warning" },
      ),
    ];
  }

  const parse = live.policy.parse!;
  const findings: Finding[] = [];

  if (parse.errors.length > 0) {
    const reasons = parse.errors.map((error) =>
      error.line === null ? error.message : `line ${error.line}: ${error.message}`,
    );
    findings.push(finding("policy-invalid", domain, `${fetch.url}: ${reasons.join("; ")}`));
  }

  for (const warning of parse.warnings) {
    const where = warning.line === null ? "" : `line ${warning.line}: `;
    findings.push(finding("policy-warning", domain, `${fetch.url}: ${where}${warning.message}`));
  }

  const extensionKeys = Object.keys(parse.extensions);
  if (extensionKeys.length > 0) {
    findings.push(
      finding(
        "policy-extension-fields",
        domain,
        `${fetch.url} has keys outside RFC 8461: ${extensionKeys.join(", ")}`,
      ),
    );
  }

  if (fetch.body.includes("\n") && !fetch.body.includes("\r\n")) {
    findings.push(finding("policy-line-endings", domain, `${fetch.url} uses LF line endings`));
  }

  const idUnchanged = bodyChangedAfterId(live);
  if (idUnchanged) findings.push(idUnchanged);

  return findings;
}

/**
 * Detects a body edited after its id was published. Ids of this tool encode their
 * publication time. A Last-Modified later than that time, plus a minute of slack for
 * the publish-then-verify window, means the body changed under an unchanged id.
 */
function bodyChangedAfterId(live: LiveState): Finding | null {
  const fetch = live.policy.fetch;
  if (!fetch.ok || !fetch.lastModified || live.sts.id === null) return null;

  const published = parsePolicyIdTime(live.sts.id);
  const modified = new Date(fetch.lastModified);
  if (published === null || Number.isNaN(modified.getTime())) return null;
  if (modified.getTime() <= published.getTime() + 60_000) return null;

  return finding(
    "policy-id-unchanged",
    live.domain,
    `${fetch.url} was modified at ${modified.toISOString()}, after id ${live.sts.id} was published at ${published.toISOString()}`,
  );
}

function mxFindings(live: LiveState): Finding[] {
  const domain = live.domain;
  if (live.nullMx) {
    return [finding("null-mx", domain, `${domain} publishes a null MX and accepts no mail`)];
  }

  const findings: Finding[] = [];
  if (live.implicitMx) {
    findings.push(
      finding("no-mx", domain, `${domain} has no MX record; the implicit MX is ${domain}`),
    );
  }

  const policy = live.policy.value;
  const hosts = live.mxHosts;
  if (policy === null || hosts === null || policy.mode === "none") return findings;

  const uncovered = uncoveredHosts(policy.mx, hosts);
  if (uncovered.length === 0) return findings;

  const code = policy.mode === "enforce" ? "enforce-mx-not-covered" : "mx-not-covered";
  findings.push(
    finding(
      code,
      domain,
      `MX ${uncovered.join(", ")} not matched by the served policy (mode ${policy.mode}, mx ${policy.mx.join(", ")})`,
    ),
  );
  return findings;
}

/** Findings about what is served now, independent of the declared intent. */
export function liveFindings(live: LiveState): Finding[] {
  const findings: Finding[] = [];

  if (live.temporaryFailures.length > 0) {
    const lookups = live.temporaryFailures.map(
      (failure) => `${failure.type} ${failure.name}: ${failure.status} (${failure.detail})`,
    );
    findings.push(
      finding(
        "dns-temporary-failure",
        live.domain,
        `${lookups.join("; ")}; the records are unknown, not absent`,
      ),
    );
  }

  findings.push(...recordFindings(live));
  if (live.mxHosts !== null) findings.push(...mxFindings(live));
  if (live.sts.texts !== null) findings.push(...policyFindings(live));
  return findings;
}
