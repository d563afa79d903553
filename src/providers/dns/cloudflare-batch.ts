/**
 * Turns the record sets a domain should have into one request to the Cloudflare batch
 * endpoint (`POST /zones/{zone_id}/dns_records/batch`), which applies its deletes, patches
 * and posts as one transaction. Records that already contain a requested value are left
 * alone, so a second run with the same values sends nothing.
 */
import type { TxtWrite } from "../types.js";
import { decodeTxtContent, encodeTxtContent } from "./cloudflare-txt.js";

/** A record at one of the managed names, as listed by the API. */
export interface ExistingRecord {
  id: string;
  /** Lower case, without the trailing dot. */
  name: string;
  type: string;
  content: string;
  ttl: number;
}

export interface TxtRecordBody {
  name: string;
  type: "TXT";
  content: string;
  ttl: number;
}

export interface RecordBatch {
  deletes: Array<{ id: string }>;
  patches: Array<TxtRecordBody & { id: string }>;
  posts: TxtRecordBody[];
}

export function isEmptyBatch(batch: RecordBatch): boolean {
  return batch.deletes.length === 0 && batch.patches.length === 0 && batch.posts.length === 0;
}

/**
 * Plans the batch that makes the TXT records at each written name equal to its values.
 * An existing record is kept when it contains a requested value (and the requested TTL,
 * when the write sets one). It is reused through a patch when a value changes, and
 * deleted when the set shrinks. `defaultTtl` applies to new records of writes without a TTL.
 */
export function planTxtBatch(
  existing: ExistingRecord[],
  writes: TxtWrite[],
  defaultTtl: number,
): RecordBatch {
  const batch: RecordBatch = { deletes: [], patches: [], posts: [] };

  for (const write of writes) {
    const current = existing.filter(
      (record) => record.type === "TXT" && record.name === write.name,
    );
    const requested = [...new Set(write.values ?? [])];
    const unmatched: ExistingRecord[] = [];

    for (const record of current) {
      const value = decodeTxtContent(record.content);
      const index = requested.indexOf(value);
      const ttlMatches = write.ttl === undefined || record.ttl === write.ttl;
      if (index >= 0 && ttlMatches) {
        requested.splice(index, 1);
      } else {
        unmatched.push(record);
      }
    }

    const ttlFor = (record?: ExistingRecord) => write.ttl ?? record?.ttl ?? defaultTtl;
    for (const value of requested) {
      const reused = unmatched.shift();
      const body: TxtRecordBody = {
        name: write.name,
        type: "TXT",
        content: encodeTxtContent(value),
        ttl: ttlFor(reused),
      };
      if (reused) {
        batch.patches.push({ id: reused.id, ...body });
      } else {
        batch.posts.push(body);
      }
    }

    for (const record of unmatched) {
      batch.deletes.push({ id: record.id });
    }
  }
  return batch;
}
