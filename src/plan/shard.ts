/**
 * Splitting a fleet across runners: `shard: i/n` runs shard i of n.
 *
 * A domain's shard depends only on its own name: the first 4 bytes of the SHA-256 of the
 * normalized name (lower case, no trailing dot), read as a big-endian unsigned integer,
 * modulo n. So every runner computes the same split without talking to the others,
 * adding or removing a domain never moves another one, and the union of shards 1..n is
 * the whole fleet with each domain in exactly one shard. Shards are balanced only
 * statistically: with few domains per shard, sizes differ by a few.
 */

import { createHash } from "node:crypto";
import type { Shard } from "../commands/types.js";
import { normalizeHostName } from "../sts/mx.js";

/** GitHub Actions starts at most 256 jobs from one matrix, so more shards could never all run. */
export const MAX_SHARD_COUNT = 256;

const SHARD_SYNTAX = /^(\d+)\s*\/\s*(\d+)$/;

/**
 * Parses `"i/n"` (1-based, as in `1/4`) into a shard. Throws an error that quotes the
 * value and states the expected form when it is malformed or out of range.
 */
export function parseShard(text: string): Shard {
  const match = SHARD_SYNTAX.exec(text.trim());
  if (!match) {
    throw new Error(
      `Invalid shard "${text}": expected "i/n" with whole numbers, as in "1/4" for the first of four shards.`,
    );
  }

  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARD_COUNT) {
    throw new Error(
      `Invalid shard "${text}": the shard count must be between 1 and ${MAX_SHARD_COUNT}, got ${count}.`,
    );
  }
  if (index < 1 || index > count) {
    throw new Error(
      `Invalid shard "${text}": the shard index must be between 1 and ${count}, got ${index}; shards are numbered from 1.`,
    );
  }

  return { index, count };
}

/** Returns the 1-based shard that `domain` belongs to among `count` shards. */
export function shardOfDomain(domain: string, count: number): number {
  const digest = createHash("sha256").update(normalizeHostName(domain), "utf8").digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** Returns the domains of `shard`, in their input order. */
export function selectShard(domains: string[], shard: Shard): string[] {
  if (!Number.isInteger(shard.count) || shard.count < 1 || shard.count > MAX_SHARD_COUNT) {
    throw new Error(
      `Invalid shard count ${shard.count}: expected a whole number from 1 to ${MAX_SHARD_COUNT}.`,
    );
  }
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new Error(
      `Invalid shard index ${shard.index}: expected a whole number from 1 to ${shard.count}.`,
    );
  }

  return domains.filter((domain) => shardOfDomain(domain, shard.count) === shard.index);
}

/** Formats a shard the way `parseShard` reads it, e.g. "2/4". */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
