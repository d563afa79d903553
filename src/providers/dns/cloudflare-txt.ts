/**
 * TXT record content in the form the Cloudflare DNS API stores it.
 *
 * The API's `content` of a TXT record is the zone-file form: quoted character-strings
 * (RFC 1035 section 5.1), each at most 255 bytes. Verified on 2026-12-04 against the
 * Cloudflare OpenAPI description (info.version 4.0.0, schema `dns-records_TXTRecord`)
 * and the cloudflare SDK 7.3.0 type comments, whose example is
 * `"\"v=spf1 include:example.com -all\""`. For example, the value
 *
 *     v=STSv1; id=20261204T120000Z;
 *
 * is sent and returned as the 31 characters `"v=STSv1; id=20261204T120000Z;"`, and a
 * 300-byte TLS-RPT value as two strings, `"v=TLSRPTv1; rua=...(255 bytes)" "...(45 bytes)"`.
 * The dashboard adds the quotes when a user leaves them out. The API stores what it is
 * sent, so records written bare by older tools come back bare and are read as they are.
 */
import { splitTxtValue } from "../../sts/txt.js";

/** Renders a TXT value as quoted character-strings of at most 255 bytes each. */
export function encodeTxtContent(value: string): string {
  return splitTxtValue(value)
    .map((part) => `"${part.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`)
    .join(" ");
}

/**
 * Returns the value of a TXT record's `content`: the quoted character-strings joined
 * without spaces (RFC 8461 section 3.1 joins them that way), or the content unchanged
 * when it is not in quoted form.
 */
export function decodeTxtContent(content: string): string {
  const strings = parseQuotedStrings(content.trim());
  return strings === null ? content : strings.join("");
}

/**
 * Parses `"a" "b\"c" "\065"` into its strings. Returns null when the text is not a
 * sequence of quoted strings separated by white space.
 */
export function parseQuotedStrings(text: string): string[] | null {
  if (!text.startsWith('"')) return null;

  const strings: string[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] !== '"') return null;

    const bytes: number[] = [];
    index++;
    let closed = false;
    while (index < text.length) {
      const char = text[index] ?? "";
      if (char === '"') {
        closed = true;
        index++;
        break;
      }
      if (char === "\\") {
        const escaped = readEscape(text, index + 1);
        if (!escaped) return null;
        bytes.push(...escaped.bytes);
        index = escaped.next;
        continue;
      }
      const codePoint = text.codePointAt(index) ?? 0;
      const encoded = Buffer.from(String.fromCodePoint(codePoint), "utf8");
      bytes.push(...encoded);
      index += codePoint > 0xffff ? 2 : 1;
    }
    if (!closed) return null;
    strings.push(Buffer.from(bytes).toString("utf8"));

    const gap = /^[ \t]*/.exec(text.slice(index))?.[0] ?? "";
    index += gap.length;
    if (index < text.length && gap.length === 0) return null;
  }
  return strings;
}

/** Reads `\X` (the character X) or `\DDD` (a decimal byte) after a backslash at `start`. */
function readEscape(text: string, start: number): { bytes: number[]; next: number } | null {
  const digits = /^\d{3}/.exec(text.slice(start))?.[0];
  if (digits) {
    const byte = Number(digits);
    return byte > 255 ? null : { bytes: [byte], next: start + 3 };
  }

  const codePoint = text.codePointAt(start);
  if (codePoint === undefined) return null;
  const char = String.fromCodePoint(codePoint);
  return { bytes: [...Buffer.from(char, "utf8")], next: start + char.length };
}
