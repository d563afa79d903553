import { describe, expect, it } from "vitest";
import { formatEndpoint, parseConnectTarget, parseEndpoint } from "../../src/observe/endpoint.js";

describe("parseEndpoint", () => {
  it.each([
    ["127.0.0.1:5353", undefined, { address: "127.0.0.1", port: 5353 }],
    ["127.0.0.1", 53, { address: "127.0.0.1", port: 53 }],
    ["[::1]:53", undefined, { address: "::1", port: 53 }],
    ["::1", 53, { address: "::1", port: 53 }],
    ["[2001:db8::53]", 53, { address: "2001:db8::53", port: 53 }],
  ])("%s parses", (text, defaultPort, expected) => {
    expect(parseEndpoint(text, defaultPort)).toEqual(expected);
  });

  it.each([
    ["dns.example.com:53", /not an IP address/],
    ["127.0.0.1:0", /from 1 to 65535/],
    ["127.0.0.1:70000", /from 1 to 65535/],
    ["127.0.0.1:dns", /from 1 to 65535/],
    ["127.0.0.1", /from 1 to 65535/],
  ])("%s is rejected", (text, message) => {
    expect(() => parseEndpoint(text)).toThrow(message);
  });
});

describe("formatEndpoint", () => {
  it("brackets IPv6", () => {
    expect(formatEndpoint({ address: "::1", port: 53 })).toBe("[::1]:53");
  });

  it("leaves IPv4 bare", () => {
    expect(formatEndpoint({ address: "127.0.0.1", port: 443 })).toBe("127.0.0.1:443");
  });
});

describe("parseConnectTarget", () => {
  it("reads address and port", () => {
    expect(parseConnectTarget("a:443", "127.0.0.1:8443")).toEqual({
      kind: "endpoint",
      endpoint: { address: "127.0.0.1", port: 8443 },
    });
  });

  it("reads a port alone", () => {
    expect(parseConnectTarget("a:443", ":8443")).toEqual({ kind: "port", port: 8443 });
  });

  it("names the entry when malformed", () => {
    expect(() => parseConnectTarget("mta-sts.example.com:443", "localhost:8443")).toThrow(
      /invalid connect-to entry "mta-sts.example.com:443": "localhost:8443"/,
    );
  });
});
