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

/**
 * Returns the index of the colon that ends the field name of `line`, or -1 when the line
 * does not start a header field. RFC 5322 section 2.2: a field name is printable ASCII
 * except the colon; white space before the colon is tolerated (obsolete syntax, section 4.5).
 */
function fieldColon(line: string): number {
  let index = 0;
  while (index < line.length) {
    const code = line.charCodeAt(index);
    if (code === 0x3a || code < 0x21 || code > 0x7e) {
      break;
    }
    index += 1;
  }
  if (index === 0) {
    return -1;
  }
  while (index < line.length) {
    const code = line.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09) {
      break;
    }
    index += 1;
  }
  return line.charCodeAt(index) === 0x3a ? index : -1;
}

/** Adds the unfolded field `line`, whose name ends at `colon`; -1 means no field. */
function addField(fields: HeaderFields, line: string, colon: number): void {
  if (colon === -1) {
    return;
  }
  const name = line.slice(0, colon).trimEnd().toLowerCase();
  const value = line.slice(colon + 1).trim();
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
  let currentColon = -1;
  let position = start;

  while (position < text.length) {
    const lineEnd = text.indexOf("\n", position);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    let end = lineEnd === -1 ? text.length : lineEnd;
    if (end > position && text.charCodeAt(end - 1) === 0x0d) {
      end -= 1;
    }

    if (end === position) {
      if (current !== null) {
        addField(fields, current, currentColon);
      }
      return { fields, bodyStart: next };
    }

    const line = text.slice(position, end);
    const first = line.charCodeAt(0);
    const colon = first === 0x20 || first === 0x09 ? -1 : fieldColon(line);
    if ((first === 0x20 || first === 0x09) && current !== null) {
      current += line;
    } else if (colon !== -1 || line.startsWith("From ")) {
      if (current !== null) {
        addField(fields, current, currentColon);
      }
      current = line;
      currentColon = colon;
    } else {
      if (current !== null) {
        addField(fields, current, currentColon);
      }
      return { fields, bodyStart: position };
    }
    position = next;
  }

  if (current !== null) {
    addField(fields, current, currentColon);
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

/** RFC 2231 section 3: a parameter split into sections, `name*0`, `name*1*`, ... */
const SECTION_NAME = /^(.+?)\*(\d+)(\*?)$/;

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
  let start = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (quoted) {
      // RFC 5322 section 3.2.4: a backslash inside a quoted string escapes the next character.
      if (code === 0x5c) {
        index += 1;
      } else if (code === 0x22) {
        quoted = false;
      }
      continue;
    }
    if (code === 0x22) {
      quoted = true;
    } else if (code === 0x3b) {
      items.push(text.slice(start, index));
      start = index + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    const inner = value.slice(1, -1);
    return inner.includes("\\") ? inner.replace(/\\(.)/g, "$1") : inner;
  }
  return value;
}

/**
 * Parses `type/subtype; name=value; ...` (RFC 2045 section 5.1), accepting quoted values,
 * empty items such as a trailing "; ", and RFC 2231 continuations (`name*0`, `name*1*`)
 * and extended values (`name*=utf-8''...`).
 */
export function parseParameterizedValue(text: string): ParameterizedValue {
  const items = splitParameters(text);
  const params = new Map<string, string>();
  // Created on the first RFC 2231 section; nearly all headers have none.
  let sections: Map<string, { index: number; value: string }[]> | null = null;

  for (let position = 1; position < items.length; position += 1) {
    const item = items[position]!;
    const equals = item.indexOf("=");
    if (equals === -1) {
      continue;
    }
    const rawName = item.slice(0, equals).trim().toLowerCase();
    const rawValue = unquote(item.slice(equals + 1).trim());

    const section = rawName.includes("*") ? SECTION_NAME.exec(rawName) : null;
    if (section !== null) {
      const name = section[1]!;
      const index = Number(section[2]);
      const extended = section[3] === "*";
      const value = extended ? decodeExtendedValue(rawValue, index === 0) : rawValue;
      sections ??= new Map();
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

  for (const [name, list] of sections ?? []) {
    if (!params.has(name)) {
      list.sort((left, right) => left.index - right.index);
      params.set(name, list.map((part) => part.value).join(""));
    }
  }

  return { value: (items[0] ?? "").trim().toLowerCase(), params };
}
