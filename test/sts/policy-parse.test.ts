import { describe, expect, it } from "vitest";
import { type PolicyParse, type PolicyProblem, parsePolicy } from "../../src/sts/policy.js";
import { caseFiles, readCase } from "./fixtures.js";

const LF_INFO: PolicyProblem = {
  line: null,
  key: null,
  message:
    "lines end with LF, which RFC 8461 section 3.2 allows; some validators still expect CRLF because the prose of that section specifies CRLF",
};

const extensionInfo = (line: number, key: string): PolicyProblem => ({
  line,
  key,
  message: `unknown field "${key}" is an extension and senders ignore it (RFC 8461 section 3.2)`,
});

/** Joins lines with CRLF and a final CRLF, as the renderer writes them. */
const crlf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join("");

const VALID_FIELDS = ["version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 604800"];

// Expected results per case file, from the README of the shared cases.
const POLICY_CASES: Record<string, PolicyParse> = {
  "01-policy-lf-line-endings.txt": {
    policy: { mode: "enforce", mx: ["mail.example.com", "*.example.net"], maxAge: 604800 },
    errors: [],
    warnings: [],
    info: [LF_INFO],
    extensions: {},
  },
  "02-policy-crlf-line-endings.txt": {
    policy: { mode: "enforce", mx: ["mail.example.com", "*.example.net"], maxAge: 604800 },
    errors: [],
    warnings: [],
    info: [],
    extensions: {},
  },
  "05-policy-mx-key-typo-nmx.txt": {
    policy: null,
    errors: [
      {
        line: null,
        key: "mx",
        message:
          'mx is required: mode "enforce" needs at least one mx line (RFC 8461 section 3.2); the extension field "nmx" may be a misspelt "mx"',
      },
    ],
    warnings: [],
    info: [extensionInfo(3, "nmx"), LF_INFO],
    extensions: { nmx: "mx0.example.net" },
  },
  "07-policy-extension-fields-with-colons.txt": {
    policy: { mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 },
    errors: [],
    warnings: [],
    info: [extensionInfo(5, "x-contact"), extensionInfo(6, "renewal_note")],
    extensions: {
      "x-contact": "https://www.example.com/mta-sts-help",
      renewal_note: "rotate: yearly",
    },
  },
  "09-policy-missing-mode.txt": {
    policy: null,
    errors: [
      {
        line: null,
        key: "mode",
        message:
          'mode is missing; add "mode: testing", "mode: enforce" or "mode: none" (there is no default)',
      },
    ],
    warnings: [],
    info: [LF_INFO],
    extensions: {},
  },
  "10-policy-wrong-version-string.txt": {
    policy: null,
    errors: [{ line: 1, key: "version", message: 'version must be "STSv1", found "MTA-STSv1"' }],
    warnings: [],
    info: [LF_INFO],
    extensions: {},
  },
};

describe("policy case files", () => {
  it("have an expectation for each file", () => {
    expect(caseFiles("policy")).toEqual(Object.keys(POLICY_CASES));
  });

  it.each(Object.entries(POLICY_CASES))("%s", (file, expected) => {
    expect(parsePolicy(readCase(file))).toEqual(expected);
  });
});

describe("parsePolicy line endings", () => {
  it.each([
    ["LF", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n"],
    ["CRLF", crlf(...VALID_FIELDS)],
    ["mixed", "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age: 604800\n"],
    [
      "LF without final newline",
      "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800",
    ],
    ["CRLF without final newline", crlf(...VALID_FIELDS).slice(0, -2)],
  ])("accepts %s", (_name, text) => {
    const parsed = parsePolicy(text);

    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 });
  });

  it("reports mixed endings as info", () => {
    const parsed = parsePolicy("version: STSv1\r\nmode: none\nmax_age: 1\n");
    expect(parsed.info).toEqual([
      {
        line: null,
        key: null,
        message: "line endings mix LF (2) and CRLF (1); RFC 8461 section 3.2 allows both",
      },
    ]);
  });

  it("reports nothing for CRLF endings", () => {
    expect(parsePolicy(crlf(...VALID_FIELDS)).info).toEqual([]);
  });

  it("rejects a bare CR", () => {
    const parsed = parsePolicy(
      "version: STSv1\rmode: enforce\rmx: mail.example.com\rmax_age: 604800\r",
    );

    expect(parsed.policy).toBeNull();
    expect(parsed.errors[0]).toEqual({
      line: 1,
      key: null,
      message:
        "line contains a carriage return (CR) without a line feed; RFC 8461 section 3.2 ends lines with LF or CRLF only, so a bare CR does not end a line",
    });
  });
});

