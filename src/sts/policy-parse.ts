/**
 * Parser for the MTA-STS policy file (RFC 8461 section 3.2).
 *
 * Errors make the policy invalid, so no policy is returned. They cover a missing or invalid
 * version, mode or max_age, no mx under enforce or testing, and an mx value outside the
 * grammar. A line that is not "key: value" and a bare CR, which does not end a line, are
 * errors too.
 *
 * Warnings are grammar breaks whose meaning is clear, so the parser tolerates them and
 * still returns the policy: a byte order mark, white space at the start of a line or
 * before the colon, and blank lines. Duplicated non-mx fields (the first wins, as section
 * 3.2 requires), an mx pattern with a trailing dot or a single label, an invalid extension
 * value and max_age 0 are warnings too.
 *
 * Info covers valid choices worth knowing: LF or mixed line endings (the ABNF allows LF
 * and CRLF), extension fields, and an mx pattern listed twice.
 */

import { findMxPatternProblem, normalizeHostName } from "./mx.js";
import {
  describeInvalidMode,
  findMaxAgeTextProblem,
  isMode,
  type Mode,
  POLICY_FIELD_NAME,
  type PolicyParse,
  type PolicyProblem,
} from "./policy-fields.js";

const KNOWN_KEYS = ["version", "mode", "mx", "max_age"];

const BYTE_ORDER_MARK = "\uFEFF";

interface Line {
  number: number;
  text: string;
}

interface SplitText {
  lines: Line[];
  lfCount: number;
  crlfCount: number;
}

interface Field {
  line: number;
  value: string;
}

/** Parses a policy body; the policy is null exactly when errors is non-empty. */
export function parsePolicy(text: string): PolicyParse {
  const result: PolicyParse = { policy: null, errors: [], warnings: [], info: [], extensions: {} };
  const add = (list: PolicyProblem[], line: number | null, key: string | null, message: string) =>
    list.push({ line, key, message });

  let body = text;
  if (body.startsWith(BYTE_ORDER_MARK)) {
    add(
      result.warnings,
      1,
      null,
      "policy starts with a byte order mark (U+FEFF); remove it, because strict parsers then read the first key as an unknown field",
    );
    body = body.slice(BYTE_ORDER_MARK.length);
  }

  const { lines, lfCount, crlfCount } = splitLines(body);
  if (lines.every((line) => line.text.trim() === "")) {
    add(
      result.errors,
      null,
      null,
      "policy file is empty; it needs version, mode, mx and max_age lines",
    );
    return result;
  }
  reportLineEndings(result, lfCount, crlfCount);

  const fields = new Map<string, Field>();
  const mxFields: Field[] = [];

  for (const { number, text: lineText } of lines) {
    if (lineText.includes("\r")) {
      add(
        result.errors,
        number,
        null,
        "line contains a carriage return (CR) without a line feed; RFC 8461 section 3.2 ends lines with LF or CRLF only, so a bare CR does not end a line",
      );
    }

    if (lineText.trim() === "") {
      add(
        result.warnings,
        number,
        null,
        "blank line; the RFC 8461 section 3.2 grammar has no blank lines between fields, so remove it",
      );
      continue;
    }

    const field = splitField(result, number, lineText);
    if (field === null) {
      continue;
    }

    const { key, value } = field;
    if (key === "mx") {
      mxFields.push({ line: number, value });
      continue;
    }

    const first = fields.get(key);
    if (first !== undefined) {
      add(
        result.warnings,
        number,
        key,
        `duplicate field "${key}"; the first value (line ${first.line}, ${JSON.stringify(first.value)}) is used and ${JSON.stringify(value)} is ignored (RFC 8461 section 3.2)`,
      );
      continue;
    }
    fields.set(key, { line: number, value });

    if (!KNOWN_KEYS.includes(key)) {
      recordExtension(result, number, key, value);
    }
  }

  const version = fields.get("version");
  if (version === undefined) {
    add(result.errors, null, "version", 'version is missing; add the line "version: STSv1"');
  } else if (version.value !== "STSv1") {
    add(
      result.errors,
      version.line,
      "version",
      `version must be "STSv1", found ${JSON.stringify(version.value)}`,
    );
  }

  const mode = checkMode(result, fields.get("mode"));
  const maxAge = checkMaxAge(result, fields.get("max_age"));
  const mx = checkMx(result, mxFields, mode);

  if (result.errors.length === 0 && mode !== null && maxAge !== null) {
    result.policy = { mode, mx, maxAge };
  }
  for (const list of [result.errors, result.warnings, result.info]) {
    list.sort(byLine);
  }
  return result;
}

/** Orders problems by line, whole-file problems last; the sort is stable. */
function byLine(a: PolicyProblem, b: PolicyProblem): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

/** Splits at LF and CRLF only; the final terminator is optional (RFC 8461 section 3.2). */
function splitLines(text: string): SplitText {
  const pieces = text.split("\n");
  const lines: Line[] = [];
  let lfCount = 0;
  let crlfCount = 0;

  pieces.forEach((piece, index) => {
    const terminated = index < pieces.length - 1;
    if (!terminated && piece === "") {
      return;
    }

    let content = piece;
    if (terminated && piece.endsWith("\r")) {
      crlfCount += 1;
      content = piece.slice(0, -1);
    } else if (terminated) {
      lfCount += 1;
    }
    lines.push({ number: index + 1, text: content });
  });

  return { lines, lfCount, crlfCount };
}

