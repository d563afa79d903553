import { describe, expect, test } from "vitest";
import {
  escapeTxtValue,
  octoDnsNameEntrySchema,
  octoDnsTxtRecordSchema,
  octoDnsZoneFileSchema,
  txtRecordTexts,
  unescapeTxtValue,
} from "../../../src/providers/dns/octodns-records.js";

describe("escapeTxtValue", () => {
  test.each([
    { text: "v=STSv1; id=20240101T000000Z;", value: "v=STSv1\\; id=20240101T000000Z\\;" },
    {
      text: "v=TLSRPTv1; rua=mailto:tls@example.com",
      value: "v=TLSRPTv1\\; rua=mailto:tls@example.com",
    },
    { text: "no semicolon", value: "no semicolon" },
    { text: "back\\slash", value: "back\\\\slash" },
  ])("escapes $text", ({ text, value }) => {
    expect(escapeTxtValue(text)).toBe(value);
  });

  test("rejects non-ASCII text", () => {
    expect(() => escapeTxtValue("v=STSv1; id=é")).toThrow(/outside printable ASCII/);
  });
});

describe("unescapeTxtValue", () => {
  test.each([
    { value: "v=STSv1\\; id=1\\;", text: "v=STSv1; id=1;" },
    { value: "back\\\\slash", text: "back\\slash" },
    { value: "a\\059b", text: "a;b" },
    { value: "plain", text: "plain" },
  ])("unescapes $value", ({ value, text }) => {
    expect(unescapeTxtValue(value)).toBe(text);
  });
});

describe("txtRecordTexts", () => {
  test("value", () => {
    expect(txtRecordTexts({ type: "TXT", value: "v=STSv1\\; id=1\\;" })).toEqual([
      "v=STSv1; id=1;",
    ]);
  });

  test("values win over value", () => {
    expect(txtRecordTexts({ type: "TXT", value: "a", values: ["b", "c"] })).toEqual(["b", "c"]);
  });

  test("quoted chunks are joined", () => {
    expect(
      txtRecordTexts({ type: "TXT", value: '"v=TLSRPTv1\\; rua=" "mailto:a@example.com"' }),
    ).toEqual(["v=TLSRPTv1; rua=mailto:a@example.com"]);
  });

  test("empty values are dropped", () => {
    expect(txtRecordTexts({ type: "TXT", values: ["", "x"] })).toEqual(["x"]);
  });
});

describe("record schemas", () => {
  test("TXT needs value or values", () => {
    expect(octoDnsTxtRecordSchema.safeParse({ type: "TXT", ttl: 300 }).success).toBe(false);
  });

  test("TXT ttl must be a non-negative integer", () => {
    expect(octoDnsTxtRecordSchema.safeParse({ type: "TXT", ttl: -1, value: "x" }).success).toBe(
      false,
    );
  });

  test("other types keep their fields", () => {
    const parsed = octoDnsNameEntrySchema.parse({
      type: "MX",
      values: [{ exchange: "mx1.example.com.", preference: 10 }],
    });

    expect(parsed).toEqual({
      type: "MX",
      values: [{ exchange: "mx1.example.com.", preference: 10 }],
    });
  });

  test("name with a list of records", () => {
    const entry = [
      { type: "A", value: "192.0.2.1" },
      { type: "TXT", value: "x" },
    ];

    expect(octoDnsNameEntrySchema.safeParse(entry).success).toBe(true);
  });

  test("empty zone file", () => {
    expect(octoDnsZoneFileSchema.parse(null)).toBeNull();
  });

  test("record without type is invalid", () => {
    expect(octoDnsZoneFileSchema.safeParse({ www: { value: "192.0.2.1" } }).success).toBe(false);
  });
});
