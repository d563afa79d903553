/**
 * Request validation against an OpenAPI 3.0 description, for the fakes that stand in for
 * SaaS APIs in tests. A fake passes every request it receives through `check`, so a
 * provider that sends a body or query the vendor would reject fails its tests here.
 *
 * The description is adapted once on load, because ajv reads JSON Schema and OpenAPI 3.0
 * differs from it in a few places:
 * - In OpenAPI 3.0 a `readOnly` property is not sent in requests, so it is dropped from
 *   `required` (otherwise a request would have to carry server-assigned ids).
 * - `nullable` without `type`, which ajv rejects, becomes `anyOf [schema, null]`, and a
 *   `type` that is no JSON type ("unknown" in one Cloudflare schema) is removed.
 * - An `anyOf` or `oneOf` whose branches fix the `type` property to constants (DNS record
 *   types, Worker binding kinds) becomes "if `type` is X then the branch for X", so a
 *   failure reports the errors of the branch the request meant, not of every branch.
 *   ajv's own `discriminator` option stays off, because it accepts only `oneOf`.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formatsModule, { type FormatsPlugin } from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One HTTP request as a fake received it. */
export interface ApiRequest {
  method: string;
  /** The request path after the server's base path, without the query string. */
  path: string;
  query: URLSearchParams;
  /** The Content-Type header as sent, or null. */
  contentType: string | null;
  /** The raw body, or null when the request had none. */
  body: string | null;
}

export interface RequestProblem {
  /** Which part of the request is invalid. */
  in: "operation" | "path" | "query" | "body";
  /** JSON pointer into that part, or the parameter name. */
  at: string;
  message: string;
}

export interface RequestCheck {
  /** The operation the request matched, or null when none did. */
  operationId: string | null;
  /** The path template that matched, e.g. `/zones/{zone_id}/dns_records`. */
  pathTemplate: string | null;
  /** Path parameters decoded from the request path. */
  pathParams: Record<string, string>;
  /** Query parameters converted to the types their schemas declare. */
  query: Record<string, unknown>;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  problems: RequestProblem[];
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  /** JSON pointer of the parameter's schema in the adapted description. */
  schemaPointer: string;
  isArray: boolean;
  explode: boolean;
  /** GitHub's `x-multi-segment`: the path parameter may contain slashes (a Git ref, a file path). */
  multiSegment: boolean;
}

interface Operation {
  method: string;
  pathTemplate: string;
  segments: string[];
  operationId: string | null;
  parameters: Parameter[];
  bodyRequired: boolean;
  /** Media type (lower case) to the JSON pointer of its schema. */
  bodySchemas: Map<string, string>;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const DOCUMENT_ID = "openapi";

/** Escapes one JSON pointer token (RFC 6901). */
function pointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A validator for the requests of one OpenAPI 3.0 description. */
export class OpenApiValidator {
  /** The path prefix of the first server URL, e.g. `/client/v4`, or "" for none. */
  readonly basePath: string;
  readonly title: string;

  private readonly document: JsonObject;
  private readonly operations: Operation[] = [];
  private readonly bodyAjv: Ajv;
  private readonly parameterAjv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(document: JsonObject) {
    this.document = document;
    const info = isObject(document.info) ? document.info : {};
    this.title = typeof info.title === "string" ? info.title : "OpenAPI description";

    const servers = Array.isArray(document.servers) ? document.servers : [];
    const firstServer = servers[0];
    const serverUrl =
      isObject(firstServer) && typeof firstServer.url === "string" ? firstServer.url : "/";
    this.basePath = new URL(serverUrl, "http://localhost").pathname.replace(/\/$/, "");

    adaptDocument(document);
    this.bodyAjv = newAjv(false);
    this.parameterAjv = newAjv(true);
    this.bodyAjv.addSchema(document, DOCUMENT_ID);
    this.parameterAjv.addSchema(document, DOCUMENT_ID);
    this.indexOperations();
  }

  /** Reads and adapts the description in `file` (JSON). */
  static fromFile(file: string): OpenApiValidator {
    const document: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (
      !isObject(document) ||
      typeof document.openapi !== "string" ||
      !document.openapi.startsWith("3.0")
    ) {
      throw new Error(
        `${file} is not an OpenAPI 3.0 description: "openapi" must be a 3.0.x version`,
      );
    }
    return new OpenApiValidator(document);
  }

  /** Lists the operations of the description as "METHOD /template". */
  listOperations(): string[] {
    return this.operations.map((operation) => `${operation.method} ${operation.pathTemplate}`);
  }

