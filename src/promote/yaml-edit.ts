import { isMap, isScalar, parseDocument } from "yaml";

/**
 * Sets `mta_sts.mode: enforce` in a domain file and returns the new text. The edit is
 * spliced into the original text, so comments, quoting and flow lists elsewhere keep
 * their bytes and the promotion pull request shows a one-line diff.
 */
export function setModeEnforce(text: string, file: string): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`cannot edit ${file}: ${document.errors[0]!.message}`);
  }

  const mtaSts = document.get("mta_sts", true);
  if (mtaSts === undefined || mtaSts === null) {
    const separator = text.endsWith("\n") || text === "" ? "" : "\n";
    return `${text}${separator}mta_sts:\n  mode: enforce\n`;
  }
  if (!isMap(mtaSts)) {
    throw new Error(`cannot edit ${file}: mta_sts is not a mapping`);
  }

  const mode = mtaSts.get("mode", true);
  if (isScalar(mode) && mode.range) {
    const [start, valueEnd] = mode.range;
    return `${text.slice(0, start)}enforce${text.slice(valueEnd)}`;
  }

  if (mtaSts.flow || !mtaSts.range) {
    throw new Error(`cannot edit ${file}: write mta_sts as a block mapping so mode can be added`);
  }

  // The mode is inherited from the defaults: add it as the map's first key, with the
  // indentation of the key that is first now.
  const firstKey = mtaSts.items[0]?.key;
  const offset = isScalar(firstKey) && firstKey.range ? firstKey.range[0] : mtaSts.range[0];
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const indent = text.slice(lineStart, offset);
  return `${text.slice(0, lineStart)}${indent}mode: enforce\n${text.slice(lineStart)}`;
}