describe("parsePolicy lenient layout", () => {
  it("warns about white space before the colon", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "mode: none", "mx : a.example", "max_age: 1"),
    );

    expect(parsed.policy).toEqual({ mode: "none", mx: ["a.example"], maxAge: 1 });
    expect(parsed.warnings).toEqual([
      {
        line: 3,
        key: "mx",
        message:
          'white space between "mx" and the colon; the RFC 8461 section 3.2 grammar has none, so write "mx:"',
      },
    ]);
  });

  it("warns about white space at the start of a line", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "mode: none", "\t mx: a.example", "max_age: 1"),
    );

    expect(parsed.policy).toEqual({ mode: "none", mx: ["a.example"], maxAge: 1 });
    expect(parsed.warnings).toEqual([
      {
        line: 3,
        key: "mx",
        message:
          'white space before "mx" at the start of the line; the RFC 8461 section 3.2 grammar has none, so remove it',
      },
    ]);
  });

  it("warns about blank lines", () => {
    const parsed = parsePolicy(crlf("version: STSv1", "", "mode: none", " \t", "max_age: 1", ""));
    const blank = (line: number): PolicyProblem => ({
      line,
      key: null,
      message:
        "blank line; the RFC 8461 section 3.2 grammar has no blank lines between fields, so remove it",
    });

    expect(parsed.policy).toEqual({ mode: "none", mx: [], maxAge: 1 });
    expect(parsed.warnings).toEqual([blank(2), blank(4), blank(6)]);
  });

  it("warns about a byte order mark", () => {
    const parsed = parsePolicy(`\uFEFF${crlf(...VALID_FIELDS)}`);

    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 });
    expect(parsed.warnings).toEqual([
      {
        line: 1,
        key: null,
        message:
          "policy starts with a byte order mark (U+FEFF); remove it, because strict parsers then read the first key as an unknown field",
      },
    ]);
  });

  it("accepts a value without a space after the colon", () => {
    const parsed = parsePolicy(
      crlf("version:STSv1", "mode:enforce", "mx:mail.example.com", "max_age:86400"),
    );
    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 86400 });
  });

  it("trims white space after a value", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1 ", "mode: enforce\t", "mx: mail.example.com ", "max_age: 60 "),
    );
    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 60 });
  });
});

describe("parsePolicy structure errors", () => {
  it.each(["", "\r\n", "\n\n \n"])("rejects the empty body %j", (text) => {
    expect(parsePolicy(text).errors).toEqual([
      {
        line: null,
        key: null,
        message: "policy file is empty; it needs version, mode, mx and max_age lines",
      },
    ]);
  });

  it("rejects a line without a colon", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "<html>"));
    expect(parsed.errors).toEqual([
      { line: 5, key: null, message: 'line "<html>" has no colon; policy lines read "key: value"' },
    ]);
  });

  it("rejects an invalid field name", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "max age: 5"));
    expect(parsed.errors).toEqual([
      {
        line: 5,
        key: null,
        message:
          'field name "max age" is invalid; names are 1-32 letters, digits, "_", "-" or ".", starting with a letter or digit',
      },
    ]);
  });

  it("never sets a policy next to an error", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "junk"));
    expect(parsed.policy).toBeNull();
  });
});

describe("parsePolicy version", () => {
  it("requires the version line", () => {
    const parsed = parsePolicy(crlf("mode: enforce", "mx: mail.example.com", "max_age: 604800"));
    expect(parsed.errors).toEqual([
      { line: null, key: "version", message: 'version is missing; add the line "version: STSv1"' },
    ]);
  });

  it.each(["STSv2", "stsv1", "MTA-STSv1", ""])("rejects version %j", (value) => {
    const parsed = parsePolicy(crlf(`version: ${value}`, "mode: none", "max_age: 1"));
    expect(parsed.errors).toEqual([
      {
        line: 1,
        key: "version",
        message: `version must be "STSv1", found ${JSON.stringify(value)}`,
      },
    ]);
  });
});

