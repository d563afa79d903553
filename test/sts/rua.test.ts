import { describe, expect, it } from "vitest";
import { encodeRuaUri, findRuaProblem, validateRua } from "../../src/sts/rua.js";

describe("validateRua", () => {
  it.each([
    "mailto:tlsrpt@example.com",
    "MAILTO:tlsrpt@example.com",
    "mailto:first.last+tls@mail.example.co.uk",
    "mailto:a%21b@example.com",
    "mailto:tls@example.com?subject=TLS%20report",
    "mailto:%22odd%20name%22@example.com",
    "https://tlsrpt.example.net/v1/report",
    "https://tlsrpt.example.net:8443/r?d=example.com",
    "HTTPS://TLSRPT.EXAMPLE.NET/",
  ])("accepts %j", (uri) => {
    expect(validateRua(uri)).toBeNull();
  });

  it.each([
    ["", "rua is empty; write a mailto: or https: URI"],
    [
      "tlsrpt@example.com",
      'rua has no URI scheme: "tlsrpt@example.com"; RFC 8460 section 3 needs a mailto: or https: URI, such as "mailto:tlsrpt@example.com"',
    ],
    [
      "tlsrpt.example.net/report",
      'rua has no URI scheme: "tlsrpt.example.net/report"; RFC 8460 section 3 needs a mailto: or https: URI',
    ],
    [
      "mailto:x@y!10m",
      'rua "mailto:x@y!10m" contains an unencoded "!"; RFC 8460 section 3 requires %21 inside a URI; the DMARC size limit suffix ("!10m") has no meaning in TLS-RPT, so remove it',
    ],
    [
      "mailto:tls@example.com!10m",
      'rua "mailto:tls@example.com!10m" contains an unencoded "!"; RFC 8460 section 3 requires %21 inside a URI; the DMARC size limit suffix ("!10m") has no meaning in TLS-RPT, so remove it',
    ],
    [
      "mailto:a!b@example.com",
      'rua "mailto:a!b@example.com" contains an unencoded "!"; RFC 8460 section 3 requires %21 inside a URI',
    ],
    [
      "https://r.example/a,b",
      'rua "https://r.example/a,b" contains an unencoded ","; RFC 8460 section 3 requires %2C inside a URI',
    ],
    [
      "https://r.example/a;b",
      'rua "https://r.example/a;b" contains an unencoded ";"; RFC 8460 section 3 requires %3B inside a URI',
    ],
    [
      "mailto:tls @example.com",
      'rua "mailto:tls @example.com" contains " ", which is not allowed in a URI (RFC 3986); percent-encode it',
    ],
    [
      "mailto:<tls@example.com>",
      'rua "mailto:<tls@example.com>" contains "<", which is not allowed in a URI (RFC 3986); percent-encode it',
    ],
    [
      "mailto:tls%4@example.com",
      'rua "mailto:tls%4@example.com" has a "%" that does not start a percent-encoded byte such as %40',
    ],
    ["mailto:", 'rua "mailto:" has no address after mailto:'],
    ["mailto:?to=tls@example.com", 'rua "mailto:?to=tls@example.com" has no address after mailto:'],
    [
      "mailto:example.com",
      'rua "mailto:example.com" has no "@" in its address; write mailto:local-part@domain',
    ],
    [
      "mailto:@example.com",
      'rua "mailto:@example.com" has the invalid local part "" (RFC 5322 section 3.4.1)',
    ],
    [
      "mailto:a..b@example.com",
      'rua "mailto:a..b@example.com" has the invalid local part "a..b" (RFC 5322 section 3.4.1)',
    ],
    ["mailto:tls@localhost", 'rua "mailto:tls@localhost" has the invalid mail domain "localhost"'],
    ["mailto:tls@192.0.2.1", 'rua "mailto:tls@192.0.2.1" has the invalid mail domain "192.0.2.1"'],
    [
      "mailto:tls@exa_mple.com",
      'rua "mailto:tls@exa_mple.com" has the invalid mail domain "exa_mple.com"',
    ],
    [
      "mailto:tls@example.com%FF",
      'rua "mailto:tls@example.com%FF" has a percent-encoded address that is not valid UTF-8',
    ],
    [
      "https:r.example/x",
      'rua "https:r.example/x" has no host; write "https://" followed by the host name',
    ],
    [
      "https://user:secret@r.example/x",
      'rua "https://user:secret@r.example/x" contains user information, which a public DNS record must not carry',
    ],
    [
      "http://r.example/x",
      'rua "http://r.example/x" uses the unsupported scheme "http:"; RFC 8460 section 3 defines mailto: and https: only; use "https:"',
    ],
    [
      "ftp://r.example/x",
      'rua "ftp://r.example/x" uses the unsupported scheme "ftp:"; RFC 8460 section 3 defines mailto: and https: only',
    ],
  ])("rejects %j", (uri, reason) => {
    expect(validateRua(uri)).toBe(reason);
  });
});

describe("findRuaProblem", () => {
  it.each([
    ["http://r.example/x", "warning"],
    ["ftp://r.example/x", "warning"],
    ["tlsrpt@example.com", "error"],
    ["mailto:x@y!10m", "error"],
  ])("rates %j as %s", (uri, severity) => {
    expect(findRuaProblem(uri)?.severity).toBe(severity);
  });
});

describe("encodeRuaUri", () => {
  it.each([
    ["mailto:a,b@example.com", "mailto:a%2Cb@example.com"],
    ["https://r.example/a;b!c,d", "https://r.example/a%3Bb%21c%2Cd"],
    ["mailto:tls@example.com", "mailto:tls@example.com"],
  ])("encodes %j", (uri, expected) => {
    expect(encodeRuaUri(uri)).toBe(expected);
  });
});
