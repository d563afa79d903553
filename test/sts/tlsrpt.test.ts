import { describe, expect, it } from "vitest";
import {
  parseTlsRptRecord,
  type RecordSelection,
  renderTlsRptRecord,
  selectTlsRptRecord,
  type TlsRptRecord,
  tlsRptRecordName,
} from "../../src/sts/txt.js";
import { caseFiles, readCaseJson, type TxtAnswer, type TxtScenarios } from "./fixtures.js";

const BOTH_DESTINATIONS = ["mailto:tlsrpt@example.com", "https://tlsrpt.example.net/v1/report"];

const oneRecord = (text: string, rua: string[]): RecordSelection<TlsRptRecord> => ({
  kind: "one",
  text,
  parsed: { ok: true, record: { rua, extensions: {} }, warnings: [] },
  discarded: [],
});

// Expected selections per case file and scenario, from the README of the shared cases.
const TLSRPT_CASES: Record<string, Record<string, RecordSelection<TlsRptRecord>>> = {
  "16-tlsrpt-repeated-and-listed-rua.json": {
    "A-repeated-rua-fields": oneRecord(
      "v=TLSRPTv1; rua=mailto:tlsrpt@example.com; rua=https://tlsrpt.example.net/v1/report",
      BOTH_DESTINATIONS,
    ),
    "B-comma-list": oneRecord(
      "v=TLSRPTv1;rua=mailto:tlsrpt@example.com,https://tlsrpt.example.net/v1/report;",
      BOTH_DESTINATIONS,
    ),
  },
  "17-tlsrpt-rua-without-scheme.json": {
    "": {
      kind: "one",
      text: "v=TLSRPTv1; rua=tlsrpt@example.com",
      parsed: {
        ok: false,
        error:
          'rua has no URI scheme: "tlsrpt@example.com"; RFC 8460 section 3 needs a mailto: or https: URI, such as "mailto:tlsrpt@example.com"',
      },
      discarded: [],
    },
  },
};

function answersOf(file: string): Record<string, string[][]> {
  const data = readCaseJson<TxtAnswer | TxtScenarios>(file);
  if ("scenarios" in data) {
    return Object.fromEntries(data.scenarios.map((scenario) => [scenario.name, scenario.answers]));
  }
  return { "": data.answers };
}

describe("tlsrpt case files", () => {
  it("have an expectation for each file", () => {
    expect(caseFiles("tlsrpt")).toEqual(Object.keys(TLSRPT_CASES));
  });

  const rows = Object.entries(TLSRPT_CASES).flatMap(([file, byScenario]) => {
    const answers = answersOf(file);
    return Object.entries(byScenario).map(
      ([scenario, selection]) =>
        [`${file} ${scenario}`.trim(), answers[scenario], selection] as const,
    );
  });

  it.each(rows)("%s", (_name, answers, expected) => {
    expect(answers).toBeDefined();
    expect(selectTlsRptRecord(answers ?? [])).toEqual(expected);
  });
});

describe("parseTlsRptRecord", () => {
  it.each([
    ["v=TLSRPTv1;rua=mailto:reports@example.com", ["mailto:reports@example.com"]],
    [
      "v=TLSRPTv1; rua=mailto:a@x.example,mailto:b@y.example",
      ["mailto:a@x.example", "mailto:b@y.example"],
    ],
    [
      "v=TLSRPTv1; rua=mailto:a@x.example , https://r.example/t",
      ["mailto:a@x.example", "https://r.example/t"],
    ],
    [
      "v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:b@y.example",
      ["mailto:a@x.example", "mailto:b@y.example"],
    ],
    ["v=TLSRPTv1 ;rua=mailto:a@x.example;", ["mailto:a@x.example"]],
  ])("reads %j", (text, rua) => {
    expect(parseTlsRptRecord(text)).toMatchObject({ ok: true, record: { rua } });
  });

  it("keeps unknown fields as extensions", () => {
    expect(parseTlsRptRecord("v=TLSRPTv1; rua=mailto:a@x.example; foo=bar")).toEqual({
      ok: true,
      record: { rua: ["mailto:a@x.example"], extensions: { foo: "bar" } },
      warnings: [],
    });
  });

  it("lists a repeated destination once", () => {
    expect(parseTlsRptRecord("v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:a@x.example")).toEqual(
      {
        ok: true,
        record: { rua: ["mailto:a@x.example"], extensions: {} },
        warnings: ['rua "mailto:a@x.example" is listed twice; the second entry is ignored'],
      },
    );
  });

  it("drops an unsupported scheme with a warning", () => {
    expect(parseTlsRptRecord("v=TLSRPTv1; rua=http://r.example/x,mailto:a@x.example")).toEqual({
      ok: true,
      record: { rua: ["mailto:a@x.example"], extensions: {} },
      warnings: [
        'rua "http://r.example/x" uses the unsupported scheme "http:"; RFC 8460 section 3 defines mailto: and https: only; use "https:"; this destination is ignored',
      ],
    });
  });

  it.each([
    ["v=TLSRPTv1", 'record "v=TLSRPTv1" has no field after "v=TLSRPTv1"'],
    [
      "v=TLSRPTv1;",
      'record "v=TLSRPTv1;" has no rua; add "rua=mailto:..." or "rua=https://..." (RFC 8460 section 3)',
    ],
    ["v=TLSRPTv1; rua=", "rua is empty; write a mailto: or https: URI (RFC 8460 section 3)"],
    [
      "v=TLSRPTv1; rua=mailto:a@x.example,,mailto:b@x.example",
      'rua "mailto:a@x.example,,mailto:b@x.example" has an empty entry in its comma-separated list',
    ],
    [
      "v=TLSRPTv1; rua=mailto:tls@example.com!10m",
      'rua "mailto:tls@example.com!10m" contains an unencoded "!"; RFC 8460 section 3 requires %21 inside a URI; the DMARC size limit suffix ("!10m") has no meaning in TLS-RPT, so remove it',
    ],
    [
      "v=TLSRPTv1; rua=ftp://r.example/x",
      'record "v=TLSRPTv1; rua=ftp://r.example/x" has no usable rua, so no report can be delivered: rua "ftp://r.example/x" uses the unsupported scheme "ftp:"; RFC 8460 section 3 defines mailto: and https: only; this destination is ignored',
    ],
    [
      "rua=mailto:a@x.example; v=TLSRPTv1",
      'record "rua=mailto:a@x.example; v=TLSRPTv1" does not begin with "v=TLSRPTv1"; the version must be the first field',
    ],
    [
      "v=tlsrptv1; rua=mailto:a@x.example",
      'record begins with "v=tlsrptv1", but the version is case-sensitive: write "v=TLSRPTv1"',
    ],
    [
      "v = TLSRPTv1; rua=mailto:a@x.example",
      'record begins with "v = TLSRPTv1"; write "v=TLSRPTv1" with no white space',
    ],
    [
      "v=TLSRPTv1; rua=mailto:a@x.example; foo=a b",
      'extension "foo" has the invalid value "a b"; values are printable ASCII without "=", ";" or spaces (RFC 8460 section 3)',
    ],
  ])("rejects %j", (text, error) => {
    expect(parseTlsRptRecord(text)).toEqual({ ok: false, error });
  });
});

