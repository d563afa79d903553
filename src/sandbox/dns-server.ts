/**
 * Authoritative DNS server on loopback, UDP and TCP on one port, serving zones from
 * memory. Tests, the offline demo and the benchmark point the DNS client at it, as a
 * resolver and as the NS-derived authoritative server.
 */

import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type OptAnswer, type Packet } from "dns-packet";
import { type RecordSet, type ZoneBehaviour, type ZoneDefinition, ZoneStore } from "./dns-zone.js";

export type { RecordSet, ZoneBehaviour, ZoneDefinition } from "./dns-zone.js";

export interface DnsServerOptions {
  zones?: ZoneDefinition[];
  /** Loopback address to bind; "127.0.0.1" by default. */
  address?: string;
  /** 0 (the default) picks a free port; UDP and TCP share it. */
  port?: number;
}

export interface LoggedQuery {
  name: string;
  type: string;
  tcp: boolean;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  /** "address:port", the form the DNS client takes. */
  readonly endpoint: string;
  /** Queries received over UDP and TCP, answered or not. */
  readonly queries: number;
  /** The part of `queries` that came over TCP. */
  readonly tcpQueries: number;
  /** The first 100,000 decodable queries, in arrival order (names lower-case). */
  readonly queryLog: readonly LoggedQuery[];
  /** Adds a zone or replaces the zone with the same apex. */
  setZone(zone: ZoneDefinition): void;
  removeZone(apex: string): void;
  /** Replaces the record sets at one name (null removes the name) in the zone that contains it. */
  setRecords(owner: string, records: RecordSet | null): void;
  setBehaviour(apex: string, behaviour: ZoneBehaviour): void;
  close(): Promise<void>;
}

/** RFC 1035 section 4.2.1: a UDP message without EDNS carries at most 512 bytes. */
const CLASSIC_UDP_LIMIT = 512;

/** The largest EDNS payload size honoured; bigger advertised sizes are clamped to it. */
const MAX_UDP_LIMIT = 4096;

/** An idle TCP connection is closed after this many milliseconds. */
const TCP_IDLE_MS = 10_000;

const BIND_ATTEMPTS = 5;

/**
 * Socket receive buffer in bytes. Linux's 208 KiB default drops datagrams when a few
 * hundred queries arrive at once (benchmark bursts); the kernel caps the request at
 * net.core.rmem_max.
 */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** Entries kept in `queryLog`; later queries are counted but not logged. */
const MAX_LOGGED_QUERIES = 100_000;

/** Starts the server and resolves once both sockets listen. */
export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const address = options.address ?? "127.0.0.1";
  const store = new ZoneStore();
  for (const zone of options.zones ?? []) {
    store.setZone(zone);
  }

  const counters = { queries: 0, tcpQueries: 0 };
  const queryLog: LoggedQuery[] = [];
  const respond = (message: Buffer, tcp: boolean): Buffer | null => {
    counters.queries++;
    const log = (query: Packet): void => {
      const question = query.questions?.[0];
      if (question !== undefined && queryLog.length < MAX_LOGGED_QUERIES) {
        queryLog.push({ name: question.name.toLowerCase(), type: question.type, tcp });
      }
    };
    return buildResponse(store, message, tcp ? () => 65_535 : udpLimit, log);
  };

  const { udp, tcp, port } = await bindBoth(address, options.port ?? 0);
  const connections = new Set<net.Socket>();

  udp.on("message", (message, remote) => {
    const response = respond(message, false);
    if (response !== null) {
      udp.send(response, remote.port, remote.address);
    }
  });

  tcp.on("connection", (socket) => {
    connections.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => socket.destroy());

    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);

        counters.tcpQueries++;
        const response = respond(message, true);
        if (response !== null) {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(response.length);
          socket.write(Buffer.concat([prefix, response]));
        }
      }
    });
  });

  return {
    address,
    port,
    endpoint: net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`,
    get queries() {
      return counters.queries;
    },
    get tcpQueries() {
      return counters.tcpQueries;
    },
    queryLog,
    setZone: (zone) => store.setZone(zone),
    removeZone: (apex) => store.removeZone(apex),
    setRecords: (owner, records) => store.setRecords(owner, records),
    setBehaviour: (apex, behaviour) => store.setBehaviour(apex, behaviour),
    close: async () => {
      for (const socket of connections) {
        socket.destroy();
      }
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/**
 * Binds UDP first, then TCP on the same port. With port 0 the TCP port may be taken
 * already, so a few fresh UDP ports are tried.
 */
async function bindBoth(
  address: string,
  requestedPort: number,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const udp = dgram.createSocket({
      type: net.isIPv6(address) ? "udp6" : "udp4",
      recvBufferSize: UDP_RECEIVE_BUFFER,
    });
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(requestedPort, address, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    const port = udp.address().port;

    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, address, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      return { udp, tcp, port };
    } catch (error) {
      lastError = error;
      udp.close();
      if (requestedPort !== 0) {
        break;
      }
    }
  }
  throw new Error(`DNS server: could not listen on ${address} over UDP and TCP on one port`, {
    cause: lastError,
  });
}

function udpLimit(query: Packet): number {
  const opt = findOpt(query);
  if (opt === undefined) {
    return CLASSIC_UDP_LIMIT;
  }
  return Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_LIMIT), MAX_UDP_LIMIT);
}

function findOpt(packet: Packet): OptAnswer | undefined {
  return packet.additionals?.find((record): record is OptAnswer => record.type === "OPT");
}

/**
 * Decodes a query and encodes the answer. A message that cannot be decoded gets
 * FORMERR when its header is readable. An answer over the size limit is replaced by an
 * empty one with TC set, so the client retries over TCP.
 */
function buildResponse(
  store: ZoneStore,
  message: Buffer,
  limitFor: (query: Packet) => number,
  log: (query: Packet) => void,
): Buffer | null {
  let query: Packet & { opcode?: string };
  try {
    query = dnsPacket.decode(message);
  } catch {
    return formatError(message);
  }
  if (query.type !== "query") {
    return null;
  }
  log(query);

  const response = store.answer(query);
  if (response === null) {
    return null;
  }

  const opt = findOpt(query);
  const ourOpt: OptAnswer[] =
    opt === undefined
      ? []
      : [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: MAX_UDP_LIMIT,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  const full = { ...response, additionals: [...(response.additionals ?? []), ...ourOpt] };
  const encoded = dnsPacket.encode(full);
  if (encoded.length <= limitFor(query)) {
    return encoded;
  }

  return dnsPacket.encode({
    ...response,
    flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
    additionals: ourOpt,
  });
}

function formatError(message: Buffer): Buffer | null {
  if (message.length < 12) {
    return null;
  }
  const header = Buffer.alloc(12);
  message.copy(header, 0, 0, 2);
  // QR set, opcode and RD copied from the query, RCODE 1 (FORMERR), all counts zero.
  header.writeUInt16BE(0x8000 | (message.readUInt16BE(2) & 0x7900) | 1, 2);
  return header;
}
