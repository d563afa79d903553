/**
 * Reading and editing one octoDNS YamlProvider zone file.
 *
 * Edits are spliced into the source text at the node ranges that the `yaml` package
 * reports. Serialising the parsed Document again is not an option: `Document.toString()`
 * keeps comments, but it re-renders the layout of every record (sequence indentation,
 * spaces before `#`, flow-map spacing) and so would rewrite records this tool does not
 * manage. Only the TXT record at the managed name is rendered anew.
 */

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { compareNatural, findOrderViolation } from "./octodns-order.js";
import {
  escapeTxtValue,
  type OctoDnsRecord,
  octoDnsCnameRecordSchema,
  octoDnsRecordSchema,
  octoDnsTxtRecordSchema,
  txtRecordTexts,
} from "./octodns-records.js";
import {
  applyEdits,
  blockStart,
  dashOffset,
  detectLayout,
  type Edit,
  keyText,
  type Layout,
  lineStart,
  nodeEnd,
  nodeStart,
  pairEnd,
  renderItem,
  renderPair,
} from "./octodns-splice.js";

/** A parsed zone file with the source text and line counter needed to report positions and splice edits. */
export interface ZoneFile {
  /** The path used in messages. */
  path: string;
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The top-level mapping, or null for an empty file. */
  root: YAMLMap | null;
}

/** The records at one name that this tool reads. */
export interface NameRecords {
  /** The joined text of each TXT value, unescaped. */
  txt: string[];
  /** TTL of the TXT record, or undefined when the file leaves it to octoDNS's default. */
  ttl: number | undefined;
  /** Target of a CNAME at the name, or null. */
  cname: string | null;
}

export type TxtEditKind = "create" | "update" | "delete" | "none";

/** A zone-file error that points at a file position. */
export class ZoneFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ZoneFileError";
  }
}

/** One record at a name: its YAML node and its parsed data. */
interface RecordEntry {
  node: YAMLMap;
  data: OctoDnsRecord;
}

interface NameEntry {
  pair: Pair;
  /** A single record (mapping) or a list of records. */
  shape: "single" | "list";
  records: RecordEntry[];
}

export function parseZoneFile(path: string, text: string): ZoneFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });

  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    throw new ZoneFileError(`${path}:${line}:${col}: invalid YAML: ${firstError.message}`);
  }

  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { path, text, document, lineCounter, root: null };
  }
  if (!isMap(contents) || contents.flow) {
    throw new ZoneFileError(
      `${where({ path, lineCounter }, contents.range?.[0] ?? 0)}: the zone file must be a block mapping of record names, as octoDNS writes it`,
    );
  }

  return { path, text, document, lineCounter, root: contents };
}

/** Returns the top-level names whose order octoDNS would reject, or null when the order is valid. */
export function findNameOrderViolation(file: ZoneFile): { before: string; after: string } | null {
  if (file.root === null) {
    return null;
  }
  return findOrderViolation(file.root.items.map((pair) => keyText(pair)));
}

export function readNameRecords(file: ZoneFile, recordName: string): NameRecords {
  const entry = findName(file, recordName);
  const result: NameRecords = { txt: [], ttl: undefined, cname: null };
  if (entry === null) {
    return result;
  }

  const txtRecord = findTxt(file, recordName, entry);
  if (txtRecord !== null) {
    const parsed = octoDnsTxtRecordSchema.safeParse(txtRecord.data);
    if (!parsed.success) {
      throw recordError(file, txtRecord.node, recordName, parsed.error.issues[0]?.message);
    }
    result.txt = txtRecordTexts(parsed.data);
    result.ttl = parsed.data.ttl;
  }

  const cnameRecord = entry.records.find((record) => record.data.type === "CNAME");
  if (cnameRecord !== undefined) {
    const parsed = octoDnsCnameRecordSchema.safeParse(cnameRecord.data);
    if (!parsed.success) {
      throw recordError(file, cnameRecord.node, recordName, parsed.error.issues[0]?.message);
    }
    result.cname = parsed.data.value;
  }

  return result;
}

/**
 * Returns the file text with the TXT record at `recordName` set to `texts` (deleted when
 * empty) and the kind of change. `ttl` undefined keeps the record's TTL. Text outside
 * the TXT record is kept byte for byte, except that a single record of another type at
 * the same name becomes the first item of a list, because the name then has two types.
 */
