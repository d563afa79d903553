/**
 * Zones and DNS records of the fake: list zones, list records with the name and content
 * filters, and the batch endpoint. A batch applies its deletes, patches, puts and posts
 * in that order as one transaction, and one error rejects the whole batch.
 */
import { type ApiMessage, type FakeResponse, fail, ok, paginate, type Route } from "./respond.js";
import { type FakeAccount, type FakeRecord, type FakeZone, hexId } from "./state.js";

const NAME_SERVERS = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"];

export function zoneJson(zone: FakeZone, account: FakeAccount): Record<string, unknown> {
  return {
    id: zone.id,
    name: zone.name,
    status: zone.status,
    paused: false,
    type: "full",
    development_mode: 0,
    name_servers: NAME_SERVERS,
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    created_on: zone.createdOn,
    modified_on: zone.createdOn,
    activated_on: zone.status === "active" ? zone.createdOn : null,
    meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
    owner: { id: null, type: "user", email: null },
    account: { id: zone.accountId, name: `Account ${account.accountId.slice(0, 6)}` },
    permissions: ["#dns_records:edit", "#dns_records:read", "#zone:read"],
    plan: {
      id: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
      name: "Free Website",
      price: 0,
      currency: "USD",
      frequency: "",
    },
  };
}

export function recordJson(record: FakeRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    content: record.content,
    proxiable: ["A", "AAAA", "CNAME"].includes(record.type),
    proxied: record.proxied,
    ttl: record.ttl,
    settings: {},
    meta: {},
    comment: record.comment,
    tags: record.tags,
    created_on: record.createdOn,
    modified_on: record.modifiedOn,
  };
}

const listZones: Route = {
  method: "GET",
  template: "/zones",
  handle(request, { account }) {
    const name = request.query.get("name");
    const status = request.query.get("status");
    const accountId = request.query.get("account.id");
    const zones = account.zones
      .filter((zone) => name === null || zone.name === name.toLowerCase())
      .filter((zone) => status === null || zone.status === status)
      .filter((zone) => accountId === null || zone.accountId === accountId)
      .sort((a, b) => a.name.localeCompare(b.name));

    const page = paginate(zones, request.query, { defaultPerPage: 20, maxPerPage: 50 });
    return ok(
      page.result.map((zone) => zoneJson(zone, account)),
      page.result_info,
    );
  },
};

/** Builds one predicate per name, content or type filter of a record list request. */
function recordFilters(query: URLSearchParams): Array<(record: FakeRecord) => boolean> {
  const filters: Array<(record: FakeRecord) => boolean> = [];
  const text = (field: "name" | "content") => (record: FakeRecord) => record[field].toLowerCase();

  for (const field of ["name", "content"] as const) {
    const exact = query.get(`${field}.exact`) ?? query.get(field);
    const contains = query.get(`${field}.contains`);
    const startsWith = query.get(`${field}.startswith`);
    const endsWith = query.get(`${field}.endswith`);
    const value = text(field);
    if (exact !== null) filters.push((record) => value(record) === exact.toLowerCase());
    if (contains !== null) filters.push((record) => value(record).includes(contains.toLowerCase()));
    if (startsWith !== null)
      filters.push((record) => value(record).startsWith(startsWith.toLowerCase()));
    if (endsWith !== null) filters.push((record) => value(record).endsWith(endsWith.toLowerCase()));
  }

  const type = query.get("type");
  if (type !== null) filters.push((record) => record.type === type);
  return filters;
}

function zoneNotFound(path: string): FakeResponse {
  return fail(404, {
    code: 7003,
    message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
  });
}

const listRecords: Route = {
  method: "GET",
  template: "/zones/{zone_id}/dns_records",
  handle(request, { account }) {
    const zone = account.zoneById(request.params.zone_id ?? "");
    if (!zone) return zoneNotFound(request.path);

    const filters = recordFilters(request.query);
    const matchAny = request.query.get("match") === "any";
    const records = account
      .recordsOf(zone)
      .filter(
        (record) =>
          filters.length === 0 ||
          (matchAny ? filters.some((f) => f(record)) : filters.every((f) => f(record))),
      )
      .sort(
        (a, b) =>
          a.type.localeCompare(b.type) ||
          a.name.localeCompare(b.name) ||
          a.content.localeCompare(b.content),
      );

    const page = paginate(records, request.query, { defaultPerPage: 100, maxPerPage: 5_000_000 });
    return ok(page.result.map(recordJson), page.result_info);
  },
};

