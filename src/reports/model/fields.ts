/**
 * Small readers for report fields: each returns a clean value or null and records what
 * was non-conformant, so one odd field never rejects a whole report.
 */

import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { UnreadableInputError } from "../quarantine.js";

/** Most warnings kept per report; a hostile report could otherwise produce millions. */
const MAX_WARNINGS = 50;

/** Maximum length of a free-text value (failure-reason-code, host names, ...); longer text is cut. */
export const MAX_TEXT_LENGTH = 512;

/** Warnings of one report, capped at MAX_WARNINGS with a count of the rest. */
export class WarningList {
  private readonly items: string[] = [];
  private dropped = 0;

  add(message: string): void {
    if (this.items.length < MAX_WARNINGS) {
      this.items.push(message);
    } else {
      this.dropped += 1;
    }
  }

  toArray(): string[] {
    if (this.dropped === 0) {
      return [...this.items];
    }
    return [...this.items, `${this.dropped} more warnings were not kept`];
  }
}

/** Tells whether `value` is a plain JSON object (not an array or null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Warns about keys of `object` that RFC 8460 does not define at `path`. */
export function warnUnknownKeys(
  object: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
  warnings: WarningList,
): void {
  // JSON.parse creates plain objects, so for-in visits exactly their own keys.
  for (const key in object) {
    if (!known.has(key)) {
      warnings.add(`${path}${JSON.stringify(key)} is not an RFC 8460 field and was ignored`);
    }
  }
}

/**
 * Reads an optional text field. null and "" mean absent (real senders use both). A
 * number is turned into text with a warning; anything else is ignored with a warning.
 */
export function readText(value: unknown, path: string, warnings: WarningList): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === "number") {
    warnings.add(`${path} is a number, not a string; read as ${JSON.stringify(String(value))}`);
    return String(value);
  }
  if (typeof value !== "string") {
    warnings.add(`${path} is not a string and was ignored`);
    return null;
  }

  const trimmed = value.trim();
  if (trimmed.length === 0) {
    return null;
  }
  if (trimmed.length > MAX_TEXT_LENGTH) {
    warnings.add(
      `${path} is ${trimmed.length} characters long; only the first ${MAX_TEXT_LENGTH} were kept`,
    );
    return trimmed.slice(0, MAX_TEXT_LENGTH);
  }
  return trimmed;
}

/**
 * Reads a session count: a non-negative safe integer. A string of digits is accepted with
 * a warning. Returns null for anything else.
 */
export function readCount(value: unknown, path: string, warnings: WarningList): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    return value;
  }
  if (typeof value === "string" && /^\d{1,15}$/.test(value.trim())) {
    warnings.add(
      `${path} is the string ${JSON.stringify(value)}, not a JSON number; read as ${Number(value)}`,
    );
    return Number(value);
  }
  return null;
}

/**
 * Reads an IP address. Empty means absent. IPv6 is written in the RFC 5952 canonical
 * form (RFC 8460's own example "2001:db8:abcd:0012::1" is not canonical). Text that is
 * no IP address is kept as sent, with a warning, because it is still evidence.
 */
export function readIpAddress(value: unknown, path: string, warnings: WarningList): string | null {
  const text = readText(value, path, warnings);
  if (text === null) {
    return null;
  }

  const family = isIP(text);
  if (family === 4) {
    return text;
  }
  if (family === 6) {
    if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(text) || text.includes("%")) {
      return text.toLowerCase();
    }
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  }

  warnings.add(`${path} ${JSON.stringify(text)} is not an IP address; kept as sent`);
  return text;
}

/** Lower-cases a host name and removes one trailing dot (DNS names compare case-insensitively). */
export function normalizeHost(text: string): string {
  const lower = text.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * A DNS name of at most 253 characters: labels of letters, digits, hyphens and underscores,
 * starting with a letter or digit, so no domain collides with the "_unattributed" folder.
 */
const DOMAIN_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Normalises a policy domain to a lower-case A-label name. The name becomes a folder
 * under reports/summaries, so anything that is not a plain domain name is rejected.
 * RFC 8460 section 4.4 requires A-labels; a U-label is converted with a warning.
 */
export function normalizePolicyDomain(text: string, path: string, warnings: WarningList): string {
  let domain = normalizeHost(text.trim());
  if (/[^\u0020-\u007e]/.test(domain)) {
    const ascii = domainToASCII(domain);
    if (ascii.length > 0) {
      warnings.add(
        `${path} ${JSON.stringify(text)} is a U-label; RFC 8460 section 4.4 requires A-labels; read as ${ascii}`,
      );
      domain = ascii;
    }
  }

  if (!DOMAIN_NAME.test(domain)) {
    throw new UnreadableInputError(
      "invalid-domain",
      `${path} ${JSON.stringify(text.slice(0, 300))} is not a domain name, so the report cannot be attributed`,
    );
  }
  return domain;
}
