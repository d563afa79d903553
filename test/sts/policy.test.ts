import { describe, expect, it } from "vitest";
import {
  MAX_AGE_MAX,
  type Mode,
  type Policy,
  PolicyRenderError,
  parsePolicy,
  policiesEqual,
  policyHostName,
  policyUrl,
  renderPolicy,
} from "../../src/sts/policy.js";
import { caseFiles, readCaseJson } from "./fixtures.js";

interface RenderCase {
  render: { mode: Mode; max_age: number; mx: string[] };
  invalid_mx_inputs: string[];
}

const RENDER_CASE = "22-mx-render-wildcard-patterns.json";

/** Returns the problems of the PolicyRenderError that renderPolicy throws for `policy`. */
function renderProblems(policy: Policy): string[] {
  try {
    renderPolicy(policy);
  } catch (error) {
    if (error instanceof PolicyRenderError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error("renderPolicy did not throw");
}

describe("renderPolicy", () => {
  it("writes CRLF lines in a fixed order", () => {
    const text = renderPolicy({
      mode: "testing",
      mx: ["mx1.example.com", "*.mx.example.net"],
      maxAge: 604800,
    });

    expect(text).toBe(
      "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: *.mx.example.net\r\nmax_age: 604800\r\n",
    );
  });

  it("writes mode none without mx lines", () => {
    expect(renderPolicy({ mode: "none", mx: [], maxAge: 86400 })).toBe(
      "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n",
    );
  });

  it.each([0, MAX_AGE_MAX])("accepts max_age %d", (maxAge) => {
    expect(renderPolicy({ mode: "none", mx: [], maxAge })).toContain(`max_age: ${maxAge}\r\n`);
  });

  it.each([
    [
      MAX_AGE_MAX + 1,
      "max_age must be at most 31557600 seconds (365.25 days, RFC 8461 section 3.2), found 31557601",
    ],
    [-1, "max_age must be a whole number of seconds from 0 to 31557600, found -1"],
    [1.5, "max_age must be a whole number of seconds from 0 to 31557600, found 1.5"],
    [Number.NaN, "max_age must be a whole number of seconds from 0 to 31557600, found NaN"],
  ])("rejects max_age %d", (maxAge, problem) => {
    expect(renderProblems({ mode: "none", mx: [], maxAge })).toEqual([problem]);
  });

  it("rejects enforce without mx", () => {
    expect(renderProblems({ mode: "enforce", mx: [], maxAge: 1 })).toEqual([
      'mx is required: mode "enforce" needs at least one mx pattern',
    ]);
  });

  it("rejects a mode outside the three", () => {
    const policy = { mode: "report", mx: ["mail.example.com"], maxAge: 1 } as unknown as Policy;
    expect(renderProblems(policy)).toEqual([
      'mode must be "enforce", "testing" or "none", found "report"; "report" is the draft-era name of "testing", so write "mode: testing"',
    ]);
  });

  it("lists every problem in one error", () => {
    const policy: Policy = { mode: "enforce", mx: ["*", "ok.example", "a..b"], maxAge: 31557601 };

    expect(() => renderPolicy(policy)).toThrow(
      [
        "cannot render the MTA-STS policy:",
        '- mx pattern "*" is a bare wildcard; "*" must be followed by a domain, as in "*.example.com" (RFC 8461 section 4.1)',
        '- mx pattern "a..b" has an empty label; check for doubled or stray dots',
        "- max_age must be at most 31557600 seconds (365.25 days, RFC 8461 section 3.2), found 31557601",
      ].join("\n"),
    );
  });

  it.each(["mail.example.com.", "localhost", ".example.com"])("rejects mx %j", (pattern) => {
    expect(renderProblems({ mode: "enforce", mx: [pattern], maxAge: 1 })).toHaveLength(1);
  });

  it("renders what parsePolicy reads back", () => {
    const policy: Policy = {
      mode: "enforce",
      mx: ["mail.example.com", "*.example.net"],
      maxAge: 604800,
    };
    const parsed = parsePolicy(renderPolicy(policy));

    expect(parsed.policy).toEqual(policy);
    expect([...parsed.errors, ...parsed.warnings, ...parsed.info]).toEqual([]);
  });
});

describe("render case file", () => {
  const data = readCaseJson<RenderCase>(RENDER_CASE);

  it("is the only render case", () => {
    expect(caseFiles("mx").filter((name) => name.includes("-render-"))).toEqual([RENDER_CASE]);
  });

  it("renders the wildcard patterns", () => {
    const text = renderPolicy({
      mode: data.render.mode,
      mx: data.render.mx,
      maxAge: data.render.max_age,
    });

    expect(text).toBe(
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
    );
  });

  it("lists the invalid inputs the table checks", () => {
    expect(data.invalid_mx_inputs).toEqual([
      "*example.net",
      "mail.*.example.net",
      "*.*.example.net",
      "*",
      "mail.example.com/",
      "mx1.b\u00fccher.example",
    ]);
  });

  it.each([
    [
      "*example.net",
      'mx pattern "*example.net" uses "*" outside the left-most label; RFC 8461 section 4.1 allows one wildcard, as the whole left-most label ("*.example.com")',
    ],
    [
      "mail.*.example.net",
      'mx pattern "mail.*.example.net" uses "*" outside the left-most label; RFC 8461 section 4.1 allows one wildcard, as the whole left-most label ("*.example.com")',
    ],
    [
      "*.*.example.net",
      'mx pattern "*.*.example.net" has more than one wildcard; RFC 8461 section 4.1 allows one, as the whole left-most label ("*.example.com")',
    ],
    [
      "*",
      'mx pattern "*" is a bare wildcard; "*" must be followed by a domain, as in "*.example.com" (RFC 8461 section 4.1)',
    ],
    [
      "mail.example.com/",
      'mx pattern "mail.example.com/" has the label "com/"; RFC 5321 labels contain only letters, digits and inner hyphens',
    ],
    [
      "mx1.b\u00fccher.example",
      'mx pattern "mx1.bücher.example" contains non-ASCII characters; RFC 8461 section 3.2 requires A-labels (Punycode), so write "mx1.xn--bcher-kva.example"',
    ],
  ])("rejects %j", (pattern, problem) => {
    const policy: Policy = { mode: "enforce", mx: ["mail.example.com", pattern], maxAge: 604800 };
    expect(renderProblems(policy)).toEqual([problem]);
  });
});

describe("policiesEqual", () => {
  const base: Policy = { mode: "enforce", mx: ["a.example", "*.b.example"], maxAge: 86400 };

  it.each<[string, Policy, boolean]>([
    ["the same policy", { ...base }, true],
    ["mx in another order", { ...base, mx: ["*.b.example", "a.example"] }, true],
    ["mx in another case", { ...base, mx: ["A.EXAMPLE", "*.B.example"] }, true],
    ["a repeated mx", { ...base, mx: ["a.example", "*.b.example", "a.example"] }, true],
    ["another mode", { ...base, mode: "testing" }, false],
    ["another max_age", { ...base, maxAge: 86401 }, false],
    ["a missing mx", { ...base, mx: ["a.example"] }, false],
    ["an extra mx", { ...base, mx: [...base.mx, "c.example"] }, false],
    ["a trailing dot", { ...base, mx: ["a.example.", "*.b.example"] }, false],
  ])("compares %s", (_name, other, expected) => {
    expect(policiesEqual(base, other)).toBe(expected);
    expect(policiesEqual(other, base)).toBe(expected);
  });
});

describe("policy host", () => {
  it("names mta-sts under the domain", () => {
    expect(policyHostName("example.com")).toBe("mta-sts.example.com");
  });

  it("builds the well-known URL", () => {
    expect(policyUrl("example.com")).toBe("https://mta-sts.example.com/.well-known/mta-sts.txt");
  });
});
