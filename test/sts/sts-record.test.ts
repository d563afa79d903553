import { describe, expect, it } from "vitest";
import { parseStsRecord, renderStsRecord } from "../../src/sts/txt.js";
import { caseFiles, readCaseJson, type TxtAnswer } from "./fixtures.js";

const ID_RULE = "id must be 1-32 letters and digits (RFC 8461 section 3.1)";

describe("parseStsRecord", () => {
  it.each([
    ["v=STSv1; id=20160831085700Z;", "20160831085700Z"],
    ["v=STSv1;id=abc", "abc"],
    ["v=STSv1; id=1", "1"],
    ["v=STSv1; id=1;", "1"],
    [`v=STSv1; id=${"a".repeat(32)}`, "a".repeat(32)],
    ["v=STSv1;id=20261606010000", "20261606010000"],
  ])("reads %j", (text, id) => {
    expect(parseStsRecord(text)).toEqual({
      ok: true,
      record: { id, extensions: {} },
      warnings: [],
    });
  });

  it("keeps unknown fields as extensions", () => {
    expect(parseStsRecord("v=STSv1; id=1; x-new=1; foo=bar")).toEqual({
      ok: true,
      record: { id: "1", extensions: { "x-new": "1", foo: "bar" } },
      warnings: [],
    });
  });

  it("keeps the first id", () => {
    expect(parseStsRecord("v=STSv1; id=aaa; id=bbb")).toEqual({
      ok: true,
      record: { id: "aaa", extensions: {} },
      warnings: ['duplicate field "id"; the first value ("aaa") is used and "bbb" is ignored'],
    });
  });

  it("ignores an invalid id after the first", () => {
    const parsed = parseStsRecord("v=STSv1; id=aaa; id=b+b");
    expect(parsed).toMatchObject({ ok: true, record: { id: "aaa" } });
  });

  it("keeps the first extension value", () => {
    const parsed = parseStsRecord("v=STSv1; foo=1; id=2; foo=3");
    expect(parsed).toEqual({
      ok: true,
      record: { id: "2", extensions: { foo: "1" } },
      warnings: ['duplicate field "foo"; the first value ("1") is used and "3" is ignored'],
    });
  });

  it.each([
    ["v=STSv1; id=", `${ID_RULE}, found "", which is empty`],
    [
      `v=STSv1; id=${"a".repeat(33)}`,
      `${ID_RULE}, found "${"a".repeat(33)}", which has 33 characters`,
    ],
    ["v=STSv1; id=2019-01-01T00:00:00", `${ID_RULE}, found "2019-01-01T00:00:00"`],
    [
      "v=STSv1; id=ab+c/d=",
      `${ID_RULE}, found "ab+c/d="; it looks like base64, so use letters and digits only, such as a UTC timestamp "20240131T120000Z"`,
    ],
    ["v=STSv1;", 'record "v=STSv1;" has no id; add "id=" followed by 1-32 letters and digits'],
    [
      "v=STSv1; ID=1",
      'record "v=STSv1; ID=1" has no id; add "id=" followed by 1-32 letters and digits; field names are case-sensitive, so "ID" is not "id"',
    ],
    [
      "v=STSv1; id=1; foo=",
      'extension "foo" has the invalid value ""; values are printable ASCII without "=", ";" or spaces (RFC 8461 section 3.1)',
    ],
    [
      "v=STSv1; id=1; foo=a b",
      'extension "foo" has the invalid value "a b"; values are printable ASCII without "=", ";" or spaces (RFC 8461 section 3.1)',
    ],
    [
      "id=abc; v=STSv1",
      'record "id=abc; v=STSv1" does not begin with "v=STSv1"; the version must be the first field',
    ],
    [
      " v=STSv1; id=1",
      'record " v=STSv1; id=1" starts with white space; it must begin with "v=STSv1"',
    ],
    ["v = STSv1; id=1", 'record begins with "v = STSv1"; write "v=STSv1" with no white space'],
    [
      "v=stsv1; id=1",
      'record begins with "v=stsv1", but the version is case-sensitive: write "v=STSv1"',
    ],
    ["v=STSv1; id=\u00c3", 'record "v=STSv1; id=Ã" contains characters outside printable US-ASCII'],
  ])("rejects %j", (text, error) => {
    expect(parseStsRecord(text)).toEqual({ ok: false, error });
  });

  it("accepts trailing white space with a warning", () => {
    expect(parseStsRecord("v=STSv1; id=1 ")).toEqual({
      ok: true,
      record: { id: "1", extensions: {} },
      warnings: [
        'record ends with white space after the last field and no ";"; the grammar allows white space only around ";", so remove it',
      ],
    });
  });
});

describe("renderStsRecord", () => {
  it("writes the version and the id", () => {
    expect(renderStsRecord("20240131T120000Z")).toBe("v=STSv1; id=20240131T120000Z;");
  });

  it("parses back to the same id", () => {
    const parsed = parseStsRecord(renderStsRecord("abc123"));
    expect(parsed).toEqual({ ok: true, record: { id: "abc123", extensions: {} }, warnings: [] });
  });

  it.each([
    ["", `cannot render the _mta-sts record: ${ID_RULE}, found "", which is empty`],
    [
      "Ab3+9xQ/kZ2vW0=",
      `cannot render the _mta-sts record: ${ID_RULE}, found "Ab3+9xQ/kZ2vW0="; it looks like base64, so use letters and digits only, such as a UTC timestamp "20240131T120000Z"`,
    ],
  ])("rejects the id %j", (id, message) => {
    expect(() => renderStsRecord(id)).toThrow(message);
  });
});

describe("id case file", () => {
  const file = "13-txt-id-with-base64-chars.json";

  it("is a txt case", () => {
    expect(caseFiles("txt")).toContain(file);
  });

  it("rejects the base64 id", () => {
    const [record] = readCaseJson<TxtAnswer>(file).answers;
    expect(parseStsRecord((record ?? []).join(""))).toEqual({
      ok: false,
      error: `${ID_RULE}, found "Ab3+9xQ/kZ2vW0="; it looks like base64, so use letters and digits only, such as a UTC timestamp "20240131T120000Z"`,
    });
  });
});
