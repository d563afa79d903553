import { describe, expect, it } from "vitest";
import {
  formatPolicyId,
  isValidPolicyId,
  newPolicyId,
  parsePolicyIdTime,
} from "../../src/sts/id.js";

describe("isValidPolicyId", () => {
  it.each([
    "1",
    "20160831085700Z",
    "20190429T010101",
    "190906205100Z",
    "2022051602",
    "18139500144460329770",
    "a".repeat(32),
  ])("accepts %j", (id) => {
    expect(isValidPolicyId(id)).toBe(true);
  });

  it.each([
    "",
    "a".repeat(33),
    "2019-01-01T00:00:00",
    "ab+c/d=",
    "Ab3+9xQ/kZ2vW0=",
    "id 1",
    "caf\u00e9",
  ])("rejects %j", (id) => {
    expect(isValidPolicyId(id)).toBe(false);
  });
});

describe("formatPolicyId", () => {
  it("formats UTC and drops milliseconds", () => {
    expect(formatPolicyId(new Date("2024-02-29T12:34:56.789Z"))).toBe("20240229T123456Z");
  });

  it("pads every field", () => {
    expect(formatPolicyId(new Date("0999-01-02T03:04:05Z"))).toBe("09990102T030405Z");
  });

  it("produces a valid policy id", () => {
    expect(isValidPolicyId(formatPolicyId(new Date("2025-12-31T23:59:59Z")))).toBe(true);
  });

  it("rejects an invalid date", () => {
    expect(() => formatPolicyId(new Date(Number.NaN))).toThrow(
      "cannot format a policy id from an invalid date",
    );
  });

  it("rejects a five-digit year", () => {
    expect(() => formatPolicyId(new Date("+010000-01-01T00:00:00Z"))).toThrow(
      "cannot format a policy id for the year 10000; the id format has four year digits",
    );
  });
});

describe("parsePolicyIdTime", () => {
  it.each([
    ["20240229T235959Z", "2024-02-29T23:59:59.000Z"],
    ["20250101T000000Z", "2025-01-01T00:00:00.000Z"],
    ["00010101T000000Z", "0001-01-01T00:00:00.000Z"],
  ])("reads %j", (id, iso) => {
    expect(parsePolicyIdTime(id)?.toISOString()).toBe(iso);
  });

  it.each([
    // Formats seen in real deployments, which are not ours.
    "20190429T010101",
    "190906205100Z",
    "2022051602",
    "18139500144460329770",
    "20261606010000",
    "202001291805Z",
    "20161109010200Z",
    // Our shape with an impossible date or time.
    "20230229T000000Z",
    "20241301T000000Z",
    "20240100T000000Z",
    "20240101T240000Z",
    "20240101T006000Z",
    "20240101T000060Z",
    // Near misses.
    "20240101t000000z",
    "20240101T000000Z0",
    "",
  ])("returns null for %j", (id) => {
    expect(parsePolicyIdTime(id)).toBeNull();
  });
});

describe("newPolicyId", () => {
  const now = new Date("2025-06-01T12:00:00.250Z");

  it("formats now when there are no live ids", () => {
    expect(newPolicyId(now, [])).toBe("20250601T120000Z");
  });

  it("formats now when ours are older", () => {
    expect(newPolicyId(now, ["20250601T115959Z", "20240101T000000Z"])).toBe("20250601T120000Z");
  });

  it("ignores ids in other formats", () => {
    expect(newPolicyId(now, ["99991231T235959", "20990101", "zzz"])).toBe("20250601T120000Z");
  });

  it("steps past a live id from the same second", () => {
    expect(newPolicyId(now, ["20250601T120000Z"])).toBe("20250601T120001Z");
  });

  it("steps past the latest id from a clock that ran ahead", () => {
    const live = ["20250601T120500Z", "20250601T130000Z", "20250601T110000Z"];
    expect(newPolicyId(now, live)).toBe("20250601T130001Z");
  });

  it("never equals a live id", () => {
    const live = ["20250601T120000Z", "20250601T120001Z", "20250601T120002Z"];
    const id = newPolicyId(now, live);

    expect(live).not.toContain(id);
    expect(id).toBe("20250601T120003Z");
  });
});
