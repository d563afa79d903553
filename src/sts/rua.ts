/**
 * Report destinations (rua) of the `_smtp._tls` record (RFC 8460 section 3): a mailto:
 * or https: URI in which ",", "!" and ";" are percent-encoded.
 */

/** A rua problem and its severity: an unsupported scheme is a warning, everything else an error. */
export interface RuaProblem {
  severity: "error" | "warning";
  reason: string;
}

/** RFC 3986 section 2: unreserved, reserved and "%" characters. */
const URI_CHARACTER = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** RFC 5322 section 3.2.3 atext, for the dot-atom local part of an address. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

const QUOTED_LOCAL_PART = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Characters that RFC 8460 section 3 requires to be percent-encoded inside a rua URI. */
const MUST_ENCODE: Record<string, string> = { ",": "%2C", "!": "%21", ";": "%3B" };

/** Checks a rua URI; returns null when it is a valid mailto: or https: URI, else the reason. */
export function validateRua(uri: string): string | null {
  return findRuaProblem(uri)?.reason ?? null;
}

/** Percent-encodes ",", "!" and ";" in a URI, as RFC 8460 section 3 requires for rua. */
export function encodeRuaUri(uri: string): string {
  return uri.replace(/[,!;]/g, (char) => MUST_ENCODE[char]!);
}

/** Finds the first problem with a rua URI, or null when it is a usable destination. */
export function findRuaProblem(uri: string): RuaProblem | null {
  const quoted = JSON.stringify(uri);
  const error = (reason: string): RuaProblem => ({ severity: "error", reason });

  if (uri === "") {
    return error("rua is empty; write a mailto: or https: URI");
  }

  const unencoded = /[,!;]/.exec(uri)?.[0];
  if (unencoded !== undefined) {
    const sizeLimit = /![0-9]+[kmgt]?$/i.test(uri)
      ? '; the DMARC size limit suffix ("!10m") has no meaning in TLS-RPT, so remove it'
      : "";
    return error(
      `rua ${quoted} contains an unencoded ${JSON.stringify(unencoded)}; RFC 8460 section 3 requires ${MUST_ENCODE[unencoded]} inside a URI${sizeLimit}`,
    );
  }

  for (const char of uri) {
    if (!URI_CHARACTER.test(char)) {
      return error(
        `rua ${quoted} contains ${JSON.stringify(char)}, which is not allowed in a URI (RFC 3986); percent-encode it`,
      );
    }
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(uri)) {
    return error(`rua ${quoted} has a "%" that does not start a percent-encoded byte such as %40`);
  }

  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const hint = uri.includes("@") ? `, such as ${JSON.stringify(`mailto:${uri}`)}` : "";
    return error(
      `rua has no URI scheme: ${quoted}; RFC 8460 section 3 needs a mailto: or https: URI${hint}`,
    );
  }
  if (scheme === "mailto") {
    return findMailtoProblem(uri);
  }
  if (scheme === "https") {
    return findHttpsProblem(uri);
  }

  const hint = scheme === "http" ? '; use "https:"' : "";
  return {
    severity: "warning",
    reason: `rua ${quoted} uses the unsupported scheme "${scheme}:"; RFC 8460 section 3 defines mailto: and https: only${hint}`,
  };
}

function findMailtoProblem(uri: string): RuaProblem | null {
  const quoted = JSON.stringify(uri);
  const error = (reason: string): RuaProblem => ({
    severity: "error",
    reason: `rua ${quoted} ${reason}`,
  });

  const [to = ""] = uri.slice("mailto:".length).split("?");
  if (to === "") {
    return error("has no address after mailto:");
  }

  let address: string;
  try {
    address = decodeURIComponent(to);
  } catch {
    return error("has a percent-encoded address that is not valid UTF-8");
  }

  const at = address.lastIndexOf("@");
  if (at < 0) {
    return error('has no "@" in its address; write mailto:local-part@domain');
  }
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!DOT_ATOM.test(local) && !QUOTED_LOCAL_PART.test(local)) {
    return error(`has the invalid local part ${JSON.stringify(local)} (RFC 5322 section 3.4.1)`);
  }
  if (!isHostName(domain)) {
    return error(`has the invalid mail domain ${JSON.stringify(domain)}`);
  }
  return null;
}

function findHttpsProblem(uri: string): RuaProblem | null {
  const quoted = JSON.stringify(uri);
  const error = (reason: string): RuaProblem => ({
    severity: "error",
    reason: `rua ${quoted} ${reason}`,
  });

  if (!/^https:\/\//i.test(uri)) {
    return error('has no host; write "https://" followed by the host name');
  }

  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return error("is not a valid https: URL");
  }
  if (url.username !== "" || url.password !== "") {
    return error("contains user information, which a public DNS record must not carry");
  }
  if (url.hostname === "") {
    return error("has no host");
  }
  return null;
}

/** Tells whether `name` has at least two LDH labels and a last label that is not all digits. */
function isHostName(name: string): boolean {
  if (name.length > 253) {
    return false;
  }
  const labels = name.split(".");
  if (labels.length < 2 || /^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return false;
  }
  return labels.every((label) => HOST_LABEL.test(label));
}