describe("parsePolicy mode", () => {
  const withMode = (value: string) =>
    parsePolicy(crlf("version: STSv1", `mode: ${value}`, "mx: mail.example.com", "max_age: 1"));
  const found = (value: string) =>
    `mode must be "enforce", "testing" or "none", found ${JSON.stringify(value)}`;

  it.each(["enforce", "testing", "none"])("accepts %j", (value) => {
    expect(withMode(value).policy?.mode).toBe(value);
  });

  it.each([
    [
      "report",
      `${found("report")}; "report" is the draft-era name of "testing", so write "mode: testing"`,
    ],
    ["Enforce", `${found("Enforce")}; the value is case-sensitive, so write "mode: enforce"`],
    ["TESTING", `${found("TESTING")}; the value is case-sensitive, so write "mode: testing"`],
    ["enforced", found("enforced")],
    ["", found("")],
  ])("rejects %j", (value, message) => {
    expect(withMode(value).errors).toEqual([{ line: 2, key: "mode", message }]);
  });

  it("warns that field names are case-sensitive", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "Mode: enforce", "mx: mail.example.com", "max_age: 1"),
    );

    expect(parsed.policy).toBeNull();
    expect(parsed.warnings).toEqual([
      {
        line: 2,
        key: "Mode",
        message:
          'field "Mode" is not "mode"; field names are case-sensitive, so this line is an extension and is ignored',
      },
    ]);
    expect(parsed.errors.map((error) => error.key)).toEqual(["mode"]);
  });
});

describe("parsePolicy max_age", () => {
  const withMaxAge = (value: string) =>
    parsePolicy(crlf("version: STSv1", "mode: none", `max_age: ${value}`));
  const rangeMessage = (value: string) =>
    `max_age must be a whole number of seconds (1 to 10 digits) from 0 to 31557600, found ${JSON.stringify(value)}`;

  it.each([
    ["86400", 86400],
    ["31557600", 31557600],
    ["0086400", 86400],
    ["1", 1],
  ])("accepts %j", (value, expected) => {
    const parsed = withMaxAge(value);

    expect(parsed.warnings).toEqual([]);
    expect(parsed.policy?.maxAge).toBe(expected);
  });

  it("accepts 0 with a warning", () => {
    const parsed = withMaxAge("0");

    expect(parsed.policy?.maxAge).toBe(0);
    expect(parsed.warnings).toEqual([
      {
        line: 3,
        key: "max_age",
        message:
          "max_age is 0, so senders cannot cache the policy and an attacker who blocks the fetch disables it",
      },
    ]);
  });

  it.each([
    [
      "31557601",
      "max_age must be at most 31557600 seconds (365.25 days, RFC 8461 section 3.2), found 31557601",
    ],
    [
      "9999999999",
      "max_age must be at most 31557600 seconds (365.25 days, RFC 8461 section 3.2), found 9999999999",
    ],
    ["12345678901", rangeMessage("12345678901")],
    ["-1", rangeMessage("-1")],
    ["1e6", rangeMessage("1e6")],
    ["86400s", rangeMessage("86400s")],
    ["86 400", rangeMessage("86 400")],
    ["", rangeMessage("")],
  ])("rejects %j", (value, message) => {
    expect(withMaxAge(value).errors).toEqual([{ line: 3, key: "max_age", message }]);
  });

  it("requires max_age", () => {
    expect(parsePolicy(crlf("version: STSv1", "mode: none")).errors).toEqual([
      {
        line: null,
        key: "max_age",
        message: 'max_age is missing; add a line such as "max_age: 604800" (seconds)',
      },
    ]);
  });
});

