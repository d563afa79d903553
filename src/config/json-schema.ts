/**
 * JSON Schemas generated from the zod schemas. Editors read the committed copies in
 * schemas/ (through the `yaml-language-server` line at the top of each YAML file), and
 * the loader validates with the same objects built here at run time.
 */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { configFileSchema } from "./schema/config-file.js";
import { domainDefaultsSchema, domainFileSchema } from "./schema/domain-file.js";

/** The kinds of YAML file the loader reads, each with its own schema. */
export type SchemaName = "config" | "domain" | "domain-defaults";

/** File names under schemas/, by schema. */
export const SCHEMA_FILES: Readonly<Record<SchemaName, string>> = {
  config: "config.schema.json",
  domain: "domain.schema.json",
  "domain-defaults": "domain-defaults.schema.json",
};

const ZOD_SCHEMAS = {
  config: configFileSchema,
  domain: domainFileSchema,
  "domain-defaults": domainDefaultsSchema,
} satisfies Record<SchemaName, z.ZodType>;

export type JsonSchema = Record<string, unknown>;

/**
 * Builds the JSON Schema of one file kind. Draft-07 is the newest draft that editors
 * using yaml-language-server and Ajv's default build both support. `io: "input"` keeps
 * keys with defaults optional. Discriminated unions get an OpenAPI-style
 * `discriminator`, which Ajv (with its `discriminator` option) uses to report the
 * errors of the branch the `type` key selects instead of every branch's errors.
 */
export function buildJsonSchema(name: SchemaName): JsonSchema {
  return z.toJSONSchema(ZOD_SCHEMAS[name], {
    target: "draft-7",
    io: "input",
    override: (context) => {
      const def = context.zodSchema._zod.def as { type: string; discriminator?: string };
      if (def.type === "union" && typeof def.discriminator === "string") {
        // Every branch is an object; saying so keeps Ajv's strict mode from warning.
        context.jsonSchema.type = "object";
        context.jsonSchema.discriminator = { propertyName: def.discriminator };
      }
    },
  }) as JsonSchema;
}

/** Renders the text of a committed schema file: two-space JSON with a final newline. */
export function renderJsonSchema(name: SchemaName): string {
  return `${JSON.stringify(buildJsonSchema(name), null, 2)}\n`;
}

export const SCHEMA_NAMES: readonly SchemaName[] = ["config", "domain", "domain-defaults"];

/**
 * Compares the schema files in `directory` with what the zod schemas generate. Returns
 * the names of the files that are missing or differ, so a test or CI step can fail with
 * the list and the fix (`npm run schemas`).
 */
export async function findStaleSchemaFiles(directory: string): Promise<string[]> {
  const stale: string[] = [];
  for (const name of SCHEMA_NAMES) {
    const file = SCHEMA_FILES[name];
    const committed = await readFile(path.join(directory, file), "utf8").catch(() => null);
    if (committed !== renderJsonSchema(name)) {
      stale.push(file);
    }
  }
  return stale;
}
