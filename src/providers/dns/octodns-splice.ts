/**
 * Text splicing for octoDNS zone files: offsets and lines around the node ranges that
 * the `yaml` package reports, the file's indentation style, and rendering of the new
 * record text in that style.
 */

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  stringify,
  visit,
  type YAMLMap,
} from "yaml";

export interface Layout {
  /** Spaces per nesting level. */
  indent: number;
  /** Whether `- ` items sit deeper than their parent key (true) or level with it (false, as octoDNS writes). */
  indentSeq: boolean;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Returns the indentation style of the file, so new lines match it. Without a sample it returns octoDNS's layout. */
export function detectLayout(document: Document, text: string): Layout {
  const layout: Layout = { indent: 2, indentSeq: false };
  let indentFound = false;
  let seqFound = false;

  visit(document, {
    Pair(_key, pair) {
      const keyNode = pair.key;
      const value = pair.value;
      if (!isScalar(keyNode) || keyNode.range === undefined || keyNode.range === null) {
        return;
      }
      const keyColumn = column(text, keyNode.range[0]);

      if (!indentFound && isMap(value) && !value.flow && value.range) {
        const indent = column(text, value.range[0]) - keyColumn;
        if (indent > 0) {
          layout.indent = indent;
          indentFound = true;
        }
      }
      if (!seqFound && isSeq(value) && !value.flow && value.range) {
        layout.indentSeq = column(text, value.range[0]) > keyColumn;
        seqFound = true;
      }
    },
  });
  return layout;
}

/** Renders `key: value` ending in a newline. Lines after the first are indented by `column` spaces. */
export function renderPair(key: string, value: unknown, column: number, layout: Layout): string {
  return indentLines(stringifyYaml({ [key]: value }, layout), column);
}

/**
 * Renders a record as a list item that starts with "- ". The caller puts `dashColumn` spaces
 * before it, and the continuation lines align with the record's first key.
 */
export function renderItem(
  record: Record<string, unknown>,
  dashColumn: number,
  layout: Layout,
): string {
  return `- ${indentLines(stringifyYaml(record, layout), dashColumn + 2)}`;
}

function stringifyYaml(value: unknown, layout: Layout): string {
  // lineWidth 0 keeps each value on one line. PyYAML, which octoDNS writes with, may fold a
  // long plain scalar at a space past 80 columns. Both forms read back as the same string.
  return stringify(value, {
    indent: layout.indent,
    indentSeq: layout.indentSeq,
    lineWidth: 0,
    singleQuote: true,
  });
}

function indentLines(text: string, column: number): string {
  const pad = " ".repeat(column);
  return text
    .split("\n")
    .map((line, index) => (index === 0 || line === "" ? line : pad + line))
    .join("\n");
}

/** Applies edits from the end of the text backwards, so earlier offsets stay valid. New lines follow the file's line ending. */
export function applyEdits(text: string, edits: Edit[]): string {
  const crlf = text.includes("\r\n");
  let result = text;
  for (const edit of [...edits].sort((left, right) => right.start - left.start)) {
    const inserted = crlf ? edit.text.replace(/\r?\n/g, "\r\n") : edit.text;
    result = result.slice(0, edit.start) + inserted + result.slice(edit.end);
  }
  return result;
}

export function keyText(pair: Pair): string {
  const key = pair.key;
  if (isScalar(key)) {
    return key.value === null ? "" : String(key.value);
  }
  return String(key);
}

export function nodeStart(node: unknown): number {
  const range = (node as { range?: [number, number, number] | null }).range;
  return range?.[0] ?? 0;
}

/** Returns the end of a node, extended to the end of its last line (after the newline). */
export function nodeEnd(text: string, node: unknown): number {
  const range = (node as { range?: [number, number, number] | null }).range;
  return toLineEnd(text, range?.[2] ?? 0);
}

export function pairEnd(text: string, pair: Pair): number {
  return nodeEnd(text, pair.value ?? pair.key);
}

function toLineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") {
    return offset;
  }
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Returns the start of the line of `offset`, moved up over the comment lines directly above, because they belong to that entry. */
export function blockStart(text: string, offset: number): number {
  let start = lineStart(text, offset);
  while (start > 0) {
    const previous = lineStart(text, start - 1);
    if (!text.slice(previous, start).trimStart().startsWith("#")) {
      break;
    }
    start = previous;
  }
  return start;
}

/** Returns the offset of the "-" that introduces a list item. */
export function dashOffset(text: string, item: YAMLMap): number {
  let offset = nodeStart(item) - 1;
  while (offset > 0 && text[offset] !== "-") {
    offset--;
  }
  return offset;
}
