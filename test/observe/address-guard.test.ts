import { describe, expect, it } from "vitest";
import {
  type AddressCategory,
  checkAddress,
  classifyAddress,
} from "../../src/observe/address-guard.js";

const cases: [string, AddressCategory | null][] = [
  // IPv4
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["100.64.0.1", "cgnat"],
  ["100.127.255.254", "cgnat"],
  ["100.128.0.1", null],
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback"],
  ["169.254.169.254", "link-local"],
  ["172.15.255.255", null],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.1", null],
  ["192.0.0.8", "reserved"],
  ["192.0.2.10", "documentation"],
  ["192.88.99.1", "reserved"],
  ["192.168.1.1", "private"],
  ["198.18.0.1", "reserved"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["224.0.0.251", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "reserved"],
  ["8.8.8.8", null],
  ["93.184.216.34", null],
  // IPv6
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf:ffff::1", "link-local"],
  ["fec0::1", "private"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "documentation"],
  ["2001:2::1", "reserved"],
  ["100::1", "reserved"],
  ["::7f00:1", "reserved"],
  ["2606:4700:4700::1111", null],
  ["2a00:1450:4001:82b::200e", null],
  // IPv4 carried in IPv6
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::FFFF:10.1.2.3", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:8.8.8.8", null],
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::8.8.8.8", null],
  ["64:ff9b:1::1", "private"],
  ["2002:7f00:0001::1", "loopback"],
  ["2002:0808:0808::1", null],
  // Not addresses
  ["mta-sts.example.com", "invalid"],
  ["256.1.1.1", "invalid"],
  ["", "invalid"],
];

describe("classifyAddress", () => {
  it.each(cases)("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe("checkAddress", () => {
  it("rejects a loopback address by default", () => {
    expect(checkAddress("127.0.0.1", false)).toBe("127.0.0.1 is a loopback address");
  });

  it("allows a loopback address when private addresses are allowed", () => {
    expect(checkAddress("127.0.0.1", true)).toBeNull();
  });

  it("allows a public address", () => {
    expect(checkAddress("2606:4700:4700::1111", false)).toBeNull();
  });

  it("rejects a non-address even when private addresses are allowed", () => {
    expect(checkAddress("example.com", true)).toBe('"example.com" is not an IP address');
  });

  it("names the category of a mapped address", () => {
    expect(checkAddress("::ffff:192.168.0.1", false)).toBe(
      "::ffff:192.168.0.1 is a private address",
    );
  });
});