  /** Compiles every parameter and body schema, so a schema ajv cannot compile fails early. */
  compileAll(): void {
    for (const operation of this.operations) {
      for (const parameter of operation.parameters) {
        this.validatorFor(this.parameterAjv, parameter.schemaPointer);
      }
      for (const pointer of operation.bodySchemas.values()) {
        this.validatorFor(this.bodyAjv, pointer);
      }
    }
  }

  /** Finds the operation for a request and validates its path, query and body. */
  check(request: ApiRequest): RequestCheck {
    const result: RequestCheck = {
      operationId: null,
      pathTemplate: null,
      pathParams: {},
      query: {},
      body: undefined,
      problems: [],
    };

    const method = request.method.toUpperCase();
    const match = this.findOperation(method, request.path);
    if ("problem" in match) {
      result.problems.push({ in: "operation", at: request.path, message: match.problem });
      return result;
    }

    const { operation, pathParams } = match;
    result.operationId = operation.operationId;
    result.pathTemplate = operation.pathTemplate;
    result.pathParams = pathParams;

    this.checkPathParameters(operation, pathParams, result);
    this.checkQuery(operation, request.query, result);
    this.checkBody(operation, request, result);
    return result;
  }

  private indexOperations(): void {
    const paths = isObject(this.document.paths) ? this.document.paths : {};
    for (const [template, pathItem] of Object.entries(paths)) {
      if (!isObject(pathItem)) continue;

      const pathPointer = `/paths/${pointerToken(template)}`;
      const shared = this.readParameters(pathItem.parameters, `${pathPointer}/parameters`);
      for (const method of METHODS) {
        const operation = pathItem[method];
        if (!isObject(operation)) continue;

        const operationPointer = `${pathPointer}/${method}`;
        const own = this.readParameters(operation.parameters, `${operationPointer}/parameters`);
        const parameters = new Map<string, Parameter>();
        for (const parameter of [...shared, ...own]) {
          parameters.set(`${parameter.in} ${parameter.name}`, parameter);
        }

        const body = this.readRequestBody(operation.requestBody, `${operationPointer}/requestBody`);
        this.operations.push({
          method: method.toUpperCase(),
          pathTemplate: template,
          segments: template.split("/").slice(1),
          operationId: typeof operation.operationId === "string" ? operation.operationId : null,
          parameters: [...parameters.values()],
          bodyRequired: body.required,
          bodySchemas: body.schemas,
        });
      }
    }
  }

  /** Follows a local `$ref` to the object and JSON pointer it names. */
  private resolve(
    value: Json | undefined,
    pointer: string,
  ): { value: Json | undefined; pointer: string } {
    let current = value;
    let currentPointer = pointer;
    for (
      let depth = 0;
      isObject(current) && typeof current.$ref === "string" && depth < 20;
      depth++
    ) {
      const ref = current.$ref;
      if (!ref.startsWith("#/"))
        throw new Error(
          `unsupported $ref "${ref}" at ${currentPointer}: only local references are read`,
        );
      currentPointer = ref.slice(1);
      current = this.lookup(currentPointer);
    }
    return { value: current, pointer: currentPointer };
  }

  private lookup(pointer: string): Json | undefined {
    let current: Json | undefined = this.document;
    for (const raw of pointer.split("/").slice(1)) {
      const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      if (Array.isArray(current)) current = current[Number(token)];
      else if (isObject(current)) current = current[token];
      else return undefined;
    }
    return current;
  }

  private readParameters(list: Json | undefined, pointer: string): Parameter[] {
    if (!Array.isArray(list)) return [];

    const parameters: Parameter[] = [];
    list.forEach((item, index) => {
      const resolved = this.resolve(item, `${pointer}/${index}`);
      const parameter = resolved.value;
      if (!isObject(parameter) || typeof parameter.name !== "string") return;
      if (!["path", "query", "header", "cookie"].includes(String(parameter.in))) return;

      const schemaPointer = `${resolved.pointer}/schema`;
      const schema = this.resolve(parameter.schema, schemaPointer).value;
      parameters.push({
        name: parameter.name,
        in: parameter.in as Parameter["in"],
        required: parameter.required === true || parameter.in === "path",
        schemaPointer,
        isArray: isObject(schema) && schema.type === "array",
        // OpenAPI 3.0: query parameters use style "form", whose explode defaults to true.
        explode: parameter.explode !== false,
        multiSegment: parameter["x-multi-segment"] === true,
      });
    });
    return parameters;
  }

