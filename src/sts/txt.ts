/**
 * DNS TXT records of MTA-STS (`_mta-sts`, RFC 8461 section 3.1) and TLS-RPT
 * (`_smtp._tls`, RFC 8460 section 3), and the character-strings they are stored in.
 */

export {
  type Discarded,
  joinTxtStrings,
  type RecordParse,
  type RecordSelection,
} from "./record-select.js";
export { encodeRuaUri, validateRua } from "./rua.js";
export {
  parseStsRecord,
  renderStsRecord,
  type StsRecord,
  selectStsRecord,
} from "./sts-record.js";
export {
  parseTlsRptRecord,
  renderTlsRptRecord,
  selectTlsRptRecord,
  type TlsRptRecord,
} from "./tlsrpt.js";

/** Returns the `_mta-sts` TXT record name of a Policy Domain (RFC 8461 section 3.1). */
export function stsRecordName(domain: string): string {
  return `_mta-sts.${domain}`;
}

/** Returns the `_smtp._tls` TXT record name of a domain (RFC 8460 section 3). */
export function tlsRptRecordName(domain: string): string {
  return `_smtp._tls.${domain}`;
}

/** RFC 1035 section 3.3: a character-string contains at most 255 octets. */
const MAX_STRING_BYTES = 255;

/**
 * Splits a TXT value into character-strings of at most 255 bytes of UTF-8, never inside a
 * character. Readers join them again without spaces. An empty value gives one empty string.
 */
export function splitTxtValue(text: string): string[] {
  const strings: string[] = [];
  let current = "";
  let currentBytes = 0;

  for (const char of text) {
    const bytes = Buffer.byteLength(char, "utf8");
    if (currentBytes + bytes > MAX_STRING_BYTES) {
      strings.push(current);
      current = "";
      currentBytes = 0;
    }
    current += char;
    currentBytes += bytes;
  }

  strings.push(current);
  return strings;
}