export function setTxtRecord(
  file: ZoneFile,
  recordName: string,
  texts: string[],
  ttl: number | undefined,
): { text: string; kind: TxtEditKind } {
  const desired = [...new Set(texts)];
  const current = readNameRecords(file, recordName);
  const entry = findName(file, recordName);
  const txtRecord = entry === null ? null : findTxt(file, recordName, entry);

  if (desired.length === 0) {
    if (entry === null || txtRecord === null) {
      return { text: file.text, kind: "none" };
    }
    return {
      text: applyEdits(file.text, deleteTxt(file, entry, txtRecord, recordName)),
      kind: "delete",
    };
  }

  if (current.cname !== null) {
    throw new ZoneFileError(
      `${where(file, entry!.pair.key)}: ${recordName} is a CNAME to ${current.cname}; a name with a CNAME cannot hold TXT records, so remove the CNAME or stop managing this record here`,
    );
  }

  const ttlMatches = ttl === undefined || ttl === current.ttl;
  if (txtRecord !== null && ttlMatches && sameSet(desired, current.txt)) {
    return { text: file.text, kind: "none" };
  }

  const record = renderableTxtRecord(desired, ttl ?? current.ttl, txtRecord?.data);
  const layout = detectLayout(file.document, file.text);
  let edits: Edit[];
  if (entry === null) {
    edits = [insertName(file, recordName, record, layout)];
  } else if (txtRecord !== null) {
    edits = [replaceTxt(file, entry, txtRecord, recordName, record, layout)];
  } else {
    edits = addTxtBeside(file, entry, recordName, record, layout);
  }

  return { text: applyEdits(file.text, edits), kind: txtRecord === null ? "create" : "update" };
}

function findName(file: ZoneFile, recordName: string): NameEntry | null {
  const pair = file.root?.items.find((item) => keyText(item).toLowerCase() === recordName);
  if (pair === undefined) {
    return null;
  }

  const value = pair.value;
  if (isMap(value)) {
    return { pair, shape: "single", records: [recordEntry(file, recordName, value)] };
  }
  if (isSeq(value)) {
    const records = value.items.map((item) => {
      if (!isMap(item)) {
        throw new ZoneFileError(
          `${where(file, item)}: each record in the list at ${recordName} must be a mapping`,
        );
      }
      return recordEntry(file, recordName, item);
    });
    return { pair, shape: "list", records };
  }

  throw new ZoneFileError(
    `${where(file, pair.key)}: ${recordName} must hold a record or a list of records`,
  );
}

function recordEntry(file: ZoneFile, recordName: string, node: YAMLMap): RecordEntry {
  const parsed = octoDnsRecordSchema.safeParse(node.toJS(file.document));
  if (!parsed.success) {
    throw recordError(file, node, recordName, parsed.error.issues[0]?.message);
  }
  return { node, data: parsed.data };
}

function findTxt(file: ZoneFile, recordName: string, entry: NameEntry): RecordEntry | null {
  const txtRecords = entry.records.filter((record) => record.data.type === "TXT");
  if (txtRecords.length > 1) {
    throw new ZoneFileError(
      `${where(file, txtRecords[1]!.node)}: ${recordName} has more than one TXT record; octoDNS allows one record per type, so merge their values`,
    );
  }
  return txtRecords[0] ?? null;
}

/** Builds the TXT record as octoDNS writes it: keys in natural order, `value` for one value, sorted `values` for several. */
function renderableTxtRecord(
  texts: string[],
  ttl: number | undefined,
  existing: OctoDnsRecord | undefined,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(existing ?? {})) {
    if (key !== "ttl" && key !== "type" && key !== "value" && key !== "values") {
      fields[key] = value;
    }
  }
  if (ttl !== undefined) {
    fields.ttl = ttl;
  }
  fields.type = "TXT";

  // octoDNS sorts TXT values as plain strings after escaping.
  const values = texts.map(escapeTxtValue).sort();
  if (values.length === 1) {
    fields.value = values[0];
  } else {
    fields.values = values;
  }

  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(fields).sort(compareNatural)) {
    ordered[key] = fields[key];
  }
  return ordered;
}

function insertName(
  file: ZoneFile,
  recordName: string,
  record: Record<string, unknown>,
  layout: Layout,
): Edit {
  const rendered = renderPair(recordName, record, 0, layout);
  const pairs = file.root?.items ?? [];
  const next = pairs.find((pair) => compareNatural(keyText(pair), recordName) > 0);
  if (next !== undefined) {
    const position = blockStart(file.text, nodeStart(next.key));
    return { start: position, end: position, text: rendered };
  }

  const last = pairs.at(-1);
  if (last === undefined) {
    const prefix = file.text === "" ? "---\n" : file.text.endsWith("\n") ? "" : "\n";
    return { start: file.text.length, end: file.text.length, text: prefix + rendered };
  }

  const position = pairEnd(file.text, last);
  const prefix = file.text[position - 1] === "\n" || position === 0 ? "" : "\n";
  return { start: position, end: position, text: prefix + rendered };
}

