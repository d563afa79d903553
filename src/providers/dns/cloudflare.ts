/**
 * DNS provider for zones hosted on Cloudflare, through the official SDK.
 *
 * Calls per run: the zone list once (shared with the Worker host), one record list per
 * zone that contains a read domain, and one batch request per changed domain. The record
 * list asks only for names that start with `_mta-sts.` or contain `_smtp._tls.`, and
 * writes go only to `_mta-sts.<domain>` and `_smtp._tls.<domain>` TXT records.
 */
import { stsRecordName, tlsRptRecordName } from "../../sts/txt.js";
import {
  type CloudflareSession,
  describeApiError,
  type Log,
  listAll,
  type RateLimiter,
  redactErrorChain,
  resolveSession,
} from "../cloudflare-client.js";
import type { DnsProvider, ManagedTxt, TxtWrite } from "../types.js";
import {
  type ExistingRecord,
  isEmptyBatch,
  planTxtBatch,
  type RecordBatch,
} from "./cloudflare-batch.js";
import { decodeTxtContent } from "./cloudflare-txt.js";
import { type CloudflareZone, normalizeName, zoneIndexFor } from "./cloudflare-zones.js";

export interface CloudflareDnsOptions {
  /** The provider's name in the configuration, used in logs and errors. */
  name: string;
  apiToken: string;
  /** API root; defaults to https://api.cloudflare.com/client/v4. */
  baseUrl?: string;
  /** Restricts the zone lookup to one account when the token can see several. */
  accountId?: string;
  log: Log;
  /** A limiter of its own. By default the provider shares its token's session and limiter. */
  rateLimit?: RateLimiter;
  /** A session to share with other providers. It overrides apiToken, baseUrl and rateLimit. */
  session?: CloudflareSession;
  /** TTL in seconds of new records when a write sets none. 1 means Cloudflare's automatic TTL. */
  defaultTtl?: number;
}

/** Records per page of a record list. A zone has two managed records per policy domain. */
const RECORDS_PER_PAGE = 500;

export function createCloudflareDns(options: CloudflareDnsOptions): DnsProvider {
  const label = `cloudflare(${JSON.stringify(options.name)})`;
  const session = resolveSession(options);
  const zones = zoneIndexFor(session);
  const accountId = options.accountId;
  const defaultTtl = options.defaultTtl ?? 1;
  const log = options.log;

  // The managed records of each zone, read once per run and updated from batch results.
  const zoneRecords = new Map<string, Promise<ExistingRecord[]>>();

  const fail = (message: string, cause: unknown): Error =>
    new Error(`${label}: ${message}: ${describeApiError(cause, session.redact)}`, {
      cause: redactErrorChain(cause, session.redact),
    });

  const zoneOf = async (recordName: string, action: string): Promise<CloudflareZone> => {
    let zone: CloudflareZone | null;
    try {
      zone = await zones.zoneFor(recordName, accountId);
    } catch (error) {
      throw fail(`failed to ${action} ${recordName} TXT`, error);
    }
    if (zone) return zone;

    const count = await zones.size(accountId);
    const account = accountId ? `account ${accountId}` : "the Cloudflare accounts of the token";
    throw new Error(
      `${label}: failed to ${action} ${recordName} TXT: no zone of ${account} contains it ` +
        `(${count} zones listed); add the zone to the account, or give the token access to it`,
    );
  };

  const recordsOf = (zone: CloudflareZone): Promise<ExistingRecord[]> => {
    const cached = zoneRecords.get(zone.id);
    if (cached) return cached;

    const loading = listManagedRecords(session, zone);
    zoneRecords.set(zone.id, loading);
    loading.catch(() => zoneRecords.delete(zone.id));
    return loading;
  };

  const readTxt = async (domain: string): Promise<ManagedTxt> => {
    const names = {
      sts: stsRecordName(normalizeName(domain)),
      tlsRpt: tlsRptRecordName(normalizeName(domain)),
    };
    const result: ManagedTxt = { sts: [], tlsRpt: [] };

    for (const key of ["sts", "tlsRpt"] as const) {
      const name = names[key];
      const zone = await zoneOf(name, "read");
      let records: ExistingRecord[];
      try {
        records = await recordsOf(zone);
      } catch (error) {
        throw fail(`failed to read ${name} TXT in zone ${zone.name}`, error);
      }
      result[key] = records
        .filter((record) => record.type === "TXT" && record.name === name)
        .map((record) => decodeTxtContent(record.content));
    }
    return result;
  };

  const writeTxt = async (domain: string, writes: TxtWrite[]): Promise<void> => {
    const managed = new Set([
      stsRecordName(normalizeName(domain)),
      tlsRptRecordName(normalizeName(domain)),
    ]);
    const byZone = new Map<string, { zone: CloudflareZone; writes: TxtWrite[] }>();

    for (const write of writes) {
      const name = normalizeName(write.name);
      if (!managed.has(name)) {
        throw new Error(
          `${label}: invalid write of ${write.name} TXT for ${domain}: only ${[...managed].join(" and ")} are written; remove the other name from the plan`,
        );
      }
      const zone = await zoneOf(name, "write");
      const group = byZone.get(zone.id) ?? { zone, writes: [] };
      group.writes.push({ ...write, name });
      byZone.set(zone.id, group);
    }

    for (const { zone, writes: zoneWrites } of byZone.values()) {
      const names = zoneWrites.map((write) => write.name).join(", ");
      let existing: ExistingRecord[];
      try {
        existing = await recordsOf(zone);
      } catch (error) {
        throw fail(`failed to write ${names} TXT in zone ${zone.name}`, error);
      }

      rejectCnameConflicts(label, zone, existing, zoneWrites);
      const batch = planTxtBatch(existing, zoneWrites, defaultTtl);
      if (isEmptyBatch(batch)) {
        log(`${label}: write domain=${domain} zone=${zone.name} unchanged`);
        continue;
      }

      log(
        `${label}: write domain=${domain} zone=${zone.name} deletes=${batch.deletes.length} ` +
          `patches=${batch.patches.length} posts=${batch.posts.length}`,
      );
      let applied: Awaited<ReturnType<typeof sendBatch>>;
      try {
        applied = await sendBatch(session, zone, batch);
      } catch (error) {
        // The cache may no longer match the zone, so the next read lists it again.
        zoneRecords.delete(zone.id);
        throw fail(`failed to write ${names} TXT in zone ${zone.name}`, error);
      }
      // Another domain of the zone may have been written meanwhile, so the result is
      // applied to the cache as it is now, not to the records read before the batch.
      const latest = await (zoneRecords.get(zone.id) ?? Promise.resolve(existing)).catch(
        () => existing,
      );
      const after = applyBatchResult(latest, batch, applied);
      if (after) {
        zoneRecords.set(zone.id, Promise.resolve(after));
      } else {
        zoneRecords.delete(zone.id);
      }
    }
  };

  return {
    name: options.name,
    type: "cloudflare",
    capabilities: { batchWrites: true, cnameAware: true },
    readTxt,
    writeTxt,
  };
}