describe("parsePolicy mx", () => {
  it.each(["enforce", "testing"])("requires mx under %s", (mode) => {
    const parsed = parsePolicy(crlf("version: STSv1", `mode: ${mode}`, "max_age: 1"));
    expect(parsed.errors).toEqual([
      {
        line: null,
        key: "mx",
        message: `mx is required: mode "${mode}" needs at least one mx line (RFC 8461 section 3.2)`,
      },
    ]);
  });

  it("needs no mx under none", () => {
    const parsed = parsePolicy(crlf("version: STSv1", "mode: none", "max_age: 1"));
    expect(parsed.policy).toEqual({ mode: "none", mx: [], maxAge: 1 });
  });

  it("collects every mx line in order", () => {
    const parsed = parsePolicy(
      crlf(
        "version: STSv1",
        "mode: testing",
        "mx: b.example",
        "max_age: 1",
        "mx: *.a.example",
        "mx: c.example",
      ),
    );
    expect(parsed.policy?.mx).toEqual(["b.example", "*.a.example", "c.example"]);
  });

  it("keeps a repeated pattern and reports it as info", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "mode: testing", "mx: a.example", "mx: A.example", "max_age: 1"),
    );

    expect(parsed.policy?.mx).toEqual(["a.example", "A.example"]);
    expect(parsed.info).toEqual([
      { line: 4, key: "mx", message: 'mx pattern "A.example" repeats the pattern on line 3' },
    ]);
  });

  it.each([
    [
      "a.example, b.example",
      'mx pattern "a.example, b.example" contains a comma; write one mx line per pattern',
    ],
    [
      ".example.net",
      'mx pattern ".example.net" has a leading dot, which is draft-era syntax; write "*.example.net" to match one label below "example.net"',
    ],
    [
      "bücher.example",
      'mx pattern "bücher.example" contains non-ASCII characters; RFC 8461 section 3.2 requires A-labels (Punycode), so write "xn--bcher-kva.example"',
    ],
    ["", 'mx pattern "" is empty; write a host name such as "mail.example.com"'],
  ])("rejects mx %j", (value, message) => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "mode: enforce", `mx: ${value}`, "max_age: 1"),
    );
    expect(parsed.errors).toEqual([{ line: 3, key: "mx", message }]);
  });

  it("accepts an mx with a trailing dot and warns", () => {
    const parsed = parsePolicy(
      crlf("version: STSv1", "mode: enforce", "mx: mail.example.com.", "max_age: 1"),
    );

    expect(parsed.policy?.mx).toEqual(["mail.example.com."]);
    expect(parsed.warnings).toEqual([
      {
        line: 3,
        key: "mx",
        message:
          'mx pattern "mail.example.com." ends with a dot, which is not part of an RFC 5321 Domain; write "mail.example.com"',
      },
    ]);
  });
});

describe("parsePolicy duplicates and extensions", () => {
  it.each([
    [
      ["mode: testing", "mode: enforce"],
      "mode",
      "testing",
      'the first value (line 2, "testing") is used and "enforce" is ignored',
    ],
    [
      ["max_age: 100", "max_age: 200"],
      "max_age",
      100,
      'the first value (line 2, "100") is used and "200" is ignored',
    ],
  ])("keeps the first of %j", (lines, key, expected, detail) => {
    const parsed = parsePolicy(
      crlf("version: STSv1", ...lines, "mode: none", "max_age: 1", "mx: a.example"),
    );
    const field = key === "mode" ? parsed.policy?.mode : parsed.policy?.maxAge;

    expect(field).toBe(expected);
    expect(parsed.warnings[0]).toEqual({
      line: 3,
      key,
      message: `duplicate field "${key}"; ${detail} (RFC 8461 section 3.2)`,
    });
  });

  it("keeps the first of a duplicated version, even when it is invalid", () => {
    const parsed = parsePolicy(
      crlf("version: STSv2", "version: STSv1", "mode: none", "max_age: 1"),
    );
    expect(parsed.errors).toEqual([
      { line: 1, key: "version", message: 'version must be "STSv1", found "STSv2"' },
    ]);
  });

  it("ignores unknown fields", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "foo: bar", "x.y_z-1: a b:c"));

    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 });
    expect(parsed.extensions).toEqual({ foo: "bar", "x.y_z-1": "a b:c" });
    expect(parsed.info).toEqual([extensionInfo(5, "foo"), extensionInfo(6, "x.y_z-1")]);
  });

  it("keeps the first of a duplicated extension", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "foo: 1", "foo: 2"));
    expect(parsed.extensions).toEqual({ foo: "1" });
  });

  it("accepts UTF-8 in an extension value", () => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, "note: grüße"));

    expect(parsed.extensions).toEqual({ note: "grüße" });
    expect(parsed.warnings).toEqual([]);
  });

  it.each([
    ["", "empty"],
    ["a\u0001b", "control character"],
  ])("warns about an extension value %j (%s)", (value) => {
    const parsed = parsePolicy(crlf(...VALID_FIELDS, `foo:${value}`));

    expect(parsed.policy).not.toBeNull();
    expect(parsed.warnings).toEqual([
      {
        line: 5,
        key: "foo",
        message: `extension "foo" has the invalid value ${JSON.stringify(value)}; a value is non-empty and contains no control characters`,
      },
    ]);
  });

  it("accepts the fields in any order", () => {
    const parsed = parsePolicy(
      crlf("max_age: 604800", "mx: mail.example.com", "mode: enforce", "version: STSv1"),
    );
    expect(parsed.policy).toEqual({ mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 });
  });
});
