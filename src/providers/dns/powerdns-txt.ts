/**
 * TXT record content in the zone-file presentation format that the PowerDNS API reads
 * and writes (RFC 1035 section 5.1): each character-string in double quotes, separated
 * by spaces. PowerDNS 4.7.3 rejects unquoted TXT content ("Data field in DNS should start
 * with quote") and returns what it stores in the same quoted form.
 */

import { splitTxtValue } from "../../sts/txt.js";

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * Formats the joined text of one TXT record as PowerDNS content. The text is split into
 * character-strings of at most 255 bytes of UTF-8 (RFC 1035 section 3.3). Quotes and
 * backslashes are escaped, and bytes outside printable ASCII are written as `\DDD`.
 */
export function formatTxtContent(text: string): string {
  return splitTxtValue(text)
    .map((part) => quoteString(Buffer.from(part, "utf8")))
    .join(" ");
}

function quoteString(bytes: Uint8Array): string {
  let quoted = '"';
  for (const byte of bytes) {
    if (byte === QUOTE || byte === BACKSLASH) {
      quoted += `\\${String.fromCharCode(byte)}`;
    } else if (byte < 0x20 || byte > 0x7e) {
      quoted += `\\${byte.toString().padStart(3, "0")}`;
    } else {
      quoted += String.fromCharCode(byte);
    }
  }
  return `${quoted}"`;
}

/**
 * Reads PowerDNS TXT content back into the record's joined text: the character-strings
 * concatenated without separators (RFC 8461 section 3.1 and RFC 7208 section 3.3), with
 * `\X` and `\DDD` escapes decoded. Unquoted strings are accepted as well. Throws on
 * an unterminated quote or a `\DDD` escape above 255.
 */
export function parseTxtContent(content: string): string {
  const bytes: number[] = [];
  let index = 0;

  while (index < content.length) {
    const char = content[index]!;
    if (char === " " || char === "\t") {
      index++;
      continue;
    }

    const quoted = char === '"';
    if (quoted) {
      index++;
    }

    let closed = !quoted;
    while (index < content.length) {
      const current = content[index]!;
      if (quoted && current === '"') {
        index++;
        closed = true;
        break;
      }
      if (!quoted && (current === " " || current === "\t")) {
        break;
      }

      if (current === "\\") {
        index = readEscape(content, index, bytes);
        continue;
      }

      index = readCharacter(content, index, bytes);
    }

    if (!closed) {
      throw new Error(`TXT content has an unterminated quoted string: ${content}`);
    }
  }

  return Buffer.from(bytes).toString("utf8");
}

/** Decodes the escape at `index` (a backslash) into `bytes` and returns the index after it. */
function readEscape(content: string, index: number, bytes: number[]): number {
  const digits = content.slice(index + 1, index + 4);
  if (/^\d{3}$/.test(digits)) {
    const value = Number(digits);
    if (value > 255) {
      throw new Error(`TXT content has an escape \\${digits} above 255: ${content}`);
    }
    bytes.push(value);
    return index + 4;
  }

  if (index + 1 >= content.length) {
    throw new Error(`TXT content ends with a lone backslash: ${content}`);
  }
  return readCharacter(content, index + 1, bytes);
}

/** Appends the UTF-8 bytes of the code point at `index` and returns the index after it. */
function readCharacter(content: string, index: number, bytes: number[]): number {
  const codePoint = content.codePointAt(index)!;
  const character = String.fromCodePoint(codePoint);
  bytes.push(...Buffer.from(character, "utf8"));
  return index + character.length;
}
