/**
 * MX presets: named sets of mx patterns for common mailbox providers, kept as data in
 * mx-presets.json so that adding a provider changes no code.
 */

import { lowerCaseAscii } from "../sts/mx.js";
import presetFile from "./mx-presets.json" with { type: "json" };

export interface MxPreset {
  /** The provider's product name, for messages and docs. */
  name: string;
  /** The mx patterns the preset adds to a policy. */
  mx: string[];
  /** MX host names the provider documents; the patterns must match every one. */
  hosts: string[];
  comment: string;
  sources: string[];
}

/** Presets by the name used in `mx_presets`, in the order of the data file. */
export const MX_PRESETS: Readonly<Record<string, MxPreset>> = presetFile.presets;

/** The date the preset host names were last checked against the providers' pages. */
export const MX_PRESETS_CHECKED: string = presetFile.checked;

export const MX_PRESET_NAMES: readonly string[] = Object.keys(MX_PRESETS);

/**
 * Merges explicit mx patterns with the patterns of the named presets: explicit ones
 * first, then each preset's in order. Patterns are lower-cased, and a pattern that
 * repeats (compared case-insensitively) is kept once. Unknown preset names are skipped,
 * because validation reports them before this runs.
 */
export function mergeMxPatterns(
  explicit: readonly string[],
  presetNames: readonly string[],
): string[] {
  const merged: string[] = [];
  const seen = new Set<string>();

  const add = (pattern: string): void => {
    const key = lowerCaseAscii(pattern);
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    merged.push(key);
  };

  for (const pattern of explicit) {
    add(pattern);
  }
  for (const name of presetNames) {
    for (const pattern of MX_PRESETS[name]?.mx ?? []) {
      add(pattern);
    }
  }

  return merged;
}
