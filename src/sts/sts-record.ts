/** The `_mta-sts.<domain>` TXT record (RFC 8461 section 3.1). */

import { isValidPolicyId } from "./id.js";
import { type RecordParse, type RecordSelection, selectRecord } from "./record-select.js";
import { isValidExtensionValue, parseTagList } from "./tag-record.js";

const STS_VERSION = "v=STSv1";

const SECTION = "RFC 8461 section 3.1";

/** A parsed `_mta-sts` record: the policy id and any extension fields. */
export interface StsRecord {
  id: string;
  extensions: Record<string, string>;
}

/**
 * Parses one `_mta-sts` record (its character-strings already joined). Duplicated fields
 * keep their first value (RFC 8461 section 3.2, last paragraph) and unknown fields are
 * kept as extensions.
 */
export function parseStsRecord(text: string): RecordParse<StsRecord> {
  const list = parseTagList(text, STS_VERSION, SECTION);
  if (!list.ok) {
    return list;
  }

  const warnings = [...list.warnings];
  const extensions: Record<string, string> = {};
  let id: string | null = null;

  for (const { name, value } of list.fields) {
    const isDuplicate = name === "id" ? id !== null : name in extensions;
    if (isDuplicate) {
      const first = name === "id" ? id : extensions[name];
      warnings.push(
        `duplicate field "${name}"; the first value (${JSON.stringify(first)}) is used and ${JSON.stringify(value)} is ignored`,
      );
      continue;
    }

    if (name === "id") {
      const problem = findIdProblem(value);
      if (problem !== null) {
        return { ok: false, error: problem };
      }
      id = value;
      continue;
    }

    if (!isValidExtensionValue(value)) {
      return {
        ok: false,
        error: `extension "${name}" has the invalid value ${JSON.stringify(value)}; values are printable ASCII without "=", ";" or spaces (${SECTION})`,
      };
    }
    extensions[name] = value;
  }

  if (id === null) {
    const lookalike = Object.keys(extensions).find((name) => name.toLowerCase() === "id");
    const hint =
      lookalike === undefined
        ? ""
        : `; field names are case-sensitive, so "${lookalike}" is not "id"`;
    return {
      ok: false,
      error: `record ${JSON.stringify(text)} has no id; add "id=" followed by 1-32 letters and digits${hint}`,
    };
  }

  return { ok: true, record: { id, extensions }, warnings };
}

function findIdProblem(id: string): string | null {
  if (isValidPolicyId(id)) {
    return null;
  }

  const found = `id must be 1-32 letters and digits (${SECTION}), found ${JSON.stringify(id)}`;
  if (id === "") {
    return `${found}, which is empty`;
  }
  if (id.length > 32) {
    return `${found}, which has ${id.length} characters`;
  }
  if (/[+/=]/.test(id)) {
    return `${found}; it looks like base64, so use letters and digits only, such as a UTC timestamp "20240131T120000Z"`;
  }
  return found;
}

/** Picks the `_mta-sts` record out of a TXT answer, one string array per record. */
export function selectStsRecord(records: string[][]): RecordSelection<StsRecord> {
  return selectRecord(records, STS_VERSION, parseStsRecord);
}

/** Renders the `_mta-sts` record for a policy id; throws on an id outside the grammar. */
export function renderStsRecord(id: string): string {
  const problem = findIdProblem(id);
  if (problem !== null) {
    throw new Error(`cannot render the _mta-sts record: ${problem}`);
  }
  return `${STS_VERSION}; id=${id};`;
}
