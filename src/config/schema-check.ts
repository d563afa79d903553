/**
 * Validates parsed YAML against the generated JSON Schemas with Ajv and turns each Ajv
 * error into one message at the file, line and column of the key or value it is about.
 */

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { ErrorCollector } from "./errors.js";
import { buildJsonSchema, type SchemaName } from "./json-schema.js";
import {
  describeError,
  describeType,
  describeValue,
  type JsonObject,
  label,
  pointerToPath,
  type SchemaIssue,
} from "./schema-messages.js";
import { locate, type YamlFile } from "./yaml-file.js";

const validators = new Map<SchemaName, ValidateFunction>();

function validatorFor(name: SchemaName): ValidateFunction {
  const cached = validators.get(name);
  if (cached !== undefined) {
    return cached;
  }

  // allErrors: report every problem of a file in one run, not only the first.
  // verbose: keep the failing data and schema on each error, for the messages below.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    discriminator: true,
    allowUnionTypes: true,
  });
  addFormats.default(ajv);
  const validate = ajv.compile(buildJsonSchema(name));
  validators.set(name, validate);
  return validate;
}

/**
 * Validates the file's data against the schema and records every problem. Returns true
 * when the data conforms.
 */
export function checkSchema(
  yamlFile: YamlFile,
  schema: SchemaName,
  errors: ErrorCollector,
): boolean {
  const validate = validatorFor(schema);
  if (validate(yamlFile.data)) {
    return true;
  }

  for (const issue of describeErrors(validate.errors ?? [], yamlFile.data)) {
    errors.error(locate(yamlFile, issue.path, issue.target), issue.message);
  }
  return false;
}

/** Converts Ajv errors to messages, keeping only the relevant branch of each union. */
export function describeErrors(ajvErrors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const { remaining, issues } = pruneUnionBranches(ajvErrors, data);

  for (const error of remaining) {
    // A failed propertyNames check also reports the inner failure with `propertyName`
    // set; the propertyNames error itself carries everything the message needs.
    if ((error as { propertyName?: string }).propertyName !== undefined) {
      continue;
    }
    issues.push(describeError(error, data));
  }

  return issues;
}

/**
 * Ajv reports an `anyOf` failure together with the failures of every branch, so a
 * `tls_rpt` mapping with a bad key would also get "must be null". This keeps the
 * errors of the branches whose type matches the data, or replaces them all with one
 * "must be X or Y" message when no branch's type matches.
 */
function pruneUnionBranches(
  ajvErrors: readonly ErrorObject[],
  data: unknown,
): { remaining: ErrorObject[]; issues: SchemaIssue[] } {
  let remaining = [...ajvErrors];
  const issues: SchemaIssue[] = [];

  const unions = ajvErrors
    .filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf")
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const union of unions) {
    if (!remaining.includes(union)) {
      continue;
    }

    const prefix = `${union.schemaPath}/`;
    const branches = Array.isArray(union.schema) ? (union.schema as JsonObject[]) : [];
    const inBranch = (error: ErrorObject, index: number) =>
      error.schemaPath.startsWith(`${prefix}${index}/`);

    const plausible = branches
      .map((_, index) => index)
      .filter(
        (index) =>
          !remaining.some(
            (error) =>
              inBranch(error, index) &&
              error.keyword === "type" &&
              error.instancePath === union.instancePath,
          ),
      );

    const keptErrors = remaining.filter((error) =>
      plausible.some((index) => inBranch(error, index)),
    );
    remaining = remaining.filter(
      (error) => error !== union && !error.schemaPath.startsWith(prefix),
    );
    remaining.push(...keptErrors);

    if (plausible.length === 0 || keptErrors.length === 0) {
      const path = pointerToPath(union.instancePath, data);
      const expected = branches.map((branch) => describeType(branch.type)).join(" or ");
      issues.push({
        path,
        target: "value",
        message: `${label(path)} must be ${expected}, found ${describeValue(union.data)}`,
      });
    }
  }

  return { remaining, issues };
}
