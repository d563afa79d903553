import { describe, expect, it } from "vitest";
import {
  beginsWithVersion,
  describeMissingVersion,
  isValidExtensionValue,
  parseTagList,
} from "../../src/sts/tag-record.js";

const V = "v=STSv1";
const SECTION = "RFC 8461 section 3.1";

describe("beginsWithVersion", () => {
  it.each([
    ["v=STSv1;", true],
    ["v=STSv1; id=1", true],
    ["v=STSv1 ; id=1", true],
    ["v=STSv1\t;id=1", true],
    ["v=STSv1", false],
    ["v=STSv1 id=1", false],
    ["v=STSv10; id=1", false],
    [" v=STSv1; id=1", false],
    ["v=stsv1; id=1", false],
    ["id=1; v=STSv1", false],
  ])("%j is %j", (text, expected) => {
    expect(beginsWithVersion(text, V)).toBe(expected);
  });
});

describe("describeMissingVersion", () => {
  it.each([
    ["v=STSv1", 'record "v=STSv1" has no field after "v=STSv1"'],
    ["v=STSv1 id=1", 'record "v=STSv1 id=1" has no ";" after "v=STSv1"'],
    [
      " v=STSv1; id=1",
      'record " v=STSv1; id=1" starts with white space; it must begin with "v=STSv1"',
    ],
    [
      "v=stsv1; id=1",
      'record begins with "v=stsv1", but the version is case-sensitive: write "v=STSv1"',
    ],
    ["v = STSv1; id=1", 'record begins with "v = STSv1"; write "v=STSv1" with no white space'],
    [
      "id=abc; v=STSv1",
      'record "id=abc; v=STSv1" does not begin with "v=STSv1"; the version must be the first field',
    ],
    ["v=spf1 -all", 'record does not begin with "v=STSv1"'],
  ])("explains %j", (text, reason) => {
    expect(describeMissingVersion(text, V)).toBe(reason);
  });
});

describe("parseTagList", () => {
  it.each([
    ["v=STSv1; id=1", [{ name: "id", value: "1" }]],
    ["v=STSv1;id=1;", [{ name: "id", value: "1" }]],
    ["v=STSv1; id=1 ;  ", [{ name: "id", value: "1" }]],
    [
      "v=STSv1;\tid=1\t;\tfoo=bar",
      [
        { name: "id", value: "1" },
        { name: "foo", value: "bar" },
      ],
    ],
    ["v=STSv1;", []],
  ])("splits %j", (text, fields) => {
    expect(parseTagList(text, V, SECTION)).toEqual({ ok: true, fields, warnings: [] });
  });

  it("warns about trailing white space without a semicolon", () => {
    expect(parseTagList("v=STSv1; id=1 ", V, SECTION)).toEqual({
      ok: true,
      fields: [{ name: "id", value: "1" }],
      warnings: [
        'record ends with white space after the last field and no ";"; the grammar allows white space only around ";", so remove it',
      ],
    });
  });

  it("warns about a space before the first semicolon", () => {
    const parsed = parseTagList("v=STSv1 ; id=1", V, SECTION);
    expect(parsed).toEqual({
      ok: true,
      fields: [{ name: "id", value: "1" }],
      warnings: [
        'space before ; after "v=STSv1": the RFC 8461 section 3.1 ABNF allows it, but a literal reading of the discard rule in RFC 8461 section 3.1 keeps only records that begin with "v=STSv1;", so some senders ignore this record; write "v=STSv1;"',
      ],
    });
  });

  it.each([
    ["v=STSv1;; id=1", 'record "v=STSv1;; id=1" has an empty field between ";"'],
    ["v=STSv1; id", 'field "id" has no "="; fields read name=value'],
    [
      "v=STSv1; id =1",
      'field name "id " is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit, with no space before "="',
    ],
    [
      "v=STSv1; _x=1",
      'field name "_x" is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit, with no space before "="',
    ],
    [
      `v=STSv1; ${"a".repeat(33)}=1`,
      `field name "${"a".repeat(33)}" is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit, with no space before "="`,
    ],
    ["v=STSv1; id=\u00e9", 'record "v=STSv1; id=é" contains characters outside printable US-ASCII'],
    ["v=STSv1 id=1", 'record "v=STSv1 id=1" has no ";" after "v=STSv1"'],
  ])("rejects %j", (text, error) => {
    expect(parseTagList(text, V, SECTION)).toEqual({ ok: false, error });
  });
});

describe("isValidExtensionValue", () => {
  it.each([
    ["bar", true],
    ["a:b/c", true],
    ["", false],
    ["a b", false],
    ["a=b", false],
    ["a;b", false],
  ])("%j is %j", (value, expected) => {
    expect(isValidExtensionValue(value)).toBe(expected);
  });
});
