/**
 * Reads one YAML file with source positions, so every later check can point at the
 * line and column of the key or value it is about.
 */

import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
} from "yaml";
import type { ErrorCollector, FilePosition } from "./errors.js";

/** A path into the parsed data: map keys and list indexes, as a JSON Pointer would hold them. */
export type DataPath = ReadonlyArray<string | number>;

/** Part of a map entry that a message points at: its key or its value. */
export type PathTarget = "key" | "value";

export interface YamlFile {
  /** Path relative to the project root, with "/" separators. */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The document as plain data; an empty document reads as an empty mapping. */
  data: unknown;
}

/**
 * Parses `text` as a single YAML document. Syntax errors are recorded and make the
 * function return null, because positions and values after a syntax error cannot be
 * trusted. Duplicate keys are recorded with both lines, but the file is still returned
 * so its other problems show up in the same run.
 */
export function parseYamlFile(file: string, text: string, errors: ErrorCollector): YamlFile | null {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });

  const position = (offset: number): FilePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  // parseAllDocuments returns an EmptyStream (an empty array) for a file with only comments.
  const list = Array.isArray(docs) ? docs : [];

  let syntaxErrors = 0;
  for (const doc of list) {
    for (const problem of doc.errors) {
      errors.error(position(problem.pos[0]), `invalid YAML: ${firstLine(problem.message)}`);
      syntaxErrors++;
    }
    for (const problem of doc.warnings) {
      errors.warning(position(problem.pos[0]), `YAML warning: ${firstLine(problem.message)}`);
    }
  }
  if (syntaxErrors > 0) {
    return null;
  }

  if (list.length > 1) {
    const second = list[1]!;
    const offset = second.range[0];
    errors.error(
      position(offset),
      `the file contains ${list.length} YAML documents; keep one document per file and remove the "---" separator`,
    );
    return null;
  }

  const doc = list[0] ?? new Document({});
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const yamlFile: YamlFile = { file, doc, lineCounter, data: raw ?? {} };
  reportDuplicateKeys(yamlFile, errors);
  return yamlFile;
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}

/** Records every key that appears twice in one mapping, at the second occurrence. */
function reportDuplicateKeys(yamlFile: YamlFile, errors: ErrorCollector): void {
  const visit = (node: unknown, path: DataPath): void => {
    if (isAlias(node)) {
      return;
    }
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index]);
      });
      return;
    }
    if (!isMap(node)) {
      return;
    }

    const firstByKey = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = keyText(pair);
      if (key === null) {
        continue;
      }

      const first = firstByKey.get(key);
      if (first === undefined) {
        firstByKey.set(key, pair);
        visit(pair.value, [...path, key]);
        continue;
      }

      const firstLineNumber = nodePosition(yamlFile, first.key as Node).line;
      const where = path.length === 0 ? " at the top level" : ` in ${formatPath(path)}`;
      errors.error(
        nodePosition(yamlFile, pair.key as Node),
        `duplicate key "${key}"${where}: it is already set on line ${firstLineNumber}; keep one of the two`,
      );
    }
  };

  visit(yamlFile.doc.contents, []);
}

function keyText(pair: Pair): string | null {
  if (isScalar(pair.key)) {
    return String(pair.key.value);
  }
  return null;
}

function nodePosition(yamlFile: YamlFile, node: Node | null | undefined): FilePosition {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = yamlFile.lineCounter.linePos(offset);
  if (line < 1) {
    return { file: yamlFile.file, line: 1, column: 1 };
  }
  return { file: yamlFile.file, line, column: col };
}

/**
 * Finds the position of the key or value at `path`. When the path does not exist (a
 * missing key), it returns the position of the deepest part that does, so a "missing
 * key" message points at the mapping that lacks it.
 */
export function locate(
  yamlFile: YamlFile,
  path: DataPath,
  target: PathTarget = "value",
): FilePosition {
  let node: unknown = yamlFile.doc.contents;
  let pair: Pair | null = null;

  for (const segment of path) {
    if (isAlias(node)) {
      node = node.resolve(yamlFile.doc);
    }

    let next: unknown;
    let nextPair: Pair | null = null;
    if (isMap(node)) {
      nextPair =
        node.items.find((item) => isPair(item) && keyText(item) === String(segment)) ?? null;
      next = nextPair?.value;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }

    if (next === undefined && nextPair === null) {
      return pair === null
        ? nodePosition(yamlFile, node as Node)
        : pairPosition(yamlFile, pair, "key");
    }
    node = next;
    pair = nextPair;
  }

  if (pair !== null && (target === "key" || isEmptyNode(node))) {
    return pairPosition(yamlFile, pair, "key");
  }
  if (node === null || node === undefined) {
    return pair === null
      ? { file: yamlFile.file, line: 1, column: 1 }
      : pairPosition(yamlFile, pair, "key");
  }
  return nodePosition(yamlFile, node as Node);
}

function pairPosition(yamlFile: YamlFile, pair: Pair, target: PathTarget): FilePosition {
  const node = target === "key" || isEmptyNode(pair.value) ? pair.key : pair.value;
  return nodePosition(yamlFile, node as Node);
}

/** True for the empty value of "key:" with nothing after the colon. */
function isEmptyNode(node: unknown): boolean {
  if (node === null || node === undefined) {
    return true;
  }
  if (!isScalar(node)) {
    return false;
  }
  const range = node.range;
  return node.value === null && range !== undefined && range !== null && range[0] === range[1];
}

/** Formats a data path for messages: `mta_sts.mx[0]`, `observe.connect_to["mx.example:25"]`. */
export function formatPath(path: DataPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      text += `[${segment}]`;
    } else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) {
      text += text === "" ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text;
}
