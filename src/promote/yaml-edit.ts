import { isMap, parseDocument } from "yaml";

/**
 * Sets `mta_sts.mode: enforce` in a domain file and returns the new text. Editing the
 * parsed Document keeps comments, key order and formatting of everything else, so the
 * promotion pull request shows a one-line diff.
 */
export function setModeEnforce(text: string, file: string): string {
  const document = parseDocument(text, { keepSourceTokens: true });
  if (document.errors.length > 0) {
    throw new Error(`cannot edit ${file}: ${document.errors[0]!.message}`);
  }

  const mtaSts = document.get("mta_sts", true);
  if (mtaSts !== undefined && mtaSts !== null && !isMap(mtaSts)) {
    throw new Error(`cannot edit ${file}: mta_sts is not a mapping`);
  }
  document.setIn(["mta_sts", "mode"], "enforce");
  return document.toString();
}
