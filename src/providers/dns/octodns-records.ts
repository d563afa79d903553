/**
 * Record shapes of octoDNS's YamlProvider zone files (`<zone>.yaml`), as octoDNS 1.x
 * reads them. Each top-level key is a record name relative to the zone ("" is the apex).
 * Its value is one record, or a list of records of different types.
 *
 * Only TXT and CNAME are typed closely, because those are the types this tool reads at
 * the names it manages; every other record keeps its fields untouched.
 */

import { z } from "zod";

/** TTL in seconds. octoDNS requires a non-negative integer and fills in `default_ttl` (3600) when absent. */
export const octoDnsTtlSchema = z.number().int().nonnegative();

/** The `octodns:` block of a record: provider-specific settings that this tool keeps as they are. */
export const octoDnsSettingsSchema = z.record(z.string(), z.unknown());

/** Any record. `type` is required, and the other fields depend on the type. */
export const octoDnsRecordSchema = z.looseObject({
  type: z.string().min(1),
  ttl: octoDnsTtlSchema.optional(),
  octodns: octoDnsSettingsSchema.optional(),
});

/**
 * A TXT record. octoDNS reads `values` when present and `value` otherwise. Each value is
 * ASCII text with every `;` escaped as `\;`, because octoDNS rejects a letter, digit or
 * `_` directly before an unescaped `;`.
 */
export const octoDnsTxtRecordSchema = z
  .looseObject({
    type: z.literal("TXT"),
    ttl: octoDnsTtlSchema.optional(),
    octodns: octoDnsSettingsSchema.optional(),
    value: z.string().optional(),
    values: z.array(z.string()).min(1).optional(),
  })
  .refine((record) => record.value !== undefined || record.values !== undefined, {
    message: "a TXT record needs value or values",
  });

/** A CNAME record: one target, a fully qualified name with the trailing dot. */
export const octoDnsCnameRecordSchema = z.looseObject({
  type: z.literal("CNAME"),
  ttl: octoDnsTtlSchema.optional(),
  octodns: octoDnsSettingsSchema.optional(),
  value: z.string().min(1),
});

/** Records of one name: a single record, or a list when the name has several types. */
export const octoDnsNameEntrySchema = z.union([
  octoDnsRecordSchema,
  z.array(octoDnsRecordSchema).min(1),
]);

/** A whole zone file. An empty file (or one holding only `---`) is an empty zone. */
export const octoDnsZoneFileSchema = z.record(z.string(), octoDnsNameEntrySchema).nullable();

export type OctoDnsRecord = z.infer<typeof octoDnsRecordSchema>;
export type OctoDnsTxtRecord = z.infer<typeof octoDnsTxtRecordSchema>;
export type OctoDnsCnameRecord = z.infer<typeof octoDnsCnameRecordSchema>;
export type OctoDnsNameEntry = z.infer<typeof octoDnsNameEntrySchema>;
export type OctoDnsZoneFile = z.infer<typeof octoDnsZoneFileSchema>;

/**
 * Returns the joined text of each value of a TXT record as octoDNS publishes it. Like
 * octoDNS's chunked-value processing, a value written as quoted chunks (`"abc" "def"`)
 * loses its outer quotes and the `" "` joins. Then `\;` and other backslash escapes are
 * decoded. Empty values are dropped, as octoDNS drops them.
 */
export function txtRecordTexts(record: OctoDnsTxtRecord): string[] {
  const raw = record.values ?? (record.value === undefined ? [] : [record.value]);
  return raw
    .filter((value) => value !== "")
    .map((value) => {
      const unquoted = value.startsWith('"') ? value.slice(1, -1) : value;
      return unescapeTxtValue(unquoted.split('" "').join(""));
    });
}

/**
 * Escapes TXT text for a zone file value: a backslash becomes `\\` and `;` becomes `\;`.
 * Throws for text that octoDNS would reject: non-ASCII characters.
 */
export function escapeTxtValue(text: string): string {
  // octoDNS 1.x validates TXT values with value.encode('ascii').
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new Error(
      `TXT value "${text}" contains characters outside printable ASCII, which octoDNS rejects`,
    );
  }
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;");
}

/** Decodes `\X` to X and `\DDD` to the character with that decimal code. */
export function unescapeTxtValue(value: string): string {
  return value.replace(/\\(\d{3}|.)/gs, (_match, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(Number(escaped)) : escaped,
  );
}