/**
 * Lists the TXT and CNAME records of a zone whose names start with `_mta-sts.` or contain
 * `_smtp._tls.`. `match=any` joins the two name filters with OR, so one list covers
 * both record names of every policy domain in the zone.
 */
async function listManagedRecords(
  session: CloudflareSession,
  zone: CloudflareZone,
): Promise<ExistingRecord[]> {
  const listed = await listAll(
    session.client.dns.records.list({
      zone_id: zone.id,
      match: "any",
      name: { startswith: "_mta-sts.", contains: "_smtp._tls." },
      per_page: RECORDS_PER_PAGE,
    }),
  );

  return listed
    .map((record) => toExisting(record))
    .filter((record): record is ExistingRecord => record !== null)
    .filter(
      (record) => record.name.startsWith("_mta-sts.") || record.name.startsWith("_smtp._tls."),
    );
}

function toExisting(record: {
  id?: string;
  name?: string;
  type?: string;
  content?: unknown;
  ttl?: number;
}): ExistingRecord | null {
  if (!record.id || !record.name || (record.type !== "TXT" && record.type !== "CNAME")) return null;
  return {
    id: record.id,
    name: normalizeName(record.name),
    type: record.type,
    content: typeof record.content === "string" ? record.content : "",
    ttl: record.ttl ?? 1,
  };
}

async function sendBatch(session: CloudflareSession, zone: CloudflareZone, batch: RecordBatch) {
  return session.client.dns.records.batch({
    zone_id: zone.id,
    ...(batch.deletes.length > 0 ? { deletes: batch.deletes } : {}),
    ...(batch.patches.length > 0 ? { patches: batch.patches } : {}),
    ...(batch.posts.length > 0 ? { posts: batch.posts } : {}),
  });
}

/**
 * Returns the zone's managed records after a batch, from the records the API returned,
 * or null when the response does not list every patched and posted record.
 */
function applyBatchResult(
  before: ExistingRecord[],
  batch: RecordBatch,
  applied: Awaited<ReturnType<typeof sendBatch>>,
): ExistingRecord[] | null {
  const patched = applied.patches ?? [];
  const posted = applied.posts ?? [];
  if (patched.length !== batch.patches.length || posted.length !== batch.posts.length) return null;

  const removed = new Set([...batch.deletes, ...batch.patches].map((record) => record.id));
  const after = before.filter((record) => !removed.has(record.id));

  for (const record of [...patched, ...posted]) {
    const existing = toExisting(record);
    if (existing) after.push(existing);
  }
  return after;
}

/**
 * Rejects TXT writes at a name that has a CNAME. Such a name cannot have other records
 * (RFC 1034 section 3.6.2), and the tool never changes a CNAME, which usually delegates
 * the record to a hosting provider.
 */
function rejectCnameConflicts(
  label: string,
  zone: CloudflareZone,
  existing: ExistingRecord[],
  writes: TxtWrite[],
): void {
  for (const write of writes) {
    if (write.values === null || write.values.length === 0) continue;

    const cname = existing.find((record) => record.type === "CNAME" && record.name === write.name);
    if (!cname) continue;
    throw new Error(
      `${label}: failed to write ${write.name} TXT in zone ${zone.name}: the name has a CNAME to ` +
        `"${cname.content}"; remove the CNAME in Cloudflare, or manage this record where the CNAME points`,
    );
  }
}
