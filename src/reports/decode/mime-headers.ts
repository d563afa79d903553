/**
 * RFC 5322 header fields and RFC 2045 / RFC 2231 header parameters, read leniently: report
 * mail comes from many mail systems, and a header quirk must not hide the report.
 */

/** Header fields by lower-cased name, each value unfolded and trimmed, in message order. */
export type HeaderFields = Map<string, string[]>;

/** A header block and the offset where the body starts. */
export interface HeaderBlock {
  fields: HeaderFields;
  bodyStart: number;
}

/** RFC 5322 section 2.2: a field name is printable ASCII except the colon. */
const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;

function addField(fields: HeaderFields, line: string): void {
  const match = FIELD_LINE.exec(line);
  if (match === null) {
    return;
  }
  const name = match[1]!.toLowerCase();
  const value = line.slice(match[0].length).trim();
  const values = fields.get(name);
  if (values === undefined) {
    fields.set(name, [value]);
  } else {
    values.push(value);
  }
}

/**
 * Reads the header block of `text` starting at `start`. The block ends at the first empty
 * line, or at the first line that is neither a field nor a folded continuation, which
 * then starts the body. RFC 5322 section 2.2.3: unfolding removes the line break before
 * white space.
 */
export function readHeaderBlock(text: string, start: number): HeaderBlock {
  const fields: HeaderFields = new Map();
  let current: string | null = null;
  let position = start;

  while (position < text.length) {
    const lineEnd = text.indexOf("\n", position);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    let line = text.slice(position, lineEnd === -1 ? text.length : lineEnd);
    if (line.endsWith("\r")) {
      line = line.slice(0, -1);
    }

    if (line.length === 0) {
      if (current !== null) {
        addField(fields, current);
      }
      return { fields, bodyStart: next };
    }

    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && current !== null) {
      current += line;
    } else if (FIELD_LINE.test(line) || line.startsWith("From ")) {
      if (current !== null) {
        addField(fields, current);
      }
      current = line;
    } else {
      if (current !== null) {
        addField(fields, current);
      }
      return { fields, bodyStart: position };
    }
    position = next;
  }

  if (current !== null) {
    addField(fields, current);
  }
  return { fields, bodyStart: text.length };
}

/** Returns the first value of a header field, or null. */
export function firstField(fields: HeaderFields, name: string): string | null {
  return fields.get(name)?.[0] ?? null;
}

/** A Content-Type or Content-Disposition value: the lower-cased token and its parameters. */
export interface ParameterizedValue {
  value: string;
  params: Map<string, string>;
}

/** Decodes an RFC 2231 extended value `charset'language'percent-encoded`. */
function decodeExtendedValue(raw: string, withCharset: boolean): string {
  let encoded = raw;
  let charset = "utf-8";
  if (withCharset) {
    const parts = raw.split("'");
    if (parts.length >= 3) {
      charset = parts[0]!.toLowerCase() || "utf-8";
      encoded = parts.slice(2).join("'");
    }
  }
  const bytes = Buffer.from(
    encoded.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    ),
    "latin1",
  );
  return charset === "utf-8" || charset === "us-ascii"
    ? bytes.toString("utf8")
    : bytes.toString("latin1");
}

/** Splits a parameter list at semicolons outside quoted strings. */
function splitParameters(text: string): string[] {
  if (!text.includes('"')) {
    return text.split(";");
  }
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted && char === "\\" && index + 1 < text.length) {
      current += char + text[index + 1];
      index += 1;
      continue;
    }
    if (char === '"') {
      quoted = !quoted;
    }
    if (char === ";" && !quoted) {
      items.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  items.push(current);
  return items;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return value;
}

/**
 * Parses `type/subtype; name=value; ...` (RFC 2045 section 5.1), accepting quoted values,
 * empty items such as a trailing "; ", and RFC 2231 continuations (`name*0`, `name*1*`)
 * and extended values (`name*=utf-8''...`).
 */
export function parseParameterizedValue(text: string): ParameterizedValue {
  const [head = "", ...rest] = splitParameters(text);
  const params = new Map<string, string>();
  const sections = new Map<string, { index: number; value: string }[]>();

  for (const item of rest) {
    const equals = item.indexOf("=");
    if (equals === -1) {
      continue;
    }
    const rawName = item.slice(0, equals).trim().toLowerCase();
    const rawValue = unquote(item.slice(equals + 1).trim());

    const section = /^(.+?)\*(\d+)(\*?)$/.exec(rawName);
    if (section !== null) {
      const name = section[1]!;
      const index = Number(section[2]);
      const extended = section[3] === "*";
      const value = extended ? decodeExtendedValue(rawValue, index === 0) : rawValue;
      const list = sections.get(name) ?? [];
      list.push({ index, value });
      sections.set(name, list);
      continue;
    }
    if (rawName.endsWith("*")) {
      params.set(rawName.slice(0, -1), decodeExtendedValue(rawValue, true));
      continue;
    }
    params.set(rawName, rawValue);
  }

  for (const [name, list] of sections) {
    if (!params.has(name)) {
      list.sort((left, right) => left.index - right.index);
      params.set(name, list.map((part) => part.value).join(""));
    }
  }

  return { value: head.trim().toLowerCase(), params };
}
