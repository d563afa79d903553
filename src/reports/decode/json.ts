import { isUtf8 } from "node:buffer";
import { UnreadableInputError } from "../quarantine.js";

/**
 * Keys that change an object's prototype when code copies a parsed object with spread or
 * Object.assign. No TLS-RPT field has these names, so a report holding one is hostile.
 * The value "__proto__" is refused too, because values such as organization-name become
 * keys in the summary files.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const FORBIDDEN_VALUE = "__proto__";

/** A parsed JSON document with the warnings about its encoding. */
export interface ParsedJson {
  value: unknown;
  warnings: string[];
}

/**
 * Throws unless no array or object nests deeper than `maxDepth` and no key or value is
 * forbidden. The recursion stops at `maxDepth`, so hostile nesting cannot overflow the stack.
 */
function checkShape(node: unknown, depth: number, maxDepth: number): void {
  if (typeof node !== "object" || node === null) {
    if (node === FORBIDDEN_VALUE) {
      throw new UnreadableInputError(
        "forbidden-key",
        `JSON contains the string "${FORBIDDEN_VALUE}", which would become a key in the summary files`,
      );
    }
    return;
  }
  if (depth > maxDepth) {
    throw new UnreadableInputError(
      "too-deep",
      `JSON nests more than ${maxDepth} levels of arrays and objects (the maxJsonDepth limit); a TLS-RPT report nests 5`,
    );
  }

  if (Array.isArray(node)) {
    for (const item of node) {
      checkShape(item, depth + 1, maxDepth);
    }
    return;
  }

  // JSON.parse creates plain objects whose prototype has no enumerable keys, so for-in
  // visits exactly the parsed keys, without the array Object.keys would allocate.
  for (const key in node) {
    if (FORBIDDEN_KEYS.has(key)) {
      throw new UnreadableInputError(
        "forbidden-key",
        `JSON contains the key ${JSON.stringify(key)}, which no TLS-RPT field uses and which could alter object prototypes`,
      );
    }
    checkShape((node as Record<string, unknown>)[key], depth + 1, maxDepth);
  }
}

/**
 * Parses report bytes as JSON after checking that they are UTF-8 (RFC 8460 section 4:
 * reports are I-JSON, RFC 7493, which requires UTF-8). Rejects deep nesting and keys
 * that could pollute prototypes. A byte order mark is removed with a warning.
 *
 * NOTE: JSON.parse keeps the last of duplicate member names, which I-JSON forbids;
 * duplicates are not detected.
 */
export function parseReportJson(bytes: Uint8Array, maxDepth: number): ParsedJson {
  if (!isUtf8(bytes)) {
    throw new UnreadableInputError(
      "invalid-utf8",
      "report is not valid UTF-8; RFC 8460 section 4 requires I-JSON, which is UTF-8",
    );
  }

  const warnings: string[] = [];
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    warnings.push(
      "report starts with a byte order mark, which RFC 8259 section 8.1 forbids; it was ignored",
    );
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UnreadableInputError(
      "invalid-json",
      `report is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }

  checkShape(value, 1, maxDepth);
  return { value, warnings };
}
