import { describe, expect, test } from "vitest";
import {
  compareNatural,
  findOrderViolation,
  naturalSortKey,
} from "../../../src/providers/dns/octodns-order.js";

describe("naturalSortKey", () => {
  test.each([
    { key: "", parts: [] },
    { key: "_mta-sts", parts: ["_mta-sts"] },
    { key: "10a", parts: ["", 10n, "a"] },
    { key: "a10b", parts: ["a", 10n, "b"] },
    { key: "*.1.2", parts: ["*.", 1n, ".", 2n] },
    { key: "a-1", parts: ["a-", 1n] },
    { key: "n99999999999999999999", parts: ["n", 99999999999999999999n] },
  ])("splits $key", ({ key, parts }) => {
    expect(naturalSortKey(key)).toEqual(parts);
  });
});

describe("compareNatural", () => {
  test.each([
    { left: "host2", right: "host10" },
    { left: "*.2.2", right: "*.10.1" },
    // Hex-looking names are not read as hex: 392 < 3129.
    { left: "45a0392a", right: "45a03129" },
    { left: "", right: "_mta-sts" },
    { left: "9", right: "10" },
    { left: "10", right: "_x" },
    { left: "Host1", right: "host1" },
    { left: "_dmarc", right: "_mta-sts" },
    { left: "_mta-sts", right: "_smtp._tls" },
    { left: "_smtp._tls", right: "mail" },
    { left: "a1", right: "a001b" },
    { left: "ttl", right: "type" },
    { left: "type", right: "value" },
    { left: "value", right: "values" },
  ])("$left sorts before $right", ({ left, right }) => {
    expect(compareNatural(left, right)).toBeLessThan(0);
    expect(compareNatural(right, left)).toBeGreaterThan(0);
  });

  test("leading zeros tie", () => {
    expect(compareNatural("a01", "a1")).toBe(0);
  });

  test("sorts a list as natsort does", () => {
    const keys = ["host10", "host2", "Host1", "host1", "_x", "", "10", "9", "a01", "a001b"];

    expect([...keys].sort(compareNatural)).toEqual([
      "",
      "9",
      "10",
      "Host1",
      "_x",
      "a01",
      "a001b",
      "host1",
      "host2",
      "host10",
    ]);
  });
});

describe("findOrderViolation", () => {
  test("valid order", () => {
    expect(findOrderViolation(["", "_mta-sts", "mx2", "mx10"])).toBeNull();
  });

  test("reports the first pair out of order", () => {
    expect(findOrderViolation(["", "mx10", "mx2"])).toEqual({ before: "mx10", after: "mx2" });
  });
});
