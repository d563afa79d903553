/**
 * Certificate checks shared by the policy fetch and the MX probe. The trust store is
 * Node's bundled Mozilla roots plus configured extra CAs. The host name check is RFC 6125
 * as RFC 8461 sections 3.3 and 4.2 narrow it. Verification errors map to RFC 8460 result
 * types.
 */

import { X509Certificate } from "node:crypto";
import tls, { type PeerCertificate } from "node:tls";

const contexts = new Map<string, tls.SecureContext>();

/**
 * Returns a client context that trusts Node's bundled roots and the extra CAs, or
 * undefined when there are none (Node's default store then applies). Contexts are
 * cached per CA list, because building one parses every root certificate.
 *
 * NOTE: with extra CAs the store is `tls.rootCertificates` plus those CAs, so
 * certificates added through NODE_EXTRA_CA_CERTS are not trusted in that case.
 */
export function trustContext(trustedCaPem: string[] | undefined): tls.SecureContext | undefined {
  if (trustedCaPem === undefined || trustedCaPem.length === 0) {
    return undefined;
  }

  const key = trustedCaPem.join("\n");
  const cached = contexts.get(key);
  if (cached !== undefined) {
    return cached;
  }

  const context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...trustedCaPem] });
  contexts.set(key, context);
  return context;
}

/**
 * RFC 8461 sections 3.3 and 4.2 apply RFC 6125 with these choices: only subjectAltName
 * dNSName entries count (no fallback to the subject CN), and a wildcard is allowed only
 * as the whole left-most label, matching exactly one label. OpenSSL's X509_check_host
 * does the matching; it also refuses wildcards directly above a public-suffix-like
 * single label ("*.com").
 */
const HOST_CHECK = {
  subject: "never",
  wildcards: true,
  partialWildcards: false,
  multiLabelWildcards: false,
  singleLabelSubdomains: false,
} as const;

/** Tells whether a DER certificate is valid for `host` under the rules above. */
export function certificateMatchesHost(der: Buffer, host: string): boolean {
  return new X509Certificate(der).checkHost(host, HOST_CHECK) !== undefined;
}

/** Returns the dNSName entries of a certificate's subjectAltName, lower-case. */
export function certificateDnsNames(certificate: PeerCertificate): string[] {
  if (!certificate.raw) {
    return [];
  }
  const altNames = new X509Certificate(certificate.raw).subjectAltName ?? "";
  return parseSubjectAltName(altNames)
    .filter((entry) => entry.type === "DNS")
    .map((entry) => entry.value.toLowerCase());
}

/**
 * Splits Node's subjectAltName text ("DNS:a.example, IP Address:192.0.2.1"). Since
 * Node 17 a value with a comma or quote is written as a JSON string, so a crafted
 * name such as "a, DNS:b" stays one entry.
 */
function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const entries: { type: string; value: string }[] = [];
  const pattern = /([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/gy;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0] === "") {
      break;
    }
    const raw = match[2] ?? "";
    entries.push({ type: (match[1] ?? "").trim(), value: unquote(raw) });
  }
  return entries;
}

function unquote(raw: string): string {
  if (!raw.startsWith('"')) {
    return raw;
  }
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw;
  }
}

/** Builds the error a `checkServerIdentity` callback returns for a name mismatch. */
export function hostMismatchError(host: string, names: string[]): Error {
  const listed = names.length === 0 ? "no DNS names (subjectAltName)" : names.join(", ");
  const error = new Error(`the certificate is not valid for ${host}; it covers ${listed}`);
  (error as NodeJS.ErrnoException).code = "ERR_TLS_CERT_ALTNAME_INVALID";
  return error;
}

/** Certificate failure kinds, named after the RFC 8460 section 4.3 result types. */
export type CertificateFailure =
  | "certificate-expired"
  | "certificate-not-trusted"
  | "certificate-host-mismatch"
  | "validation-failure";

/** OpenSSL verification codes (as Node reports them) that mean "no trusted chain". */
const NOT_TRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
]);

/** Other verification codes: the chain was found but is unusable for another reason. */
const OTHER_VERIFY_ERRORS = new Set([
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "CERT_CHAIN_TOO_LONG",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
]);

/**
 * Maps a TLS client error to a certificate failure with a one-line detail, or returns
 * null when the error is not about the certificate (network errors, handshake alerts).
 */
export function classifyCertificateError(
  error: NodeJS.ErrnoException,
  host: string,
): { failure: CertificateFailure; detail: string } | null {
  const code = error.code ?? "";
  if (code === "CERT_HAS_EXPIRED") {
    return { failure: "certificate-expired", detail: `the certificate of ${host} has expired` };
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return { failure: "certificate-host-mismatch", detail: error.message };
  }
  if (NOT_TRUSTED.has(code)) {
    return {
      failure: "certificate-not-trusted",
      detail: `the certificate of ${host} does not chain to a trusted root (${code})`,
    };
  }
  if (OTHER_VERIFY_ERRORS.has(code)) {
    return {
      failure: "validation-failure",
      detail: `the certificate of ${host} failed verification (${code})`,
    };
  }
  return null;
}
