/**
 * Guarded reads of parsed YAML that has not passed (or not yet passed) the schema, so
 * the semantic checks can run on every file and report all problems in one run.
 */

import type { DataPath } from "./yaml-file.js";

export type RawObject = Record<string, unknown>;

export function isRecord(value: unknown): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns the value at `path`, or undefined when any step is missing or of the wrong kind. */
export function valueAt(data: unknown, path: DataPath): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof segment === "number") {
      current = Array.isArray(current) ? current[segment] : undefined;
    } else {
      current = isRecord(current) ? current[segment] : undefined;
    }
    if (current === undefined) {
      return undefined;
    }
  }
  return current;
}

/** True when the mapping at `path` has `key`, even with a null value. */
export function hasKey(data: unknown, path: DataPath, key: string): boolean {
  const parent = valueAt(data, path);
  return isRecord(parent) && Object.hasOwn(parent, key);
}

/** Returns the string entries of the list at `path` with their indexes, skipping other entries. */
export function stringEntries(data: unknown, path: DataPath): Array<[number, string]> {
  const list = valueAt(data, path);
  if (!Array.isArray(list)) {
    return [];
  }
  const entries: Array<[number, string]> = [];
  list.forEach((entry, index) => {
    if (typeof entry === "string") {
      entries.push([index, entry]);
    }
  });
  return entries;
}
