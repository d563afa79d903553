import { describe, expect, test } from "vitest";
import {
  formatShard,
  MAX_SHARD_COUNT,
  parseShard,
  selectShard,
  shardOfDomain,
} from "../../src/plan/shard.js";

/** A generated fleet of the size the tool is meant for. */
const fleet = Array.from({ length: 2000 }, (_, i) => `mail${String(i).padStart(4, "0")}.example`);

describe("selectShard", () => {
  test.each([1, 2, 3, 4, 7, 16])("union of %i shards is fleet", (count) => {
    const union = Array.from({ length: count }, (_, i) =>
      selectShard(fleet, { index: i + 1, count }),
    ).flat();
    expect([...union].sort()).toEqual([...fleet].sort());
  });

  test.each([2, 4, 7, 16])("no domain in two of %i shards", (count) => {
    const seen = new Map<string, number>();
    for (let index = 1; index <= count; index += 1) {
      for (const domain of selectShard(fleet, { index, count })) {
        expect(
          seen.get(domain),
          `${domain} in shards ${seen.get(domain)} and ${index}`,
        ).toBeUndefined();
        seen.set(domain, index);
      }
    }
    expect(seen.size).toBe(fleet.length);
  });

  test("stable when domains added", () => {
    const before = selectShard(fleet, { index: 3, count: 4 });
    const grown = [...fleet, ...Array.from({ length: 500 }, (_, i) => `new${i}.example`)];
    const after = selectShard(grown, { index: 3, count: 4 });
    expect(after.filter((domain) => fleet.includes(domain))).toEqual(before);
  });

  test("independent of input order", () => {
    const reversed = [...fleet].reverse();
    expect(selectShard(reversed, { index: 2, count: 4 }).sort()).toEqual(
      selectShard(fleet, { index: 2, count: 4 }).sort(),
    );
  });

  test("keeps input order", () => {
    const shard = selectShard(fleet, { index: 1, count: 3 });
    expect(shard).toEqual([...shard].sort());
  });

  test("case and trailing dot ignored", () => {
    expect(shardOfDomain("Example.ORG.", 8)).toBe(shardOfDomain("example.org", 8));
  });

  test.each([
    ["example.org", 4, 1],
    ["example.com", 4, 3],
    ["example.net", 4, 4],
    ["example.org", 16, 5],
    ["example.net", 16, 16],
  ])("%s of %i shards pinned", (domain, count, shard) => {
    // Changing the hash would move domains between the runners of existing matrix workflows.
    expect(shardOfDomain(domain, count)).toBe(shard);
  });

  test("shards roughly balanced", () => {
    const sizes = [1, 2, 3, 4].map((index) => selectShard(fleet, { index, count: 4 }).length);
    for (const size of sizes) {
      expect(size).toBeGreaterThan(400);
      expect(size).toBeLessThan(600);
    }
  });

  test("one shard is everything", () => {
    expect(selectShard(fleet, { index: 1, count: 1 })).toEqual(fleet);
  });

  test.each([
    [{ index: 0, count: 2 }, "Invalid shard index 0"],
    [{ index: 3, count: 2 }, "Invalid shard index 3"],
    [{ index: 1, count: 0 }, "Invalid shard count 0"],
    [{ index: 1.5, count: 2 }, "Invalid shard index 1.5"],
  ])("rejects %j", (shard, message) => {
    expect(() => selectShard(fleet, shard)).toThrow(message);
  });
});

describe("parseShard", () => {
  test.each([
    ["1/4", { index: 1, count: 4 }],
    [" 4 / 4 ", { index: 4, count: 4 }],
    ["1/1", { index: 1, count: 1 }],
    [`256/${MAX_SHARD_COUNT}`, { index: 256, count: 256 }],
  ])("%j", (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
    expect(formatShard(shard)).toBe(text.replace(/\s/g, ""));
  });

  test.each([
    [
      "",
      'Invalid shard "": expected "i/n" with whole numbers, as in "1/4" for the first of four shards.',
    ],
    ["2", 'Invalid shard "2": expected "i/n"'],
    ["a/b", 'Invalid shard "a/b": expected "i/n"'],
    ["-1/4", 'Invalid shard "-1/4": expected "i/n"'],
    [
      "0/4",
      'Invalid shard "0/4": the shard index must be between 1 and 4, got 0; shards are numbered from 1.',
    ],
    ["5/4", 'Invalid shard "5/4": the shard index must be between 1 and 4, got 5'],
    ["1/0", 'Invalid shard "1/0": the shard count must be between 1 and 256, got 0.'],
    ["1/257", 'Invalid shard "1/257": the shard count must be between 1 and 256, got 257.'],
  ])("rejects %j", (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});
