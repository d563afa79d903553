/**
 * A small MIME reader for report mail (RFC 2045, RFC 2046). It splits multiparts and
 * returns the leaf parts with their headers and still-encoded bodies; the caller decodes
 * only the parts it wants. Report mail needs nothing more, and skipping the text parts
 * keeps ingestion fast.
 */

import { UnreadableInputError } from "../quarantine.js";
import {
  firstField,
  type HeaderFields,
  type ParameterizedValue,
  parseParameterizedValue,
  readHeaderBlock,
} from "./mime-headers.js";

/** One non-multipart part of a message. */
export interface MimeLeaf {
  /** Lower-cased media type, "text/plain" when the part has no Content-Type. */
  mediaType: string;
  /** File name from Content-Disposition or the Content-Type name parameter, or null. */
  fileName: string | null;
  /** Lower-cased Content-Transfer-Encoding, "7bit" when absent. */
  transferEncoding: string;
  /** The part body as a latin1 string (one character per byte), still transfer-encoded. */
  body: string;
}

/** A parsed message: its top-level header fields and its leaf parts in order. */
export interface MimeMessage {
  headers: HeaderFields;
  leaves: MimeLeaf[];
  warnings: string[];
}

const DEFAULT_CONTENT_TYPE: ParameterizedValue = { value: "text/plain", params: new Map() };

/** Removes the line break that RFC 2046 section 5.1.1 assigns to the next delimiter. */
function trimDelimiterLineBreak(text: string): string {
  if (text.endsWith("\r\n")) {
    return text.slice(0, -2);
  }
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

/** Tells whether `rest` (what follows a delimiter on its line) is only white space. */
function isBlankTail(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) {
      return false;
    }
  }
  return true;
}

interface SplitBody {
  parts: string[];
  closed: boolean;
}

/**
 * Splits a multipart body at its delimiter lines (RFC 2046 section 5.1.1: "--" boundary
 * at the start of a line, "--" boundary "--" to close). A body without the closing
 * delimiter ends its last part at the end of the message.
 */
function splitMultipart(body: string, boundary: string): SplitBody {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let partStart = -1;
  let searchFrom = 0;

  while (searchFrom <= body.length) {
    const found = body.indexOf(delimiter, searchFrom);
    if (found === -1) {
      break;
    }
    searchFrom = found + delimiter.length;
    if (found > 0 && body.charCodeAt(found - 1) !== 0x0a) {
      continue;
    }

    const lineEnd = body.indexOf("\n", searchFrom);
    const tailEnd = lineEnd === -1 ? body.length : lineEnd;
    const closing = body.startsWith("--", searchFrom);
    const tailStart = closing ? searchFrom + 2 : searchFrom;
    if (!isBlankTail(body, tailStart, tailEnd)) {
      continue;
    }

    if (partStart !== -1) {
      parts.push(trimDelimiterLineBreak(body.slice(partStart, found)));
    }
    if (closing) {
      return { parts, closed: true };
    }
    partStart = lineEnd === -1 ? body.length : lineEnd + 1;
    searchFrom = partStart;
  }

  if (partStart !== -1) {
    parts.push(body.slice(partStart));
  }
  return { parts, closed: false };
}

function fileNameOf(fields: HeaderFields, contentType: ParameterizedValue): string | null {
  const disposition = firstField(fields, "content-disposition");
  if (disposition?.toLowerCase().includes("filename")) {
    const fileName = parseParameterizedValue(disposition).params.get("filename");
    if (fileName !== undefined && fileName.length > 0) {
      return fileName;
    }
  }
  return contentType.params.get("name") ?? null;
}

function walkEntity(
  text: string,
  start: number,
  end: number,
  depth: number,
  maxDepth: number,
  message: MimeMessage,
  fields: HeaderFields,
): void {
  const rawType = firstField(fields, "content-type");
  const contentType = rawType === null ? DEFAULT_CONTENT_TYPE : parseParameterizedValue(rawType);
  const body = text.slice(start, end);

  if (contentType.value.startsWith("multipart/")) {
    const boundary = contentType.params.get("boundary");
    if (boundary === undefined || boundary.length === 0) {
      message.warnings.push(
        `${contentType.value} part has no boundary parameter; read as one part`,
      );
    } else {
      if (depth >= maxDepth) {
        throw new UnreadableInputError(
          "invalid-mime",
          `e-mail nests multiparts deeper than ${maxDepth} levels (the maxMimeDepth limit)`,
        );
      }
      const split = splitMultipart(body, boundary);
      if (!split.closed) {
        message.warnings.push(
          `multipart has no closing boundary "--${boundary}--"; its last part runs to the end of the message`,
        );
      }
      for (const part of split.parts) {
        const block = readHeaderBlock(part, 0);
        walkEntity(part, block.bodyStart, part.length, depth + 1, maxDepth, message, block.fields);
      }
      return;
    }
  }

  message.leaves.push({
    mediaType: contentType.value || "text/plain",
    fileName: fileNameOf(fields, contentType),
    transferEncoding: (firstField(fields, "content-transfer-encoding") ?? "7bit").toLowerCase(),
    body,
  });
}

/** Parses an e-mail into its top-level header fields and leaf parts. */
export function parseMimeMessage(bytes: Uint8Array, maxDepth: number): MimeMessage {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const block = readHeaderBlock(text, 0);
  const message: MimeMessage = { headers: block.fields, leaves: [], warnings: [] };
  walkEntity(text, block.bodyStart, text.length, 0, maxDepth, message, block.fields);
  return message;
}

/** RFC 2045 section 6.7: "=XX" is a byte, "=" at a line end is a soft line break. */
function decodeQuotedPrintable(body: string): Buffer {
  const text = body
    .replace(/[ \t]+(\r?\n)/g, "$1")
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  return Buffer.from(text, "latin1");
}

/**
 * Decodes a leaf body by its Content-Transfer-Encoding. Base64 decoding skips line breaks
 * and other characters outside the alphabet, as RFC 2045 section 6.8 requires of
 * decoders, so bodies wrapped at 76 characters or not at all both decode.
 */
export function decodeLeafBody(leaf: MimeLeaf): Buffer {
  switch (leaf.transferEncoding) {
    case "base64":
      return Buffer.from(leaf.body, "base64");
    case "quoted-printable":
      return decodeQuotedPrintable(leaf.body);
    default:
      return Buffer.from(leaf.body, "latin1");
  }
}
