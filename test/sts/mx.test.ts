import { describe, expect, it } from "vitest";
import {
  findMxPatternProblem,
  mxPatternMatches,
  normalizeHostName,
  uncoveredHosts,
  validateMxPattern,
} from "../../src/sts/mx.js";
import { parsePolicy } from "../../src/sts/policy.js";
import { caseFiles, readCaseJson } from "./fixtures.js";

const WILDCARD_RULE =
  'RFC 8461 section 4.1 allows one wildcard, as the whole left-most label ("*.example.com")';
const LDH_RULE = "RFC 5321 labels contain only letters, digits and inner hyphens";

describe("normalizeHostName", () => {
  it.each([
    ["MAIL.Example.COM", "mail.example.com"],
    ["mail.example.com.", "mail.example.com"],
    ["mail.example.com..", "mail.example.com."],
    ["*.Example.NET.", "*.example.net"],
    ["xn--BCHER-kva.example", "xn--bcher-kva.example"],
    ["", ""],
  ])("normalizes %j", (name, expected) => {
    expect(normalizeHostName(name)).toBe(expected);
  });

  it("lower-cases ASCII letters only", () => {
    expect(normalizeHostName("BÜCHER.example")).toBe("bÜcher.example");
  });
});

describe("mxPatternMatches", () => {
  it.each([
    // RFC 8461 section 4.1: the wildcard stands for exactly one left-most label.
    ["*.example.com", "mail.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "MAIL.Example.COM", true],
    ["*.example.com", ".example.com", false],
    ["*.example.com", "*.example.com", false],
    ["*.example.com", "mail.example.com.", true],
    ["*.EXAMPLE.com", "mail.example.COM", true],
    ["*.example.com.", "mail.example.com", true],
    ["mail.example.com", "mail.example.com", true],
    ["mail.example.com", "mail.example.com.", true],
    ["mail.example.com.", "mail.example.com", true],
    ["mail.example.com", "MAIL.EXAMPLE.COM", true],
    ["mail.example.com", "mail.example.com..", false],
    ["mail.example.com", "xmail.example.com", false],
    ["mail.example.com", "mail.example.com.attacker.test", false],
    ["mail.example.com", "a.mail.example.com", false],
    ["example.com", "mail.example.com", false],
    ["mail.example.com", "", false],
    // Patterns outside the grammar match nothing, whatever the host.
    [".example.com", "mail.example.com", false],
    [".example.com", ".example.com", false],
    ["*", "mail", false],
    ["*.*.example.com", "a.b.example.com", false],
    ["m*.example.com", "mail.example.com", false],
    ["", "", false],
  ])("%j against %j is %j", (pattern, host, expected) => {
    expect(mxPatternMatches(pattern, host)).toBe(expected);
  });
});

describe("validateMxPattern", () => {
  it.each([
    "mail.example.com",
    "*.example.net",
    "MAIL.Example.COM",
    "mx1.xn--bcher-kva.example",
    "a-b.example",
    "1mx.example",
    `${"a".repeat(63)}.example`,
    `${"a.".repeat(125)}ab`,
  ])("accepts %j", (pattern) => {
    expect(validateMxPattern(pattern)).toBeNull();
  });

  it.each([
    ["", 'mx pattern "" is empty; write a host name such as "mail.example.com"'],
    [
      "a.example, b.example",
      'mx pattern "a.example, b.example" contains a comma; write one mx line per pattern',
    ],
    [
      "mail example.com",
      'mx pattern "mail example.com" contains white space; write one host name per mx line',
    ],
    [
      ".example.com",
      'mx pattern ".example.com" has a leading dot, which is draft-era syntax; write "*.example.com" to match one label below "example.com"',
    ],
    [
      "192.0.2.25",
      'mx pattern "192.0.2.25" is an IP address literal (192.0.2.25); RFC 8461 section 3.2 allows only domain names, so list the MX host name',
    ],
    [
      "[192.0.2.25]",
      'mx pattern "[192.0.2.25]" is an IP address literal (192.0.2.25); RFC 8461 section 3.2 allows only domain names, so list the MX host name',
    ],
    [
      "2001:db8::25",
      'mx pattern "2001:db8::25" is an IP address literal (2001:db8::25); RFC 8461 section 3.2 allows only domain names, so list the MX host name',
    ],
    [
      "[IPv6:2001:db8::25]",
      'mx pattern "[IPv6:2001:db8::25]" is an IP address literal (2001:db8::25); RFC 8461 section 3.2 allows only domain names, so list the MX host name',
    ],
    [
      "*",
      'mx pattern "*" is a bare wildcard; "*" must be followed by a domain, as in "*.example.com" (RFC 8461 section 4.1)',
    ],
    [
      "*.*.example.net",
      'mx pattern "*.*.example.net" has more than one wildcard; RFC 8461 section 4.1 allows one, as the whole left-most label ("*.example.com")',
    ],
    [
      "*example.net",
      `mx pattern "*example.net" uses "*" outside the left-most label; ${WILDCARD_RULE}`,
    ],
    [
      "m*.example.net",
      `mx pattern "m*.example.net" uses "*" outside the left-most label; ${WILDCARD_RULE}`,
    ],
    [
      "mail.*.example.net",
      `mx pattern "mail.*.example.net" uses "*" outside the left-most label; ${WILDCARD_RULE}`,
    ],
    ["*.", 'mx pattern "*." has an empty label; check for doubled or stray dots'],
    [
      "mail..example.com",
      'mx pattern "mail..example.com" has an empty label; check for doubled or stray dots',
    ],
    [
      `${"a".repeat(64)}.example`,
      `mx pattern "${"a".repeat(64)}.example" has a label longer than 63 characters ("${"a".repeat(64)}")`,
    ],
    [`${"a.".repeat(126)}ab`, `mx pattern "${"a.".repeat(126)}ab" is longer than 253 characters`],
    ["mail_1.example.com", `mx pattern "mail_1.example.com" has the label "mail_1"; ${LDH_RULE}`],
    ["-mail.example.com", `mx pattern "-mail.example.com" has the label "-mail"; ${LDH_RULE}`],
    ["mail-.example.com", `mx pattern "mail-.example.com" has the label "mail-"; ${LDH_RULE}`],
    ["mail.example.com/", `mx pattern "mail.example.com/" has the label "com/"; ${LDH_RULE}`],
    [
      "mx1.bücher.example",
      'mx pattern "mx1.bücher.example" contains non-ASCII characters; RFC 8461 section 3.2 requires A-labels (Punycode), so write "mx1.xn--bcher-kva.example"',
    ],
    [
      "mail.example.com.",
      'mx pattern "mail.example.com." ends with a dot, which is not part of an RFC 5321 Domain; write "mail.example.com"',
    ],
    [
      "localhost",
      'mx pattern "localhost" is a single-label name, which is never a public MX host (ICANN forbids dotless domains); list the fully qualified MX host name',
    ],
    [
      "*.com",
      'mx pattern "*.com" would match every name directly under the top-level domain "com"; list the fully qualified MX host name',
    ],
  ])("rejects %j", (pattern, reason) => {
    expect(validateMxPattern(pattern)).toBe(reason);
  });
});

describe("findMxPatternProblem", () => {
  it.each([
    ["mail.example.com.", "warning"],
    ["localhost", "warning"],
    ["*.com", "warning"],
    [".example.com", "error"],
    ["mx1.bücher.example", "error"],
    ["*.*.example.com", "error"],
  ])("rates %j as %s", (pattern, severity) => {
    expect(findMxPatternProblem(pattern)?.severity).toBe(severity);
  });
});

describe("uncoveredHosts", () => {
  it("returns hosts that no pattern matches, in input order", () => {
    const patterns = ["mail.example.com", "*.example.net"];
    const hosts = ["b.b.example.net", "mail.example.com", "a.example.net", "backup.example.org"];

    expect(uncoveredHosts(patterns, hosts)).toEqual(["b.b.example.net", "backup.example.org"]);
  });

  it("lists a host once however it is spelt", () => {
    expect(uncoveredHosts([], ["MX.example.org", "mx.example.org.", "mx.example.org"])).toEqual([
      "MX.example.org",
    ]);
  });

  it("returns nothing when every host is covered", () => {
    expect(uncoveredHosts(["*.example.net"], ["a.example.net", "B.EXAMPLE.NET."])).toEqual([]);
  });
});

interface MxCase {
  policy: string;
  mx_hosts: string[];
}

// Expected verdicts per host, from the README of the shared cases (RFC 8461 section 4.1).
const MX_CASES: Record<string, Record<string, boolean>> = {
  "19-mx-wildcard-one-label.json": {
    "a.example.net": true,
    "a.b.example.net": false,
    "example.net": false,
    "mail.example.com": true,
    "MAIL.Example.COM": true,
    "mail.example.com.": true,
    "xmail.example.com": false,
    "mail.example.com.attacker.test": false,
  },
};

describe("mx case files", () => {
  it("have an expectation for each file", () => {
    const matchingFiles = caseFiles("mx").filter((name) => !name.includes("-render-"));
    expect(matchingFiles).toEqual(Object.keys(MX_CASES));
  });

  describe.each(Object.entries(MX_CASES))("%s", (file, verdicts) => {
    const data = readCaseJson<MxCase>(file);
    const parsed = parsePolicy(data.policy);

    it("parses the policy", () => {
      expect(parsed.errors).toEqual([]);
      expect(parsed.policy).toEqual({
        mode: "enforce",
        mx: ["*.example.net", "mail.example.com"],
        maxAge: 604800,
      });
    });

    it("lists every host in the table", () => {
      expect(data.mx_hosts).toEqual(Object.keys(verdicts));
    });

    it.each(Object.entries(verdicts))("host %j matches: %j", (host, expected) => {
      const patterns = parsed.policy?.mx ?? [];
      expect(patterns.some((pattern) => mxPatternMatches(pattern, host))).toBe(expected);
    });
  });
});