function reportLineEndings(result: PolicyParse, lfCount: number, crlfCount: number): void {
  if (lfCount === 0) {
    return;
  }

  const message =
    crlfCount === 0
      ? "lines end with LF, which RFC 8461 section 3.2 allows; some validators still expect CRLF because the prose of that section specifies CRLF"
      : `line endings mix LF (${lfCount}) and CRLF (${crlfCount}); RFC 8461 section 3.2 allows both`;
  result.info.push({ line: null, key: null, message });
}

/** Splits a line at its first colon and trims the white space the parser tolerates. */
function splitField(
  result: PolicyParse,
  number: number,
  lineText: string,
): { key: string; value: string } | null {
  const colon = lineText.indexOf(":");
  if (colon < 0) {
    result.errors.push({
      line: number,
      key: null,
      message: `line ${JSON.stringify(lineText)} has no colon; policy lines read "key: value"`,
    });
    return null;
  }

  const rawKey = lineText.slice(0, colon);
  const key = rawKey.trim();
  const value = lineText.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");

  if (/^\s/.test(rawKey)) {
    result.warnings.push({
      line: number,
      key,
      message: `white space before "${key}" at the start of the line; the RFC 8461 section 3.2 grammar has none, so remove it`,
    });
  }
  if (key !== "" && /\s$/.test(rawKey)) {
    result.warnings.push({
      line: number,
      key,
      message: `white space between "${key}" and the colon; the RFC 8461 section 3.2 grammar has none, so write "${key}:"`,
    });
  }

  if (!POLICY_FIELD_NAME.test(key)) {
    result.errors.push({
      line: number,
      key: null,
      message: `field name ${JSON.stringify(key)} is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit`,
    });
    return null;
  }

  const known = KNOWN_KEYS.find((name) => name !== key && name === key.toLowerCase());
  if (known !== undefined) {
    result.warnings.push({
      line: number,
      key,
      message: `field "${key}" is not "${known}"; field names are case-sensitive, so this line is an extension and is ignored`,
    });
  }

  return { key, value };
}

function recordExtension(result: PolicyParse, number: number, key: string, value: string): void {
  result.extensions[key] = value;
  result.info.push({
    line: number,
    key,
    message: `unknown field "${key}" is an extension and senders ignore it (RFC 8461 section 3.2)`,
  });

  if (!isValidExtensionValue(value)) {
    result.warnings.push({
      line: number,
      key,
      message: `extension "${key}" has the invalid value ${JSON.stringify(value)}; a value is non-empty and contains no control characters`,
    });
  }
}

/** RFC 8461 section 3.2 sts-policy-ext-value: printable characters and inner spaces. */
function isValidExtensionValue(value: string): boolean {
  if (value === "") {
    return false;
  }
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) {
      return false;
    }
  }
  return true;
}

function checkMode(result: PolicyParse, field: Field | undefined): Mode | null {
  if (field === undefined) {
    result.errors.push({
      line: null,
      key: "mode",
      message:
        'mode is missing; add "mode: testing", "mode: enforce" or "mode: none" (there is no default)',
    });
    return null;
  }

  if (isMode(field.value)) {
    return field.value;
  }
  result.errors.push({ line: field.line, key: "mode", message: describeInvalidMode(field.value) });
  return null;
}

function checkMaxAge(result: PolicyParse, field: Field | undefined): number | null {
  if (field === undefined) {
    result.errors.push({
      line: null,
      key: "max_age",
      message: 'max_age is missing; add a line such as "max_age: 604800" (seconds)',
    });
    return null;
  }

  const problem = findMaxAgeTextProblem(field.value);
  if (problem !== null) {
    result.errors.push({ line: field.line, key: "max_age", message: problem });
    return null;
  }

  const maxAge = Number(field.value);
  if (maxAge === 0) {
    result.warnings.push({
      line: field.line,
      key: "max_age",
      message:
        "max_age is 0, so senders cannot cache the policy and an attacker who blocks the fetch disables it",
    });
  }
  return maxAge;
}

function checkMx(result: PolicyParse, mxFields: Field[], mode: Mode | null): string[] {
  const seen = new Map<string, number>();
  const patterns: string[] = [];

  for (const { line, value } of mxFields) {
    const problem = findMxPatternProblem(value);
    if (problem?.severity === "error") {
      result.errors.push({ line, key: "mx", message: problem.reason });
      continue;
    }
    if (problem !== null) {
      result.warnings.push({ line, key: "mx", message: problem.reason });
    }

    const normalized = normalizeHostName(value);
    const firstLine = seen.get(normalized);
    if (firstLine !== undefined) {
      result.info.push({
        line,
        key: "mx",
        message: `mx pattern ${JSON.stringify(value)} repeats the pattern on line ${firstLine}`,
      });
    } else {
      seen.set(normalized, line);
    }
    patterns.push(value);
  }

  if (mxFields.length === 0 && (mode === "enforce" || mode === "testing")) {
    result.errors.push({
      line: null,
      key: "mx",
      message: `mx is required: mode "${mode}" needs at least one mx line (RFC 8461 section 3.2)${misspeltMxHint(result)}`,
    });
  }
  return patterns;
}

/** Points at an extension whose name looks like a misspelt mx, such as "nmx" or "MX". */
function misspeltMxHint(result: PolicyParse): string {
  const suspect = Object.keys(result.extensions).find((name) => name.toLowerCase().includes("mx"));
  if (suspect === undefined) {
    return "";
  }
  return `; the extension field "${suspect}" may be a misspelt "mx"`;
}