/** Quoted character-strings as the API stores them, e.g. `"a" "b"`. */
const QUOTED_CONTENT = /^"(?:[^"\\]|\\.)*"(?:[ \t]+"(?:[^"\\]|\\.)*")*$/;

/**
 * Checks TXT content and splits quoted strings longer than 255 bytes, as the API does.
 * Returns the content to store, or an error.
 */
function storeTxtContent(content: string): { content: string } | { error: ApiMessage } {
  const invalid = { error: { code: 9005, message: "Content for TXT record is invalid" } };
  if (content.length > 2048) return invalid;
  if (!content.startsWith('"')) return content.includes('"') ? invalid : { content };
  if (!QUOTED_CONTENT.test(content)) return invalid;

  const strings = [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    unescapeQuoted(match[1] ?? ""),
  );
  return {
    content: strings
      .flatMap(splitAt255Bytes)
      .map((text) => `"${escapeQuoted(text)}"`)
      .join(" "),
  };
}

function unescapeQuoted(text: string): string {
  return text.replaceAll(/\\(\d{3}|.)/g, (_, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(Number(escaped)) : escaped,
  );
}

function escapeQuoted(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}

function splitAt255Bytes(text: string): string[] {
  const parts = [""];
  for (const char of text) {
    const last = parts[parts.length - 1] ?? "";
    if (Buffer.byteLength(last + char) > 255) parts.push(char);
    else parts[parts.length - 1] = last + char;
  }
  return parts;
}

interface RecordInput {
  id?: string;
  name?: string;
  type?: string;
  content?: string;
  ttl?: number;
  proxied?: boolean;
  comment?: string | null;
  tags?: string[];
}

/** Validates one record of a batch against the zone as it is at that point of the batch. */
function checkRecord(zone: FakeZone, records: FakeRecord[], record: FakeRecord): ApiMessage | null {
  if (record.name !== zone.name && !record.name.endsWith(`.${zone.name}`)) {
    return {
      code: 1004,
      message: `DNS Validation Error: ${record.name} is not in zone ${zone.name}`,
    };
  }

  const others = records.filter(
    (other) => other.zoneId === zone.id && other.id !== record.id && other.name === record.name,
  );
  if (record.type !== "CNAME" && others.some((other) => other.type === "CNAME")) {
    return { code: 81054, message: "A CNAME record with that host already exists." };
  }
  if (record.type === "CNAME" && others.length > 0) {
    return { code: 81053, message: "An A, AAAA, or CNAME record with that host already exists." };
  }
  if (others.some((other) => other.type === record.type && other.content === record.content)) {
    return { code: 81058, message: "An identical record already exists." };
  }
  return null;
}

function applyFields(record: FakeRecord, input: RecordInput, now: string): ApiMessage | null {
  if (input.name !== undefined) record.name = input.name.toLowerCase().replace(/\.$/, "");
  if (input.type !== undefined) record.type = input.type;
  if (input.ttl !== undefined) record.ttl = input.ttl;
  if (input.proxied !== undefined) record.proxied = input.proxied;
  if (input.comment !== undefined) record.comment = input.comment;
  if (input.tags !== undefined) record.tags = input.tags;
  if (input.content !== undefined) {
    if (record.type === "TXT") {
      const stored = storeTxtContent(input.content);
      if ("error" in stored) return stored.error;
      record.content = stored.content;
    } else {
      record.content = input.content;
    }
  }
  record.modifiedOn = now;
  return null;
}

const batchRecords: Route = {
  method: "POST",
  template: "/zones/{zone_id}/dns_records/batch",
  handle(request, { account }) {
    const zone = account.zoneById(request.params.zone_id ?? "");
    if (!zone) return zoneNotFound(request.path);

    const body = (request.body ?? {}) as Record<string, RecordInput[] | undefined>;
    const working = account.records.map((record) => ({ ...record, tags: [...record.tags] }));
    const now = account.timestamp();
    const result = {
      deletes: [] as FakeRecord[],
      patches: [] as FakeRecord[],
      puts: [] as FakeRecord[],
      posts: [] as FakeRecord[],
    };
    const errors: ApiMessage[] = [];
    const find = (id: string | undefined) =>
      working.findIndex((record) => record.id === id && record.zoneId === zone.id);
    const missing = (id: string | undefined): ApiMessage => ({
      code: 81044,
      message: `Record ${id ?? ""} does not exist.`,
    });

    for (const input of body.deletes ?? []) {
      const index = find(input.id);
      if (index < 0) {
        errors.push(missing(input.id));
        continue;
      }
      result.deletes.push(...working.splice(index, 1));
    }

    for (const kind of ["patches", "puts"] as const) {
      for (const input of body[kind] ?? []) {
        const index = find(input.id);
        const record = working[index];
        if (!record) {
          errors.push(missing(input.id));
          continue;
        }
        if (kind === "puts")
          Object.assign(record, { comment: null, tags: [], proxied: false, ttl: 1 });
        const error = applyFields(record, input, now) ?? checkRecord(zone, working, record);
        if (error) errors.push(error);
        result[kind].push(record);
      }
    }

    for (const input of body.posts ?? []) {
      const record: FakeRecord = {
        id: hexId(),
        zoneId: zone.id,
        name: "",
        type: "",
        content: "",
        ttl: 1,
        proxied: false,
        comment: null,
        tags: [],
        createdOn: now,
        modifiedOn: now,
      };
      const error = applyFields(record, input, now) ?? checkRecord(zone, working, record);
      if (error) {
        errors.push(error);
        continue;
      }
      working.push(record);
      result.posts.push(record);
    }

    if (errors.length > 0) return fail(400, ...errors);

    account.records.splice(0, account.records.length, ...working);
    const response = ok({
      deletes: result.deletes.map(recordJson),
      patches: result.patches.map(recordJson),
      puts: result.puts.map(recordJson),
      posts: result.posts.map(recordJson),
    });
    return { ...response, changedZones: [zone.id] };
  },
};

export const dnsRoutes: Route[] = [listZones, listRecords, batchRecords];
