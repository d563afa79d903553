import { describe, expect, test } from "vitest";
import { formatTxtContent, parseTxtContent } from "../../../src/providers/dns/powerdns-txt.js";

describe("formatTxtContent", () => {
  test.each([
    {
      case: "short record",
      text: "v=STSv1; id=20240101T000000Z;",
      content: '"v=STSv1; id=20240101T000000Z;"',
    },
    { case: "empty text", text: "", content: '""' },
    { case: "quote and backslash", text: 'a"b\\c', content: '"a\\"b\\\\c"' },
    { case: "control byte", text: "a\tb", content: '"a\\009b"' },
    { case: "non-ASCII as UTF-8 bytes", text: "é", content: '"\\195\\169"' },
  ])("$case", ({ text, content }) => {
    expect(formatTxtContent(text)).toBe(content);
  });

  test("splits at 255 bytes", () => {
    const text = `${"a".repeat(255)}${"b".repeat(10)}`;

    expect(formatTxtContent(text)).toBe(`"${"a".repeat(255)}" "${"b".repeat(10)}"`);
  });

  test("never splits inside a character", () => {
    const text = "é".repeat(130);
    const strings = formatTxtContent(text).split('" "');

    expect(strings).toHaveLength(2);
    // 127 two-byte characters fill 254 bytes; the 128th would not fit in 255.
    expect(strings[0]!.match(/\\\d{3}/g)).toHaveLength(254);
  });
});

describe("parseTxtContent", () => {
  test.each([
    { case: "one string", content: '"v=STSv1; id=1;"', text: "v=STSv1; id=1;" },
    {
      case: "strings joined without space",
      content: '"v=STSv1; " "id=123"',
      text: "v=STSv1; id=123",
    },
    { case: "escaped quote and backslash", content: '"a\\"b\\\\c"', text: 'a"b\\c' },
    { case: "decimal escapes", content: '"\\195\\169"', text: "é" },
    { case: "unquoted token", content: "abc", text: "abc" },
    { case: "empty string", content: '""', text: "" },
  ])("$case", ({ content, text }) => {
    expect(parseTxtContent(content)).toBe(text);
  });

  test.each([
    { case: "unterminated quote", content: '"abc' },
    { case: "escape above 255", content: '"\\256"' },
    { case: "lone trailing backslash", content: '"abc\\' },
  ])("rejects $case", ({ content }) => {
    expect(() => parseTxtContent(content)).toThrow(/TXT content/);
  });

  test("multi-byte value round trip", () => {
    const text = `${"x".repeat(254)}é${"y".repeat(300)}`;

    expect(parseTxtContent(formatTxtContent(text))).toBe(text);
  });
});