  private readRequestBody(
    value: Json | undefined,
    pointer: string,
  ): { required: boolean; schemas: Map<string, string> } {
    const schemas = new Map<string, string>();
    const resolved = this.resolve(value, pointer);
    const body = resolved.value;
    if (!isObject(body)) return { required: false, schemas };

    const content = isObject(body.content) ? body.content : {};
    for (const [mediaType, entry] of Object.entries(content)) {
      if (isObject(entry) && entry.schema !== undefined) {
        schemas.set(
          mediaType.toLowerCase(),
          `${resolved.pointer}/content/${pointerToken(mediaType)}/schema`,
        );
      }
    }
    return { required: body.required === true, schemas };
  }

  private findOperation(
    method: string,
    path: string,
  ): { operation: Operation; pathParams: Record<string, string> } | { problem: string } {
    const segments = path.split("/").slice(1);
    const candidates: Array<{
      operation: Operation;
      pathParams: Record<string, string>;
      literals: number;
    }> = [];

    for (const operation of this.operations) {
      const multiSegment = new Set(
        operation.parameters
          .filter((parameter) => parameter.multiSegment)
          .map((parameter) => parameter.name),
      );
      const pathParams = matchSegments(operation.segments, segments, multiSegment);
      if (!pathParams) continue;
      const literals = operation.segments.filter((segment) => !segment.startsWith("{")).length;
      candidates.push({ operation, pathParams, literals });
    }

    if (candidates.length === 0) {
      return { problem: `no operation in ${this.title} matches the path ${path}` };
    }

    // A literal segment wins over a parameter, as `/dns_records/batch` over `/dns_records/{id}`.
    const forMethod = candidates
      .filter((candidate) => candidate.operation.method === method)
      .sort((a, b) => b.literals - a.literals);
    const best = forMethod[0];
    if (!best) {
      const templates = [
        ...new Set(candidates.map((candidate) => candidate.operation.pathTemplate)),
      ];
      const allowed = candidates.map((candidate) => candidate.operation.method).join(", ");
      return {
        problem: `${method} is not an operation of ${templates.join(", ")} (allowed: ${allowed})`,
      };
    }
    return { operation: best.operation, pathParams: best.pathParams };
  }

  private checkPathParameters(
    operation: Operation,
    values: Record<string, string>,
    result: RequestCheck,
  ): void {
    for (const parameter of operation.parameters) {
      if (parameter.in !== "path") continue;

      const value = values[parameter.name];
      if (value === undefined || value === "") {
        result.problems.push({
          in: "path",
          at: parameter.name,
          message: "required path parameter is missing",
        });
        continue;
      }
      this.checkParameterValue(parameter, value, "path", result);
    }
  }

  private checkQuery(operation: Operation, query: URLSearchParams, result: RequestCheck): void {
    const declared = new Map<string, Parameter>();
    for (const parameter of operation.parameters) {
      if (parameter.in === "query") declared.set(parameter.name, parameter);
    }

    for (const name of new Set(query.keys())) {
      if (!declared.has(name)) {
        result.problems.push({
          in: "query",
          at: name,
          message: `unknown query parameter "${name}"`,
        });
      }
    }

    for (const parameter of declared.values()) {
      const values = query.getAll(parameter.name);
      if (values.length === 0) {
        if (parameter.required) {
          result.problems.push({
            in: "query",
            at: parameter.name,
            message: "required query parameter is missing",
          });
        }
        continue;
      }

      if (!parameter.isArray && values.length > 1) {
        result.problems.push({
          in: "query",
          at: parameter.name,
          message: `query parameter is repeated ${values.length} times but its schema is not an array`,
        });
        continue;
      }

      let value: unknown = values[0];
      if (parameter.isArray) value = parameter.explode ? values : (values[0] ?? "").split(",");
      const coerced = this.checkParameterValue(parameter, value, "query", result);
      result.query[parameter.name] = coerced;
    }
  }

  /** Validates one parameter value, converting strings to the schema's type, and returns the converted value. */
  private checkParameterValue(
    parameter: Parameter,
    value: unknown,
    location: "path" | "query",
    result: RequestCheck,
  ): unknown {
    // ajv converts types in place only inside a parent object, so the value is wrapped.
    const holder = { value };
    const wrapper = this.validatorFor(this.parameterAjv, parameter.schemaPointer, true);
    if (!wrapper(holder)) {
      for (const error of reportedErrors(wrapper.errors)) {
        const at = error.instancePath.replace(/^\/value/, "");
        result.problems.push({
          in: location,
          at: `${parameter.name}${at}`,
          message: formatError(error),
        });
      }
    }
    return holder.value;
  }

