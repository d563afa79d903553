/**
 * Result types for TXT records and the RFC 8461 section 3.1 / RFC 8460 section 3 rule for
 * picking one record out of a TXT answer.
 */

import { beginsWithVersion, describeMissingVersion } from "./tag-record.js";

export type RecordParse<T> =
  | { ok: true; record: T; warnings: string[] }
  | { ok: false; error: string };

/** A TXT record that the version filter dropped, with the reason. */
export interface Discarded {
  text: string;
  reason: string;
}

/**
 * What a TXT answer contains after the version filter: no record, exactly one (parsed,
 * possibly invalid) or several. Several records mean the domain has no usable record;
 * the selection never picks one of them.
 */
export type RecordSelection<T> =
  | { kind: "none"; discarded: Discarded[] }
  | { kind: "one"; text: string; parsed: RecordParse<T>; discarded: Discarded[] }
  | { kind: "many"; texts: string[]; discarded: Discarded[] };

/** Concatenates the character-strings of one TXT record without adding spaces. */
export function joinTxtStrings(strings: string[]): string {
  return strings.join("");
}

/**
 * Applies the discard rule: joins each record's character-strings, drops records that do
 * not begin with the version followed by optional WSP and ";", and parses the record
 * when exactly one is left. The filter accepts WSP before ";" because the ABNF allows it
 * (RFC 8461 errata 6285); the parser warns about it.
 */
export function selectRecord<T>(
  records: string[][],
  version: string,
  parse: (text: string) => RecordParse<T>,
): RecordSelection<T> {
  const candidates: string[] = [];
  const discarded: Discarded[] = [];

  for (const strings of records) {
    const text = joinTxtStrings(strings);
    if (beginsWithVersion(text, version)) {
      candidates.push(text);
    } else {
      discarded.push({ text, reason: describeMissingVersion(text, version) });
    }
  }

  const [only] = candidates;
  if (only === undefined) {
    return { kind: "none", discarded };
  }
  if (candidates.length > 1) {
    return { kind: "many", texts: candidates, discarded };
  }
  return { kind: "one", text: only, parsed: parse(only), discarded };
}
