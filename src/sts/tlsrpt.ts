/** The `_smtp._tls.<domain>` TXT record of SMTP TLS Reporting (RFC 8460 section 3). */

import { type RecordParse, type RecordSelection, selectRecord } from "./record-select.js";
import { encodeRuaUri, findRuaProblem } from "./rua.js";
import { isValidExtensionValue, parseTagList } from "./tag-record.js";

const TLSRPT_VERSION = "v=TLSRPTv1";

const SECTION = "RFC 8460 section 3";

/** RFC 8460 section 3: tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri). */
const RUA_SEPARATOR = /[ \t]*,[ \t]*/;

/** A parsed `_smtp._tls` record: the usable report destinations and extension fields. */
export interface TlsRptRecord {
  rua: string[];
  extensions: Record<string, string>;
}

/**
 * Parses one `_smtp._tls` record (its character-strings already joined). Every rua field
 * counts and their URIs are merged in order, because RFC 8460 section 3 lets a record
 * declare several. A URI with an unsupported scheme is dropped with a warning; any other
 * invalid URI makes the record invalid.
 */
export function parseTlsRptRecord(text: string): RecordParse<TlsRptRecord> {
  const list = parseTagList(text, TLSRPT_VERSION, SECTION);
  if (!list.ok) {
    return list;
  }

  const warnings = [...list.warnings];
  const extensions: Record<string, string> = {};
  const rua: string[] = [];
  let ruaFieldCount = 0;

  for (const { name, value } of list.fields) {
    if (name === "rua") {
      ruaFieldCount += 1;
      const problem = collectRua(value, rua, warnings);
      if (problem !== null) {
        return { ok: false, error: problem };
      }
      continue;
    }

    if (name in extensions) {
      warnings.push(
        `duplicate field "${name}"; the first value (${JSON.stringify(extensions[name])}) is used and ${JSON.stringify(value)} is ignored`,
      );
      continue;
    }
    if (!isValidExtensionValue(value)) {
      return {
        ok: false,
        error: `extension "${name}" has the invalid value ${JSON.stringify(value)}; values are printable ASCII without "=", ";" or spaces (${SECTION})`,
      };
    }
    extensions[name] = value;
  }

  if (ruaFieldCount === 0) {
    return {
      ok: false,
      error: `record ${JSON.stringify(text)} has no rua; add "rua=mailto:..." or "rua=https://..." (${SECTION})`,
    };
  }
  if (rua.length === 0) {
    const reasons = warnings.filter((warning) => warning.includes("unsupported scheme"));
    return {
      ok: false,
      error: `record ${JSON.stringify(text)} has no usable rua, so no report can be delivered: ${reasons.join("; ")}`,
    };
  }

  return { ok: true, record: { rua, extensions }, warnings };
}

/** Adds the URIs of one rua value to `rua`; returns the error that makes the record invalid. */
function collectRua(value: string, rua: string[], warnings: string[]): string | null {
  if (value === "") {
    return `rua is empty; write a mailto: or https: URI (${SECTION})`;
  }

  for (const uri of value.split(RUA_SEPARATOR)) {
    if (uri === "") {
      return `rua ${JSON.stringify(value)} has an empty entry in its comma-separated list`;
    }

    const problem = findRuaProblem(uri);
    if (problem?.severity === "error") {
      return problem.reason;
    }
    if (problem !== null) {
      warnings.push(`${problem.reason}; this destination is ignored`);
      continue;
    }

    if (rua.includes(uri)) {
      warnings.push(`rua ${JSON.stringify(uri)} is listed twice; the second entry is ignored`);
      continue;
    }
    rua.push(uri);
  }
  return null;
}

/** Picks the `_smtp._tls` record out of a TXT answer, one string array per record. */
export function selectTlsRptRecord(records: string[][]): RecordSelection<TlsRptRecord> {
  return selectRecord(records, TLSRPT_VERSION, parseTlsRptRecord);
}

/**
 * Renders the `_smtp._tls` record, percent-encoding ",", "!" and ";" inside each URI.
 * Throws when the list is empty or a URI is not a valid mailto: or https: URI.
 */
export function renderTlsRptRecord(rua: string[]): string {
  if (rua.length === 0) {
    throw new Error(
      `cannot render the _smtp._tls record: rua is empty; give at least one mailto: or https: URI`,
    );
  }

  const encoded = rua.map(encodeRuaUri);
  const problems = encoded
    .map((uri) => findRuaProblem(uri)?.reason ?? null)
    .filter((reason): reason is string => reason !== null);
  if (problems.length > 0) {
    throw new Error(
      `cannot render the _smtp._tls record:\n${problems.map((reason) => `- ${reason}`).join("\n")}`,
    );
  }

  return `${TLSRPT_VERSION}; rua=${encoded.join(",")}`;
}
