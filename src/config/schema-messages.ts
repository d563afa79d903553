/**
 * Messages for Ajv errors: one sentence per error that names the key, quotes the value
 * found and states what is allowed.
 */

import type { ErrorObject } from "ajv";
import { PATTERN_DESCRIPTIONS } from "./schema/common.js";
import { didYouMean } from "./suggest.js";
import { type DataPath, formatPath, type PathTarget } from "./yaml-file.js";

/** One schema problem, ready to be placed in the file. */
export interface SchemaIssue {
  path: DataPath;
  target: PathTarget;
  message: string;
}

export type JsonObject = Record<string, unknown>;

export function describeError(error: ErrorObject, data: unknown): SchemaIssue {
  const path = pointerToPath(error.instancePath, data);
  const params = error.params as JsonObject;
  const schema = (error.parentSchema ?? {}) as JsonObject;
  const at = (
    message: string,
    target: PathTarget = "value",
    where: DataPath = path,
  ): SchemaIssue => ({
    path: where,
    target,
    message,
  });

  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schema.properties ?? {}) as JsonObject);
      return at(
        `unknown key "${key}"${inside(path)}; allowed keys: ${allowed.join(", ")}${didYouMean(key, allowed)}`,
        "key",
        [...path, key],
      );
    }

    case "required":
      return at(`missing required key "${String(params.missingProperty)}"${inside(path)}`, "key");

    case "type":
      if (path.length === 0) {
        return at(
          `the file must be a YAML mapping of keys to values, found ${describeValue(error.data)}`,
        );
      }
      if (params.type === "integer" || params.type === "number") {
        return at(
          `${label(path)} must be ${describeRange(schema)}, found ${describeValue(error.data)}`,
        );
      }
      return at(
        `${label(path)} must be ${describeType(params.type)}, found ${describeValue(error.data)}`,
      );

    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const found = describeValue(error.data);
      const hint = typeof error.data === "string" ? didYouMean(error.data, allowed) : "";
      return at(`${label(path)} must be one of ${quoteList(allowed)}, found ${found}${hint}`);
    }

    case "const":
      return at(
        `${label(path)} must be ${JSON.stringify(params.allowedValue)}, found ${describeValue(error.data)}`,
      );

    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return at(
        `${label(path)} must be ${describeRange(schema)}, found ${describeValue(error.data)}`,
      );

    case "minItems": {
      const limit = Number(params.limit);
      const found = Array.isArray(error.data) ? error.data.length : 0;
      return at(
        `${label(path)} must list at least ${plural(limit, "item")}, found ${found === 0 ? "an empty list" : found}`,
      );
    }

    case "minLength":
      return at(`${label(path)} must not be empty`);

    case "pattern":
      return at(describePatternError(path, String(params.pattern), error.data));

    case "format":
      return at(
        `${label(path)} must be an absolute URL such as "https://api.example.com/", found ${describeValue(error.data)}`,
      );

    case "propertyNames": {
      const name = String(params.propertyName);
      const names = (schema.propertyNames ?? {}) as JsonObject;
      const allowed =
        PATTERN_DESCRIPTIONS.get(String(names.pattern)) ??
        `a name matching ${String(names.pattern)}`;
      return at(`the name "${name}" in ${label(path)} is invalid; use ${allowed}`, "key", [
        ...path,
        name,
      ]);
    }

    case "discriminator":
      return describeDiscriminatorError(path, params, schema, error.data);

    default:
      return at(`${label(path)} ${error.message ?? "is invalid"}`);
  }
}

/** Reports a missing or unknown `type` of a provider, host or report source. */
function describeDiscriminatorError(
  path: DataPath,
  params: JsonObject,
  schema: JsonObject,
  data: unknown,
): SchemaIssue {
  const tag = String(params.tag);
  const branches = (schema.oneOf ?? []) as JsonObject[];
  const allowed = branches.map((branch) => {
    const properties = (branch.properties ?? {}) as Record<string, JsonObject>;
    return String(properties[tag]?.const);
  });

  const value = (data as JsonObject | null)?.[tag];
  if (value === undefined) {
    return {
      path,
      target: "key",
      message: `missing required key "${tag}"${inside(path)}; allowed types: ${quoteList(allowed)}`,
    };
  }

  const hint = typeof value === "string" ? didYouMean(value, allowed) : "";
  return {
    path: [...path, tag],
    target: "value",
    message: `${label([...path, tag])} must be one of ${quoteList(allowed)}, found ${describeValue(value)}${hint}`,
  };
}

function describePatternError(path: DataPath, pattern: string, value: unknown): string {
  const allowed = PATTERN_DESCRIPTIONS.get(pattern) ?? `a string matching ${pattern}`;
  const last = path[path.length - 1];

  // Keys ending in _env name an environment variable; a value that is not a name may
  // be the secret itself, so it is never echoed.
  if (typeof last === "string" && last.endsWith("_env")) {
    return `${label(path)} must be ${allowed}, not the secret itself; the value is not shown because it may be a secret`;
  }
  return `${label(path)} must be ${allowed}, found ${describeValue(value)}`;
}

function describeRange(schema: JsonObject): string {
  const whole = schema.type === "integer" ? "a whole number" : "a number";
  const minimum = typeof schema.minimum === "number" ? schema.minimum : null;
  const maximum =
    typeof schema.maximum === "number" && schema.maximum < Number.MAX_SAFE_INTEGER
      ? schema.maximum
      : null;

  if (typeof schema.exclusiveMinimum === "number") {
    return `${whole} greater than ${schema.exclusiveMinimum}`;
  }
  if (minimum !== null && maximum !== null) {
    return `${whole} from ${minimum} to ${maximum}`;
  }
  if (minimum !== null) {
    return `${whole} of at least ${minimum}`;
  }
  if (maximum !== null) {
    return `${whole} of at most ${maximum}`;
  }
  return whole;
}

export function describeType(type: unknown): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    integer: "a whole number",
    number: "a number",
    boolean: "true or false",
    null: "null",
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((entry) => names[String(entry)] ?? String(entry)).join(" or ");
}

/** Describes a found value for a message: strings quoted and shortened, structures by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return "an empty value";
  }
  if (typeof value === "string") {
    const short = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(short);
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  if (typeof value === "object") {
    return "a mapping";
  }
  return String(value);
}

export function label(path: DataPath): string {
  return path.length === 0 ? "the file" : formatPath(path);
}

function inside(path: DataPath): string {
  return path.length === 0 ? " at the top level" : ` in ${formatPath(path)}`;
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(", ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Converts a JSON Pointer to a path, using the data to tell list indexes from keys. */
export function pointerToPath(pointer: string, data: unknown): DataPath {
  if (pointer === "") {
    return [];
  }

  const path: Array<string | number> = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = (current as JsonObject | null | undefined)?.[segment];
    }
  }
  return path;
}