describe("selectTlsRptRecord", () => {
  it("ignores other TXT records", () => {
    const selection = selectTlsRptRecord([["v=spf1 -all"], ["v=TLSRPTv1; rua=mailto:a@x.example"]]);
    expect(selection).toMatchObject({
      kind: "one",
      discarded: [{ text: "v=spf1 -all", reason: 'record does not begin with "v=TLSRPTv1"' }],
    });
  });

  it("reports two records as many", () => {
    const selection = selectTlsRptRecord([
      ["v=TLSRPTv1; rua=mailto:a@x.example"],
      ["v=TLSRPTv1; rua=mailto:b@x.example"],
    ]);
    expect(selection).toEqual({
      kind: "many",
      texts: ["v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example"],
      discarded: [],
    });
  });

  it("joins character-strings without spaces", () => {
    const selection = selectTlsRptRecord([["v=TLSRPTv1; rua=mailto:tls", "rpt@example.com"]]);
    expect(selection).toMatchObject({
      kind: "one",
      parsed: { ok: true, record: { rua: ["mailto:tlsrpt@example.com"] } },
    });
  });
});

describe("renderTlsRptRecord", () => {
  it("writes a comma-separated rua list", () => {
    expect(renderTlsRptRecord(BOTH_DESTINATIONS)).toBe(
      "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://tlsrpt.example.net/v1/report",
    );
  });

  it("percent-encodes commas, exclamation marks and semicolons", () => {
    expect(renderTlsRptRecord(["https://r.example/a;b!c,d"])).toBe(
      "v=TLSRPTv1; rua=https://r.example/a%3Bb%21c%2Cd",
    );
  });

  it("parses back to the same destinations", () => {
    const parsed = parseTlsRptRecord(renderTlsRptRecord(BOTH_DESTINATIONS));
    expect(parsed).toEqual({
      ok: true,
      record: { rua: BOTH_DESTINATIONS, extensions: {} },
      warnings: [],
    });
  });

  it("rejects an empty list", () => {
    expect(() => renderTlsRptRecord([])).toThrow(
      "cannot render the _smtp._tls record: rua is empty; give at least one mailto: or https: URI",
    );
  });

  it("lists every invalid destination", () => {
    expect(() => renderTlsRptRecord(["tlsrpt@example.com", "http://r.example/x"])).toThrow(
      [
        "cannot render the _smtp._tls record:",
        '- rua has no URI scheme: "tlsrpt@example.com"; RFC 8460 section 3 needs a mailto: or https: URI, such as "mailto:tlsrpt@example.com"',
        '- rua "http://r.example/x" uses the unsupported scheme "http:"; RFC 8460 section 3 defines mailto: and https: only; use "https:"',
      ].join("\n"),
    );
  });

  it("rejects a DMARC size limit", () => {
    expect(() => renderTlsRptRecord(["mailto:x@y.example!10m"])).toThrow(
      'rua "mailto:x@y.example%2110m" has the invalid mail domain "y.example!10m"',
    );
  });
});

describe("tlsRptRecordName", () => {
  it("names _smtp._tls under the domain", () => {
    expect(tlsRptRecordName("example.com")).toBe("_smtp._tls.example.com");
  });
});
