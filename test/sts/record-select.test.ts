import { describe, expect, it } from "vitest";
import {
  joinTxtStrings,
  type RecordSelection,
  type StsRecord,
  selectStsRecord,
} from "../../src/sts/txt.js";
import { caseFiles, readCaseJson, type TxtAnswer, type TxtScenarios } from "./fixtures.js";

const SPACE_WARNING =
  'space before ; after "v=STSv1": the RFC 8461 section 3.1 ABNF allows it, but a literal reading of the discard rule in RFC 8461 section 3.1 keeps only records that begin with "v=STSv1;", so some senders ignore this record; write "v=STSv1;"';

const NOT_STS = 'record does not begin with "v=STSv1"';

const spacedRecord: RecordSelection<StsRecord> = {
  kind: "one",
  text: "v=STSv1 ; id=1234;",
  parsed: { ok: true, record: { id: "1234", extensions: {} }, warnings: [SPACE_WARNING] },
  discarded: [],
};

// Expected selections per case file (and per scenario), from the README of the shared
// cases. Case 12: we follow the ABNF (errata 6285) and keep the spaced record, and the
// warning states that a literal reading of RFC 8461 section 3.1 would discard it.
const TXT_CASES: Record<
  string,
  RecordSelection<StsRecord> | Record<string, RecordSelection<StsRecord>>
> = {
  "12-txt-space-before-semicolon.json": {
    "A-single-record": spacedRecord,
    "B-with-unrelated-record": {
      ...spacedRecord,
      discarded: [{ text: "v=spf1 -all", reason: NOT_STS }],
    },
  },
  "13-txt-id-with-base64-chars.json": {
    kind: "one",
    text: "v=STSv1; id=Ab3+9xQ/kZ2vW0=;",
    parsed: {
      ok: false,
      error:
        'id must be 1-32 letters and digits (RFC 8461 section 3.1), found "Ab3+9xQ/kZ2vW0="; it looks like base64, so use letters and digits only, such as a UTC timestamp "20240131T120000Z"',
    },
    discarded: [],
  },
  "15-txt-two-sts-records.json": {
    kind: "many",
    texts: ["v=STSv1; id=20180928T1;", "v=STSv1; id=20180928T2;"],
    discarded: [{ text: "google-site-verification=abc123", reason: NOT_STS }],
  },
};

function answersOf(file: string): Record<string, string[][]> {
  const data = readCaseJson<TxtAnswer | TxtScenarios>(file);
  if ("scenarios" in data) {
    return Object.fromEntries(data.scenarios.map((scenario) => [scenario.name, scenario.answers]));
  }
  return { "": data.answers };
}

describe("txt case files", () => {
  it("have an expectation for each file", () => {
    expect(caseFiles("txt")).toEqual(Object.keys(TXT_CASES));
  });

  const rows = Object.entries(TXT_CASES).flatMap(([file, expected]) => {
    const answers = answersOf(file);
    const byScenario = "kind" in expected ? { "": expected } : expected;
    return Object.entries(byScenario).map(
      ([scenario, selection]) =>
        [`${file} ${scenario}`.trim(), answers[scenario], selection] as const,
    );
  });

  it.each(rows)("%s", (_name, answers, expected) => {
    expect(answers).toBeDefined();
    expect(selectStsRecord(answers ?? [])).toEqual(expected);
  });
});

describe("selectStsRecord", () => {
  it("finds nothing in an empty answer", () => {
    expect(selectStsRecord([])).toEqual({ kind: "none", discarded: [] });
  });

  it("ignores other TXT records", () => {
    const selection = selectStsRecord([["v=spf1 -all"], ["v=STSv1; id=1"]]);

    expect(selection.kind).toBe("one");
    expect(selection.discarded).toEqual([{ text: "v=spf1 -all", reason: NOT_STS }]);
  });

  it("joins character-strings without spaces", () => {
    const selection = selectStsRecord([["v=STSv1; ", "id=123"]]);
    expect(selection).toMatchObject({ kind: "one", text: "v=STSv1; id=123" });
  });

  it("joins split strings into a valid record", () => {
    const selection = selectStsRecord([["v=STSv1;", "id=1"]]);
    expect(selection).toMatchObject({
      kind: "one",
      parsed: { ok: true, record: { id: "1", extensions: {} } },
    });
  });

  it("reports two identical records as many", () => {
    const selection = selectStsRecord([["v=STSv1; id=1"], ["v=STSv1; id=1"]]);
    expect(selection).toEqual({
      kind: "many",
      texts: ["v=STSv1; id=1", "v=STSv1; id=1"],
      discarded: [],
    });
  });

  it("returns an invalid record as one with its error", () => {
    const selection = selectStsRecord([["v=STSv1;"]]);
    expect(selection).toMatchObject({ kind: "one", parsed: { ok: false } });
  });

  it.each([
    ["v=STSv1", 'record "v=STSv1" has no field after "v=STSv1"'],
    ["v=STSv1 id=1", 'record "v=STSv1 id=1" has no ";" after "v=STSv1"'],
    [
      "id=abc; v=STSv1",
      'record "id=abc; v=STSv1" does not begin with "v=STSv1"; the version must be the first field',
    ],
    [
      "v=stsv1; id=1",
      'record begins with "v=stsv1", but the version is case-sensitive: write "v=STSv1"',
    ],
  ])("discards %j with the reason", (text, reason) => {
    expect(selectStsRecord([[text]])).toEqual({ kind: "none", discarded: [{ text, reason }] });
  });
});

describe("joinTxtStrings", () => {
  it.each([
    [["v=STSv1; ", "id=123"], "v=STSv1; id=123"],
    [["v=STSv1;", "id=1"], "v=STSv1;id=1"],
    [[], ""],
  ])("joins %j", (strings, expected) => {
    expect(joinTxtStrings(strings)).toBe(expected);
  });
});
