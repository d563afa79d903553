import { describe, expect, it } from "vitest";
import {
  formatSocketAddress,
  normalizeConnectTarget,
  parseHostPort,
  parseSocketAddress,
} from "../../src/config/addresses.js";
import { findDomainNameProblem } from "../../src/config/domain-name.js";
import { formatConfigError } from "../../src/config/errors.js";
import { closestMatch } from "../../src/config/suggest.js";

describe("formatConfigError", () => {
  it("includes line and column", () => {
    const line = formatConfigError({
      file: "domains/a.example.yaml",
      line: 3,
      column: 7,
      message: "m",
      severity: "error",
    });
    expect(line).toBe("domains/a.example.yaml:3:7: error: m");
  });

  it("omits position zero", () => {
    const line = formatConfigError({
      file: "domains",
      line: 0,
      column: 0,
      message: "m",
      severity: "warning",
    });
    expect(line).toBe("domains: warning: m");
  });
});

describe("closestMatch", () => {
  const keys = ["domain", "state", "mta_sts", "tls_rpt", "dns", "policy_host", "promotion"];

  it.each([
    ["typo", "polcy_host", "policy_host"],
    ["hyphen for underscore", "tls-rpt", "tls_rpt"],
    ["transposition", "stae", "state"],
    ["prefix", "promo", "promotion"],
    ["case", "DNS", "dns"],
    ["unrelated", "certificate", null],
    ["short word", "do", null],
  ])("%s", (_name, value, expected) => {
    expect(closestMatch(value, keys)).toBe(expected);
  });
});

describe("findDomainNameProblem", () => {
  it.each([
    ["plain", "example.com", null],
    ["subdomain", "mail.example.co.uk", null],
    ["a-label", "xn--bcher-kva.example", null],
    [
      "u-label",
      "bücher.example",
      'domain "bücher.example" contains non-ASCII characters; write the A-label form "xn--bcher-kva.example" in the domain key and the file name',
    ],
    [
      "trailing dot",
      "example.com.",
      'domain "example.com." ends with a dot; write "example.com" without it',
    ],
    [
      "upper case",
      "Example.com",
      'domain "Example.com" contains upper-case letters; write "example.com" in the domain key and the file name',
    ],
    [
      "single label",
      "localhost",
      'domain "localhost" has a single label; write the fully qualified name, such as "example.com"',
    ],
    [
      "empty label",
      "a..example",
      'domain "a..example" has an empty label; check for doubled or stray dots',
    ],
    [
      "underscore",
      "a_b.example",
      'domain "a_b.example" has the label "a_b"; labels contain only letters, digits and inner hyphens',
    ],
    [
      "leading hyphen",
      "-a.example",
      'domain "-a.example" has the label "-a"; labels contain only letters, digits and inner hyphens',
    ],
    [
      "wildcard",
      "*.example.com",
      'domain "*.example.com" is a wildcard; declare each policy domain in its own file',
    ],
    ["empty", "", "domain must not be empty"],
  ])("%s", (_name, name, expected) => {
    expect(findDomainNameProblem(name)).toBe(expected);
  });
});

describe("parseSocketAddress", () => {
  it.each([
    ["ipv4 with port", "192.0.2.1:5353", { address: "192.0.2.1", port: 5353 }],
    ["ipv4 default port", "192.0.2.1", { address: "192.0.2.1", port: 53 }],
    ["bare ipv6", "2001:db8::1", { address: "2001:db8::1", port: 53 }],
    ["bracketed ipv6 with port", "[2001:db8::1]:8053", { address: "2001:db8::1", port: 8053 }],
    ["bracketed ipv6 default port", "[::1]", { address: "::1", port: 53 }],
    ["host name", "dns.google:53", null],
    ["port zero", "192.0.2.1:0", null],
    ["port too large", "192.0.2.1:65536", null],
    ["port not a number", "192.0.2.1:dns", null],
    ["empty", "", null],
  ])("%s", (_name, text, expected) => {
    expect(parseSocketAddress(text, 53)).toEqual(expected);
  });

  it("requires a port without a default", () => {
    expect(parseSocketAddress("127.0.0.1", null)).toBeNull();
  });
});

describe("parseHostPort", () => {
  it.each([
    ["name", "MTA-STS.Example.com:443", { host: "mta-sts.example.com", port: 443 }],
    ["ipv4", "192.0.2.1:25", { host: "192.0.2.1", port: 25 }],
    ["ipv6", "[::1]:25", { host: "::1", port: 25 }],
    ["no port", "mta-sts.example.com", null],
    ["bad name", "mta sts.example.com:443", null],
  ])("%s", (_name, text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it("formats ipv6 with brackets", () => {
    expect(formatSocketAddress("::1", 25)).toBe("[::1]:25");
  });
});

describe("normalizeConnectTarget", () => {
  it.each([
    ["ipv4", "127.0.0.1:8443", "127.0.0.1:8443"],
    ["ipv6", "[::1]:8443", "[::1]:8443"],
    ["port only", ":2525", ":2525"],
    ["no port", "127.0.0.1", null],
    ["host name", "localhost:8443", null],
    ["bad port only", ":0", null],
  ])("%s", (_name, text, expected) => {
    expect(normalizeConnectTarget(text)).toBe(expected);
  });
});
