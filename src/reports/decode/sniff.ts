/**
 * Recognises an input by its bytes, never by its file name or MIME label: senders label
 * plain JSON as gzip and the reverse, and name files freely.
 */

/** The kind of content an input's bytes contain. */
export type ContentKind = "gzip" | "json" | "mbox" | "email" | "unknown";

/** RFC 1952 section 2.3.1: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** RFC 8259 section 2: insignificant white space is space, tab, LF and CR. */
function isJsonWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Index of the first byte after an optional UTF-8 byte order mark and JSON white space. */
function firstSignificantByte(bytes: Uint8Array): number {
  let index = 0;
  if (UTF8_BOM.every((byte, offset) => bytes[offset] === byte)) {
    index = UTF8_BOM.length;
  }
  while (index < bytes.length && isJsonWhitespace(bytes[index])) {
    index += 1;
  }
  return index;
}

/** Tells whether the bytes start with "From " (the separator line of an mbox file). */
function startsWithMboxSeparator(bytes: Uint8Array): boolean {
  const prefix = "From ";
  for (let index = 0; index < prefix.length; index += 1) {
    if (bytes[index] !== prefix.charCodeAt(index)) {
      return false;
    }
  }
  return true;
}

/** RFC 5322 section 2.2: a field name is printable ASCII except the colon, then a colon. */
function startsWithHeaderField(bytes: Uint8Array): boolean {
  const limit = Math.min(bytes.length, 998);
  for (let index = 0; index < limit; index += 1) {
    const byte = bytes[index]!;
    if (byte === 0x3a) {
      return index > 0;
    }
    if (byte < 0x21 || byte > 0x7e) {
      return false;
    }
  }
  return false;
}

/** Classifies bytes as gzip, JSON, an mbox file, one e-mail, or unknown. */
export function sniffContent(bytes: Uint8Array): ContentKind {
  if (isGzip(bytes)) {
    return "gzip";
  }

  const first = bytes[firstSignificantByte(bytes)];
  if (first === 0x7b || first === 0x5b) {
    return "json";
  }

  if (startsWithMboxSeparator(bytes)) {
    return "mbox";
  }
  if (startsWithHeaderField(bytes)) {
    return "email";
  }
  return "unknown";
}