  private checkBody(operation: Operation, request: ApiRequest, result: RequestCheck): void {
    const hasBody = request.body !== null && request.body !== "";
    if (!hasBody) {
      if (operation.bodyRequired) {
        result.problems.push({
          in: "body",
          at: "",
          message: "request body is required but missing",
        });
      }
      return;
    }

    if (operation.bodySchemas.size === 0) {
      result.problems.push({
        in: "body",
        at: "",
        message: `${operation.method} ${operation.pathTemplate} takes no request body`,
      });
      return;
    }

    const mediaType = (request.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const pointer = operation.bodySchemas.get(mediaType);
    if (!pointer) {
      const expected = [...operation.bodySchemas.keys()].join(", ");
      result.problems.push({
        in: "body",
        at: "",
        message: `unsupported Content-Type "${request.contentType ?? ""}"; expected ${expected}`,
      });
      return;
    }

    if (mediaType !== "application/json" && !mediaType.endsWith("+json")) return;

    try {
      result.body = JSON.parse(request.body ?? "");
    } catch (error) {
      result.problems.push({
        in: "body",
        at: "",
        message: `body is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }

    const validate = this.validatorFor(this.bodyAjv, pointer);
    if (validate(result.body)) return;
    for (const error of reportedErrors(validate.errors)) {
      result.problems.push({ in: "body", at: error.instancePath, message: formatError(error) });
    }
  }

  private validatorFor(ajv: Ajv, pointer: string, wrapped = false): ValidateFunction {
    const key = `${ajv === this.bodyAjv ? "body" : "parameter"} ${wrapped ? "wrapped" : "plain"} ${pointer}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;

    const reference = { $ref: `${DOCUMENT_ID}#${pointer}` };
    const schema = wrapped
      ? { type: "object", properties: { value: reference }, required: ["value"] }
      : reference;
    const validate = ajv.compile(schema);
    this.compiled.set(key, validate);
    return validate;
  }
}

/**
 * Matches request path segments against template segments and returns the path
 * parameters, or null. Only a last parameter in `multiSegment` may span slashes.
 */
function matchSegments(
  template: string[],
  actual: string[],
  multiSegment: ReadonlySet<string>,
): Record<string, string> | null {
  const params: Record<string, string> = {};
  const last = template.length - 1;

  for (let index = 0; index < template.length; index++) {
    const expected = template[index] ?? "";
    const value = actual[index];
    if (value === undefined) return null;

    const name = /^\{(.+)\}$/.exec(expected)?.[1];
    if (!name) {
      if (expected !== value) return null;
      continue;
    }

    const spans = index === last && multiSegment.has(name);
    const raw = spans ? actual.slice(index).join("/") : value;
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      return null;
    }
  }

  if (actual.length > template.length) {
    const lastName = /^\{(.+)\}$/.exec(template[last] ?? "")?.[1];
    if (!lastName || !multiSegment.has(lastName)) return null;
  }
  return params;
}

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes: coerceTypes ? "array" : false,
    validateSchema: false,
    // Vendor formats such as GitHub's "repo.nwo" are not checked, and ajv would warn on each.
    logger: false,
  });
  // ajv-formats is CommonJS, so under NodeNext its default import is the module object.
  const addFormats = (formatsModule as unknown as { default: FormatsPlugin }).default;
  addFormats(ajv);
  // OpenAPI 3.0 formats that ajv-formats does not define.
  for (const format of ["int32", "int64", "float", "double", "password"]) {
    ajv.addFormat(format, true);
  }
  return ajv;
}

/** Drops the "must match then schema" summaries, which repeat the errors of the branch they name. */
function reportedErrors(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((error) => error.keyword !== "if");
}

function formatError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "additionalProperties")
    return `has unknown property "${String(params.additionalProperty)}"`;
  if (error.keyword === "enum") return `${error.message}: ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === "type") return `must be ${String(params.type)}`;
  return error.message ?? error.keyword;
}

/**
 * Rewrites the description in place into JSON Schema that ajv reads with the meaning the
 * OpenAPI 3.0 rules give it for requests (see the file comment).
 */
function adaptDocument(document: JsonObject): void {
  const resolveLocal = (value: Json | undefined): Json | undefined => {
    let current = value;
    for (
      let depth = 0;
      isObject(current) && typeof current.$ref === "string" && depth < 20;
      depth++
    ) {
      const ref = current.$ref;
      if (!ref.startsWith("#/")) return current;
      let target: Json | undefined = document;
      for (const raw of ref.slice(2).split("/")) {
        const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
        target = isObject(target)
          ? target[token]
          : Array.isArray(target)
            ? target[Number(token)]
            : undefined;
      }
      current = target;
    }
    return current;
  };

  // Unions already rewritten keep their constants here, since their branches moved.
  const rewritten = new WeakMap<JsonObject, Set<string>>();
  const typeConstants = (schema: Json | undefined, depth = 0): Set<string> | null => {
    const resolved = resolveLocal(schema);
    if (!isObject(resolved) || depth > 10) return null;
    const known = rewritten.get(resolved);
    if (known) return known;

    const properties = isObject(resolved.properties) ? resolved.properties : null;
    const typeProperty = properties ? resolveLocal(properties.type) : undefined;
    if (isObject(typeProperty)) {
      if (typeof typeProperty.const === "string") return new Set([typeProperty.const]);
      const values = typeProperty.enum;
      if (
        Array.isArray(values) &&
        values.length > 0 &&
        values.every((value) => typeof value === "string")
      ) {
        return new Set(values as string[]);
      }
    }

    for (const key of ["anyOf", "oneOf"]) {
      const branches = resolved[key];
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const union = new Set<string>();
      for (const branch of branches) {
        const constants = typeConstants(branch, depth + 1);
        if (!constants) return null;
        for (const constant of constants) union.add(constant);
      }
      return union;
    }

    if (Array.isArray(resolved.allOf)) {
      for (const part of resolved.allOf) {
        const constants = typeConstants(part, depth + 1);
        if (constants) return constants;
      }
    }
    return null;
  };

  const visited = new Set<JsonObject>();
  const visit = (node: Json | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isObject(node) || visited.has(node)) return;
    visited.add(node);

    for (const value of Object.values(node)) visit(value);

    dropReadOnlyFromRequired(node, resolveLocal);
    dropUnknownType(node);
    wrapNullableWithoutType(node);
    for (const key of ["anyOf", "oneOf"] as const) {
      const constants = discriminateByType(node, key, typeConstants);
      if (constants) rewritten.set(node, constants);
    }
  };
  visit(document);
}

function dropReadOnlyFromRequired(
  node: JsonObject,
  resolveLocal: (value: Json | undefined) => Json | undefined,
): void {
  if (!Array.isArray(node.required) || !isObject(node.properties)) return;

  const properties = node.properties;
  node.required = node.required.filter((name) => {
    if (typeof name !== "string") return true;
    const property = resolveLocal(properties[name]);
    return !(isObject(property) && property.readOnly === true);
  });
}

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);

/** Removes a `type` that is no JSON type ("unknown" in Cloudflare's KV value schema), so it allows any value. */
function dropUnknownType(node: JsonObject): void {
  if (typeof node.type === "string" && !JSON_TYPES.has(node.type) && !isObject(node.properties)) {
    delete node.type;
  }
}

function wrapNullableWithoutType(node: JsonObject): void {
  if (node.nullable !== true || node.type !== undefined) return;

  const copy: JsonObject = { ...node };
  delete copy.nullable;
  for (const key of Object.keys(node)) delete node[key];
  node.anyOf = [copy, { type: "null" }];
}

/**
 * Replaces `anyOf`/`oneOf` branches that fix `type` to distinct constants with one
 * `if`/`then` per constant, so only the branch for the request's `type` is reported.
 * Objects without a `type` string keep the original union.
 */
function discriminateByType(
  node: JsonObject,
  key: "anyOf" | "oneOf",
  typeConstants: (schema: Json | undefined) => Set<string> | null,
): Set<string> | null {
  const branches = node[key];
  if (!Array.isArray(branches) || branches.length < 2) return null;

  const byConstant = new Map<string, Json[]>();
  for (const branch of branches) {
    const constants = typeConstants(branch);
    if (!constants) return null;
    for (const constant of constants) {
      const list = byConstant.get(constant) ?? [];
      list.push(branch);
      byConstant.set(constant, list);
    }
  }

  const rules: Json[] = [{ properties: { type: { enum: [...byConstant.keys()] } } }];
  for (const [constant, matching] of byConstant) {
    const branch: Json = matching.length === 1 ? (matching[0] ?? {}) : { [key]: matching };
    // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword, not a promise.
    rules.push({ if: { properties: { type: { const: constant } } }, then: branch });
  }

  delete node[key];
  const original: JsonObject = { [key]: branches };
  node.allOf = [
    ...(Array.isArray(node.allOf) ? node.allOf : []),
    {
      if: { type: "object", required: ["type"], properties: { type: { type: "string" } } },
      // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword, not a promise.
      then: { allOf: rules },
      else: original,
    },
  ];
  return new Set(byConstant.keys());
}
