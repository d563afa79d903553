/**
 * The key order octoDNS enforces in YAML zone files. octoDNS sorts and checks every
 * mapping's keys with `natsort.natsort_keygen()` in its default mode, and its loader
 * rejects a file whose keys are out of that order ("keys out of order: expected ...").
 *
 * That default key splits a string into runs of digits and non-digits, turns the digit
 * runs into integers, and puts an empty string first when the string starts with a
 * digit, so text and numbers always line up. Keys are then compared element by element
 * (text by character code, integers by value), and a key that is a prefix of another sorts
 * first. So "*.2.2" sorts before "*.10.1", and "45a0392a" before "45a03129" (392 < 3129).
 *
 * NOTE: only ASCII digits are treated as numbers; natsort also reads other Unicode
 * decimal digits, which DNS names in zone files do not contain.
 */

type KeyPart = string | bigint;

/** Splits `key` into natsort's default parts. */
export function naturalSortKey(key: string): KeyPart[] {
  const parts: KeyPart[] = [];
  for (const run of key.split(/(\d+)/)) {
    if (run === "") {
      continue;
    }
    if (/^\d/.test(run)) {
      if (parts.length === 0) {
        parts.push("");
      }
      parts.push(BigInt(run));
    } else {
      parts.push(run);
    }
  }
  return parts;
}

/** Compares two mapping keys in octoDNS's natural order; 0 means the keys tie. */
export function compareNatural(left: string, right: string): number {
  const leftKey = naturalSortKey(left);
  const rightKey = naturalSortKey(right);
  const length = Math.min(leftKey.length, rightKey.length);

  for (let index = 0; index < length; index++) {
    const order = compareParts(leftKey[index]!, rightKey[index]!);
    if (order !== 0) {
      return order;
    }
  }
  return leftKey.length - rightKey.length;
}

function compareParts(left: KeyPart, right: KeyPart): number {
  // Parts line up by construction (text at even positions, numbers at odd ones), so
  // a mixed pair does not occur. Comparing it as text keeps the function total.
  const bothNumbers = typeof left === "bigint" && typeof right === "bigint";
  const leftValue = bothNumbers ? left : String(left);
  const rightValue = bothNumbers ? right : String(right);

  if (leftValue < rightValue) {
    return -1;
  }
  if (leftValue > rightValue) {
    return 1;
  }
  return 0;
}

/** Returns the first pair of neighbouring keys that break the natural order, or null. */
export function findOrderViolation(keys: string[]): { before: string; after: string } | null {
  for (let index = 1; index < keys.length; index++) {
    const before = keys[index - 1]!;
    const after = keys[index]!;
    if (compareNatural(before, after) > 0) {
      return { before, after };
    }
  }
  return null;
}
