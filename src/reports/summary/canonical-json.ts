/**
 * Deterministic JSON: object keys sorted by UTF-16 code units at every level, Maps
 * written as objects, two-space indentation and a final newline, laid out as
 * JSON.stringify(value, null, 2) lays out the same sorted data. The same data always
 * gives the same bytes, so re-running ingestion leaves committed files unchanged.
 */

function compareKeys(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}

function writeObject(keys: string[], readValue: (key: string) => unknown, indent: string): string {
  if (keys.length === 0) {
    return "{}";
  }
  keys.sort(compareKeys);
  const inner = `${indent}  `;
  let text = "{\n";
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index]!;
    text += `${inner}${JSON.stringify(key)}: ${writeValue(readValue(key), inner)}`;
    text += index === keys.length - 1 ? "\n" : ",\n";
  }
  return `${text}${indent}}`;
}

function writeValue(value: unknown, indent: string): string {
  if (typeof value !== "object" || value === null) {
    return JSON.stringify(value) ?? "null";
  }

  if (value instanceof Map) {
    return writeObject([...value.keys()].map(String), (key) => value.get(key), indent);
  }

  if (Array.isArray(value)) {
    if (value.length === 0) {
      return "[]";
    }
    const inner = `${indent}  `;
    let text = "[\n";
    for (let index = 0; index < value.length; index += 1) {
      text += `${inner}${writeValue(value[index], inner)}`;
      text += index === value.length - 1 ? "\n" : ",\n";
    }
    return `${text}${indent}]`;
  }

  // Object.keys lists own keys only, so a key such as "__proto__" stays data.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  return writeObject(keys, (key) => record[key], indent);
}

/** Serialises `value` as canonical JSON text ending in a newline. */
export function canonicalJson(value: unknown): string {
  return `${writeValue(value, "")}\n`;
}
