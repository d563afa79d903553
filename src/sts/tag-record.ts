/**
 * The tag-list syntax shared by the `_mta-sts` record (RFC 8461 section 3.1) and the
 * `_smtp._tls` record (RFC 8460 section 3):
 *
 *   record      = version 1*(field-delim field) [field-delim]
 *   field-delim = *WSP ";" *WSP
 *   field       = name "=" value
 *
 * This module splits a record into fields and checks the version and the field names;
 * each record type checks its own values.
 */

/** RFC 8461 section 3.1 sts-ext-name and RFC 8460 section 3 tlsrpt-ext-name. */
const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** RFC 8461 section 3.1 sts-ext-value: printable ASCII except "=", ";" and SP. */
const EXTENSION_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/** One name=value field, in record order. */
export interface TagField {
  name: string;
  value: string;
}

export type TagListParse =
  | { ok: true; fields: TagField[]; warnings: string[] }
  | { ok: false; error: string };

/** Tells whether the record passes the discard filter: the version, optional WSP, then ";". */
export function beginsWithVersion(text: string, version: string): boolean {
  if (!text.startsWith(version)) {
    return false;
  }
  return /^[ \t]*;/.test(text.slice(version.length));
}

/** Explains why a record does not begin with `version` followed by optional WSP and ";". */
export function describeMissingVersion(text: string, version: string): string {
  const expected = JSON.stringify(version);

  if (text.startsWith(version)) {
    const next = text.slice(version.length).trimStart();
    if (next === "") {
      return `record ${JSON.stringify(text)} has no field after ${expected}`;
    }
    return `record ${JSON.stringify(text)} has no ";" after ${expected}`;
  }
  if (/^[ \t]/.test(text) && text.trimStart().startsWith(version)) {
    return `record ${JSON.stringify(text)} starts with white space; it must begin with ${expected}`;
  }

  const [tag, value] = version.split("=") as [string, string];
  const loose = new RegExp(`^[ \\t]*${tag}[ \\t]*=[ \\t]*${value}`, "i").exec(text);
  if (loose !== null && !loose[0].includes(" ") && !loose[0].includes("\t")) {
    return `record begins with ${JSON.stringify(loose[0])}, but the version is case-sensitive: write ${expected}`;
  }
  if (loose !== null) {
    return `record begins with ${JSON.stringify(loose[0])}; write ${expected} with no white space`;
  }
  if (text.includes(version)) {
    return `record ${JSON.stringify(text)} does not begin with ${expected}; the version must be the first field`;
  }
  return `record does not begin with ${expected}`;
}

/**
 * Splits a record into its fields after the version. Rejects anything outside the
 * grammar, except trailing white space after the last field without a ";", which the
 * grammar forbids but which is harmless, so it becomes a warning.
 */
export function parseTagList(text: string, version: string, section: string): TagListParse {
  if (/[^\x20-\x7e\t]/.test(text)) {
    return {
      ok: false,
      error: `record ${JSON.stringify(text)} contains characters outside printable US-ASCII`,
    };
  }
  if (!beginsWithVersion(text, version)) {
    return { ok: false, error: describeMissingVersion(text, version) };
  }

  const afterVersion = text.slice(version.length);
  const segments = afterVersion.split(";").slice(1);
  const last = segments.length - 1;
  const fields: TagField[] = [];
  const warnings: string[] = [];

  if (/^[ \t]/.test(afterVersion)) {
    warnings.push(
      `space before ; after ${JSON.stringify(version)}: the ${section} ABNF allows it, but a literal reading of the discard rule in ${section} keeps only records that begin with ${JSON.stringify(`${version};`)}, so some senders ignore this record; write ${JSON.stringify(`${version};`)}`,
    );
  }

  for (const [index, segment] of segments.entries()) {
    const trimmed = segment.replace(/^[ \t]+|[ \t]+$/g, "");
    if (trimmed === "" && index === last) {
      break;
    }
    if (trimmed === "") {
      return { ok: false, error: `record ${JSON.stringify(text)} has an empty field between ";"` };
    }

    if (index === last && trimmed !== segment.trimStart()) {
      warnings.push(
        `record ends with white space after the last field and no ";"; the grammar allows white space only around ";", so remove it`,
      );
    }

    const equals = trimmed.indexOf("=");
    if (equals < 0) {
      return {
        ok: false,
        error: `field ${JSON.stringify(trimmed)} has no "="; fields read name=value`,
      };
    }
    const name = trimmed.slice(0, equals);
    if (!FIELD_NAME.test(name)) {
      return {
        ok: false,
        error: `field name ${JSON.stringify(name)} is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit, with no space before "="`,
      };
    }
    fields.push({ name, value: trimmed.slice(equals + 1) });
  }

  return { ok: true, fields, warnings };
}

/** Tells whether an unknown field's value fits the extension grammar. */
export function isValidExtensionValue(value: string): boolean {
  return EXTENSION_VALUE.test(value);
}
