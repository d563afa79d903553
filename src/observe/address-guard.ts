/**
 * Address guard for every outgoing connection (policy fetch, MX probe, NS-derived DNS
 * servers). A public name that resolves to an internal address must not turn an audit
 * into a probe of the network the tool runs in, so such addresses are rejected unless
 * the configuration allows them (tests and the offline demo do).
 *
 * Ranges come from the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890 and its updates).
 */

import { isIPv4, isIPv6 } from "node:net";

/** Category of an address that is not a public unicast address. */
export type AddressCategory =
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "unique-local"
  | "cgnat"
  | "multicast"
  | "documentation"
  | "reserved"
  | "invalid";

interface Range {
  prefix: number[];
  length: number;
  category: AddressCategory | "embedded-ipv4";
  /** Byte offset of the embedded IPv4 address for "embedded-ipv4" ranges. */
  ipv4Offset?: number;
}

const IPV4_RANGES: Range[] = [
  { prefix: [0, 0, 0, 0], length: 8, category: "unspecified" }, // "this network", RFC 791
  { prefix: [10, 0, 0, 0], length: 8, category: "private" }, // RFC 1918
  { prefix: [100, 64, 0, 0], length: 10, category: "cgnat" }, // shared address space, RFC 6598
  { prefix: [127, 0, 0, 0], length: 8, category: "loopback" },
  { prefix: [169, 254, 0, 0], length: 16, category: "link-local" }, // RFC 3927
  { prefix: [172, 16, 0, 0], length: 12, category: "private" },
  { prefix: [192, 0, 0, 0], length: 24, category: "reserved" }, // IETF protocol assignments
  { prefix: [192, 0, 2, 0], length: 24, category: "documentation" }, // TEST-NET-1, RFC 5737
  { prefix: [192, 88, 99, 0], length: 24, category: "reserved" }, // 6to4 relay anycast, RFC 7526
  { prefix: [192, 168, 0, 0], length: 16, category: "private" },
  { prefix: [198, 18, 0, 0], length: 15, category: "reserved" }, // benchmarking, RFC 2544
  { prefix: [198, 51, 100, 0], length: 24, category: "documentation" },
  { prefix: [203, 0, 113, 0], length: 24, category: "documentation" },
  { prefix: [224, 0, 0, 0], length: 4, category: "multicast" },
  { prefix: [240, 0, 0, 0], length: 4, category: "reserved" }, // includes 255.255.255.255
];

const IPV6_RANGES: Range[] = [
  { prefix: [], length: 128, category: "unspecified" }, // ::
  { prefix: [...zeros(15), 1], length: 128, category: "loopback" }, // ::1
  // IPv4-mapped (::ffff:0:0/96): the connection goes to the embedded IPv4 address.
  { prefix: [...zeros(10), 0xff, 0xff], length: 96, category: "embedded-ipv4", ipv4Offset: 12 },
  // NAT64 well-known prefix (RFC 6052): the translator connects to the embedded address.
  { prefix: [0, 0x64, 0xff, 0x9b], length: 96, category: "embedded-ipv4", ipv4Offset: 12 },
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 1], length: 48, category: "private" }, // local-use NAT64, RFC 8215
  { prefix: [], length: 96, category: "reserved" }, // IPv4-compatible, deprecated by RFC 4291
  { prefix: [1, 0], length: 64, category: "reserved" }, // discard-only, RFC 6666
  { prefix: [0x20, 0x01, 0, 2, 0, 0], length: 48, category: "reserved" }, // benchmarking, RFC 5180
  { prefix: [0x20, 0x01, 0x0d, 0xb8], length: 32, category: "documentation" }, // RFC 3849
  // 6to4 (RFC 3056): the packets reach the IPv4 address in bytes 2-5.
  { prefix: [0x20, 0x02], length: 16, category: "embedded-ipv4", ipv4Offset: 2 },
  { prefix: [0xfc], length: 7, category: "unique-local" }, // RFC 4193
  { prefix: [0xfe, 0x80], length: 10, category: "link-local" },
  { prefix: [0xfe, 0xc0], length: 10, category: "private" }, // site-local, deprecated by RFC 3879
  { prefix: [0xff], length: 8, category: "multicast" },
];

function zeros(count: number): number[] {
  return new Array<number>(count).fill(0);
}

/**
 * Returns the category of a non-public address, or null for a public unicast address.
 * IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address they carry.
 * A zone index ("fe80::1%eth0") is ignored.
 */
export function classifyAddress(address: string): AddressCategory | null {
  if (isIPv4(address)) {
    return classifyBytes(address.split(".").map(Number), IPV4_RANGES);
  }

  const bytes = parseIpv6(address);
  if (bytes === null) {
    return "invalid";
  }
  return classifyBytes(bytes, IPV6_RANGES);
}

function classifyBytes(bytes: number[], ranges: Range[]): AddressCategory | null {
  for (const range of ranges) {
    if (!matchesPrefix(bytes, range)) {
      continue;
    }
    if (range.category !== "embedded-ipv4") {
      return range.category;
    }
    const offset = range.ipv4Offset ?? 12;
    return classifyBytes(bytes.slice(offset, offset + 4), IPV4_RANGES);
  }
  return null;
}

function matchesPrefix(bytes: number[], range: Range): boolean {
  for (let bit = 0; bit < range.length; bit += 8) {
    const index = bit / 8;
    const expected = range.prefix[index] ?? 0;
    const bitsHere = Math.min(8, range.length - bit);
    const mask = (0xff << (8 - bitsHere)) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== (expected & mask)) {
      return false;
    }
  }
  return true;
}

/** Parses an IPv6 address (with an optional embedded IPv4 tail) into 16 bytes. */
function parseIpv6(text: string): number[] | null {
  const withoutZone = text.split("%")[0]!;
  if (!isIPv6(withoutZone)) {
    return null;
  }

  const [head = "", tail] = withoutZone.split("::");
  const headWords = head === "" ? [] : head.split(":").flatMap(expandIpv4Group);
  if (tail === undefined) {
    return headWords.flatMap((word) => [word >> 8, word & 0xff]);
  }

  const tailWords = tail === "" ? [] : tail.split(":").flatMap(expandIpv4Group);
  const missing = 8 - headWords.length - tailWords.length;
  const words = [...headWords, ...zeros(missing), ...tailWords];

  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/** Turns one colon-separated group into 16-bit words; a dotted IPv4 tail gives two. */
function expandIpv4Group(group: string): number[] {
  if (!group.includes(".")) {
    return [Number.parseInt(group, 16)];
  }
  const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/**
 * Checks one connection address against the guard. Returns null when the connection
 * may go ahead, else a one-line reason such as "127.0.0.1 is a loopback address".
 */
export function checkAddress(address: string, allowPrivateAddresses: boolean): string | null {
  const category = classifyAddress(address);
  if (category === null) {
    return null;
  }
  if (category === "invalid") {
    return `${JSON.stringify(address)} is not an IP address`;
  }
  if (allowPrivateAddresses) {
    return null;
  }
  return `${address} is ${describeCategory(category)} address`;
}

function describeCategory(category: Exclude<AddressCategory, "invalid">): string {
  switch (category) {
    case "unspecified":
      return "an unspecified";
    case "loopback":
      return "a loopback";
    case "private":
      return "a private";
    case "link-local":
      return "a link-local";
    case "unique-local":
      return "a unique-local";
    case "cgnat":
      return "a shared (CGNAT)";
    case "multicast":
      return "a multicast";
    case "documentation":
      return "a documentation";
    case "reserved":
      return "a reserved";
  }
}