function replaceTxt(
  file: ZoneFile,
  entry: NameEntry,
  txtRecord: RecordEntry,
  recordName: string,
  record: Record<string, unknown>,
  layout: Layout,
): Edit {
  if (entry.shape === "single") {
    const start = lineStart(file.text, nodeStart(entry.pair.key));
    const column = nodeStart(entry.pair.key) - start;
    return {
      start,
      end: pairEnd(file.text, entry.pair),
      text: " ".repeat(column) + renderPair(keyText(entry.pair), record, column, layout),
    };
  }

  assertBlockList(file, entry, recordName);
  const dash = dashOffset(file.text, txtRecord.node);
  const start = lineStart(file.text, dash);
  const dashColumn = dash - start;
  return {
    start,
    end: nodeEnd(file.text, txtRecord.node),
    text: " ".repeat(dashColumn) + renderItem(record, dashColumn, layout),
  };
}

function deleteTxt(
  file: ZoneFile,
  entry: NameEntry,
  txtRecord: RecordEntry,
  recordName: string,
): Edit[] {
  if (entry.shape === "single" || entry.records.length === 1) {
    const start = lineStart(file.text, nodeStart(entry.pair.key));
    return [{ start, end: pairEnd(file.text, entry.pair), text: "" }];
  }

  assertBlockList(file, entry, recordName);
  const dash = dashOffset(file.text, txtRecord.node);
  return [{ start: lineStart(file.text, dash), end: nodeEnd(file.text, txtRecord.node), text: "" }];
}

/** Adds a TXT record to a name that has records of other types, keeping them in type order as octoDNS does. */
function addTxtBeside(
  file: ZoneFile,
  entry: NameEntry,
  recordName: string,
  record: Record<string, unknown>,
  layout: Layout,
): Edit[] {
  if (entry.shape === "list") {
    assertBlockList(file, entry, recordName);
    const firstDash = dashOffset(file.text, entry.records[0]!.node);
    const dashColumn = firstDash - lineStart(file.text, firstDash);
    const itemText = " ".repeat(dashColumn) + renderItem(record, dashColumn, layout);

    const next = entry.records.find((existing) => existing.data.type > "TXT");
    if (next !== undefined) {
      const position = blockStart(file.text, dashOffset(file.text, next.node));
      return [{ start: position, end: position, text: itemText }];
    }
    const position = nodeEnd(file.text, entry.records.at(-1)!.node);
    const prefix = file.text[position - 1] === "\n" ? "" : "\n";
    return [{ start: position, end: position, text: prefix + itemText }];
  }

  // One record of another type: it becomes the first list item by turning the two
  // spaces before its first key into "- ", which leaves its other lines as they were.
  const existing = entry.records[0]!;
  if (existing.node.flow) {
    throw new ZoneFileError(
      `${where(file, existing.node)}: cannot add a TXT record beside a flow-style record at ${recordName}; write that record in block style`,
    );
  }
  const firstKey = nodeStart(existing.node);
  const lineBegin = lineStart(file.text, firstKey);
  const column = firstKey - lineBegin;
  if (column < 2 || file.text.slice(firstKey - 2, firstKey) !== "  ") {
    throw new ZoneFileError(
      `${where(file, existing.node)}: cannot turn the record at ${recordName} into a list; indent its keys by at least two spaces`,
    );
  }

  const dashColumn = column - 2;
  const itemText = " ".repeat(dashColumn) + renderItem(record, dashColumn, layout);
  const marker: Edit = { start: firstKey - 2, end: firstKey, text: "- " };
  if (existing.data.type > "TXT") {
    return [marker, { start: lineBegin, end: lineBegin, text: itemText }];
  }

  const position = nodeEnd(file.text, existing.node);
  const prefix = file.text[position - 1] === "\n" ? "" : "\n";
  return [marker, { start: position, end: position, text: prefix + itemText }];
}

function assertBlockList(file: ZoneFile, entry: NameEntry, recordName: string): void {
  const seq = entry.pair.value as YAMLSeq;
  if (seq.flow) {
    throw new ZoneFileError(
      `${where(file, seq)}: cannot edit the flow-style list at ${recordName}; write it in block style`,
    );
  }
}

function where(file: Pick<ZoneFile, "path" | "lineCounter">, nodeOrOffset: unknown): string {
  const offset = typeof nodeOrOffset === "number" ? nodeOrOffset : nodeStart(nodeOrOffset);
  const { line, col } = file.lineCounter.linePos(offset);
  return `${file.path}:${line}:${col}`;
}

function recordError(
  file: ZoneFile,
  node: YAMLMap,
  recordName: string,
  detail: string | undefined,
): ZoneFileError {
  return new ZoneFileError(
    `${where(file, node)}: invalid record at ${recordName}: ${detail ?? "unexpected shape"}`,
  );
}

function sameSet(left: string[], right: string[]): boolean {
  const rightSet = new Set(right);
  return left.length === rightSet.size && left.every((value) => rightSet.has(value));
}
