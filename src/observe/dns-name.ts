/**
 * DNS name helpers for the client. Names are kept lower-case without the trailing dot;
 * the root is "". RFC 4343: DNS names compare case-insensitively in ASCII only.
 */

/** RFC 1035 section 2.3.4: 63 octets per label, 255 octets on the wire (253 characters as text). */
const MAX_LABEL_LENGTH = 63;
const MAX_NAME_LENGTH = 253;

/** Lower-cases ASCII letters and removes one trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Returns a one-line reason when `name` cannot be sent in a query, else null. */
export function findNameProblem(name: string): string | null {
  if (name === "") {
    return "the name is empty";
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `the name is longer than ${MAX_NAME_LENGTH} characters`;
  }
  for (const label of name.split(".")) {
    if (label === "") {
      return `${JSON.stringify(name)} has an empty label`;
    }
    if (Buffer.byteLength(label) > MAX_LABEL_LENGTH) {
      return `${JSON.stringify(name)} has a label longer than ${MAX_LABEL_LENGTH} octets`;
    }
  }
  return null;
}

/** Tells whether `name` is `zone` or lies below it. Both must be normalized. */
export function isInZone(name: string, zone: string): boolean {
  if (zone === "") {
    return true;
  }
  return name === zone || name.endsWith(`.${zone}`);
}

/** Returns the name one label up ("a.example.com" -> "example.com"), or "" above a single label. */
export function parentName(name: string): string {
  const dot = name.indexOf(".");
  return dot === -1 ? "" : name.slice(dot + 1);
}

/** Returns `name` and each of its ancestors, longest first, ending with the root "". */
export function selfAndAncestors(name: string): string[] {
  const names: string[] = [];
  let current = name;
  while (current !== "") {
    names.push(current);
    current = parentName(current);
  }
  names.push("");
  return names;
}
