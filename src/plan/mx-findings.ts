import type { MxProbe } from "../observe/types.js";
import { finding } from "./findings.js";
import type { Finding } from "./types.js";

/** TLS versions RFC 8461 section 7.2 rules out for MTAs that support MTA-STS. */
const OUTDATED_TLS = new Set(["SSLv3", "TLSv1", "TLSv1.1"]);

/**
 * Findings for one domain from the STARTTLS probes of its MX hosts. Every MX counts,
 * backups included: RFC 8461 section 8.4 notes a broken backup stays invisible until
 * the primary fails.
 */
export function mxProbeFindings(
  domain: string,
  probes: MxProbe[],
  minCertificateDays: number,
): Finding[] {
  const findings: Finding[] = [];
  for (const probe of probes) {
    const where = `MX ${probe.host}${probe.address ? ` (${probe.address})` : ""}`;
    const detail = probe.detail ? `: ${probe.detail}` : "";

    switch (probe.result) {
      case "ok":
        break;
      case "starttls-not-supported":
      case "certificate-host-mismatch":
      case "certificate-expired":
      case "certificate-not-trusted":
      case "validation-failure":
        findings.push(finding(`mx-${probe.result}`, domain, `${where}${detail}`));
        continue;
      case "protocol":
        findings.push(finding("mx-validation-failure", domain, `${where}${detail}`));
        continue;
      default:
        findings.push(finding("mx-unreachable", domain, `${where}: ${probe.result}${detail}`));
        continue;
    }

    if (probe.tlsVersion && OUTDATED_TLS.has(probe.tlsVersion)) {
      findings.push(finding("mx-tls-version", domain, `${where} negotiated ${probe.tlsVersion}`));
    }
    if (probe.daysToExpiry !== null && probe.daysToExpiry < minCertificateDays) {
      findings.push(
        finding(
          "mx-certificate-expiring",
          domain,
          `${where} certificate expires ${probe.notAfter} (${probe.daysToExpiry} days left; warning below ${minCertificateDays})`,
        ),
      );
    }
  }
  return findings;
}
