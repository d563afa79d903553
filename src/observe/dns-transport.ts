/**
 * DNS messages on the wire, encoded and decoded with `dns-packet`. Queries go over UDP
 * with EDNS(0) and again over TCP when the UDP answer comes back truncated. Every query
 * gets a fresh socket (so a fresh ephemeral source port) and a random id, and a
 * response must match its query exactly.
 */

import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type RecordType,
} from "dns-packet";
import { normalizeName } from "./dns-name.js";
import { type Endpoint, formatEndpoint } from "./endpoint.js";

export interface DnsQuestion {
  /** Normalized name (lower-case, no trailing dot). */
  name: string;
  type: RecordType;
}

/**
 * EDNS(0) UDP payload size we advertise. 1232 bytes fits the IPv6 minimum MTU without
 * fragmentation (the value agreed for DNS Flag Day 2020); larger answers arrive over TCP.
 */
export const EDNS_UDP_PAYLOAD_SIZE = 1232;

/** Largest TCP message accepted (the 16-bit length prefix allows no more). */
const MAX_TCP_MESSAGE = 65_535;

/** A decoded response; `dns-packet` sets `rcode` ("NOERROR", "NXDOMAIN", ...) but its types omit it. */
export type DnsResponse = DecodedPacket & { rcode: string };

/** Returns the data of a resource record, or undefined for the OPT pseudo-record, which has none. */
export function recordData(record: Answer): unknown {
  return "data" in record ? record.data : undefined;
}

/** Outcome of asking one server once. */
export type ServerReply =
  | { kind: "response"; packet: DnsResponse; server: string }
  | { kind: "timeout"; server: string; detail: string }
  | { kind: "error"; server: string; detail: string };

/** Outcome of asking a list of servers, see `DnsTransport.exchange`. */
export interface Exchange {
  /** The first NOERROR or NXDOMAIN response, else the first other response, else null. */
  reply: ServerReply;
  /** Servers that never responded in any attempt. */
  silentServers: string[];
}

export interface TransportOptions {
  /** Time to wait for each answer, in milliseconds. */
  timeoutMs: number;
  /** Rounds over the server list; each round sends at most one UDP query to each server. */
  attempts: number;
}

interface Closable {
  close(): void;
}

/**
 * Sends DNS queries and counts them. One transport serves a whole run; `close()` ends
 * every query still in flight with an error.
 */
export class DnsTransport {
  #queries = 0;
  #closed = false;
  readonly #open = new Set<Closable>();
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** Number of messages sent so far (UDP and TCP, retries included). */
  get queries(): number {
    return this.#queries;
  }

  close(): void {
    this.#closed = true;
    for (const handle of this.#open) {
      handle.close();
    }
    this.#open.clear();
  }

  /**
   * Asks the servers in rounds: each round tries every server still in play once.
   * A NOERROR or NXDOMAIN response ends the exchange. A server that returns another
   * code (SERVFAIL, REFUSED, ...) or a network error is dropped from later rounds.
   *
   * Time bound: each server costs at most `timeoutMs` per round, plus one `timeoutMs`
   * for the TCP retry after a truncated UDP answer, so an exchange returns within
   * `timeoutMs * attempts * servers.length` plus that TCP allowance.
   */
  async exchange(
    servers: Endpoint[],
    question: DnsQuestion,
    recursionDesired: boolean,
  ): Promise<Exchange> {
    let inPlay = [...servers];
    const answered = new Set<string>();
    let firstFailure: ServerReply | null = null;
    let lastTimeout: ServerReply | null = null;

    for (let attempt = 0; attempt < this.#options.attempts && inPlay.length > 0; attempt++) {
      const stillSilent: Endpoint[] = [];

      for (const server of inPlay) {
        const reply = await this.ask(server, question, recursionDesired);

        if (reply.kind === "timeout") {
          lastTimeout = reply;
          stillSilent.push(server);
          continue;
        }

        answered.add(reply.server);
        if (reply.kind === "response" && isFinalRcode(reply.packet.rcode)) {
          return { reply, silentServers: silentOf(servers, answered) };
        }
        firstFailure ??= reply;
      }

      inPlay = stillSilent;
    }

    const reply = firstFailure ??
      lastTimeout ?? {
        kind: "error" as const,
        server: servers.map(formatEndpoint).join(", "),
        detail: "no DNS server to ask",
      };
    return { reply, silentServers: silentOf(servers, answered) };
  }

  /**
   * Sends one question to one server over UDP, then over TCP when the answer is
   * truncated. A server that rejects the EDNS OPT record with FORMERR is asked again
   * without it (RFC 6891 section 7).
   */
  async ask(
    server: Endpoint,
    question: DnsQuestion,
    recursionDesired: boolean,
  ): Promise<ServerReply> {
    let reply = await this.#askUdp(server, question, recursionDesired, true);
    if (reply.kind === "response" && reply.packet.rcode === "FORMERR") {
      reply = await this.#askUdp(server, question, recursionDesired, false);
    }

    if (reply.kind === "response" && reply.packet.flag_tc) {
      return this.#askTcp(server, question, recursionDesired);
    }
    return reply;
  }

  #askUdp(
    server: Endpoint,
    question: DnsQuestion,
    recursionDesired: boolean,
    edns: boolean,
  ): Promise<ServerReply> {
    const label = formatEndpoint(server);
    if (this.#closed) {
      return Promise.resolve({ kind: "error", server: label, detail: "the DNS client is closed" });
    }

    const id = randomInt(0, 0x1_0000);
    const message = encodeQuery(id, question, recursionDesired, edns);
    const socket = dgram.createSocket(net.isIPv6(server.address) ? "udp6" : "udp4");

    return new Promise((resolve) => {
      const finish = this.#settleOnce(
        label,
        `no response from ${label} within ${this.#options.timeoutMs} ms`,
        () => socket.close(),
        resolve,
      );

      socket.on("error", (error: NodeJS.ErrnoException) => {
        finish({
          kind: "error",
          server: label,
          detail: `${label}: ${error.code ?? error.message}`,
        });
      });

      // A response that does not match the query (wrong id, name or type, or garbage)
      // is dropped and the wait goes on: it may be a late answer or a spoofing attempt.
      socket.on("message", (data) => {
        const packet = decodeMatching(data, id, question);
        if (packet !== null) {
          finish({ kind: "response", packet, server: label });
        }
      });

      // connect() makes the kernel drop datagrams from any other source address. Node
      // passes a failed connect (no route to the address) to this callback, not to the
      // "error" event, and a send on the unconnected socket would then throw.
      socket.connect(server.port, server.address, (error?: Error) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code ?? error.message;
          finish({ kind: "error", server: label, detail: `${label}: ${code}` });
          return;
        }
        this.#queries++;
        socket.send(message, (sendError) => {
          if (sendError) {
            const code = (sendError as NodeJS.ErrnoException).code ?? sendError.message;
            finish({ kind: "error", server: label, detail: `${label}: ${code}` });
          }
        });
      });
    });
  }

  /**
   * Returns the function that ends one exchange, at most once: it stops the timeout,
   * releases the socket, leaves the set that close() ends, and resolves with the reply.
   * The timeout and close() end the exchange through it too.
   */
  #settleOnce(
    label: string,
    timeoutDetail: string,
    release: () => void,
    resolve: (reply: ServerReply) => void,
  ): (reply: ServerReply) => void {
    let settled = false;
    const handle: Closable = {
      close: () => finish({ kind: "error", server: label, detail: "the DNS client is closed" }),
    };
    const timer = setTimeout(() => {
      finish({ kind: "timeout", server: label, detail: timeoutDetail });
    }, this.#options.timeoutMs);

    const finish = (reply: ServerReply): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      this.#open.delete(handle);
      release();
      resolve(reply);
    };
    this.#open.add(handle);
    return finish;
  }

  #askTcp(
    server: Endpoint,
    question: DnsQuestion,
    recursionDesired: boolean,
  ): Promise<ServerReply> {
    const label = formatEndpoint(server);
    if (this.#closed) {
      return Promise.resolve({ kind: "error", server: label, detail: "the DNS client is closed" });
    }

    const id = randomInt(0, 0x1_0000);
    const message = encodeQuery(id, question, recursionDesired, true);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(message.length);

    return new Promise((resolve) => {
      let received = Buffer.alloc(0);
      const socket = net.connect({ host: server.address, port: server.port });
      const finish = this.#settleOnce(
        label,
        `no TCP response from ${label} within ${this.#options.timeoutMs} ms`,
        () => socket.destroy(),
        resolve,
      );

      socket.on("connect", () => {
        this.#queries++;
        socket.write(Buffer.concat([prefix, message]));
      });

      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2) {
          return;
        }
        const length = received.readUInt16BE(0);
        if (length > MAX_TCP_MESSAGE || received.length < 2 + length) {
          return;
        }

        const packet = decodeMatching(received.subarray(2, 2 + length), id, question);
        if (packet === null) {
          finish({
            kind: "error",
            server: label,
            detail: `${label} sent a TCP response that does not match the query`,
          });
          return;
        }
        finish({ kind: "response", packet, server: label });
      });

      socket.on("error", (error: NodeJS.ErrnoException) => {
        finish({
          kind: "error",
          server: label,
          detail: `${label}: ${error.code ?? error.message}`,
        });
      });

      socket.on("close", () => {
        finish({
          kind: "error",
          server: label,
          detail: `${label} closed the TCP connection before the answer was complete`,
        });
      });
    });
  }
}

/** NOERROR and NXDOMAIN are answers about the name; other codes are server trouble. */
function isFinalRcode(rcode: string | undefined): boolean {
  return rcode === "NOERROR" || rcode === "NXDOMAIN";
}

function silentOf(servers: Endpoint[], answered: Set<string>): string[] {
  return servers.map(formatEndpoint).filter((server) => !answered.has(server));
}

const EDNS_OPT: OptAnswer = {
  type: "OPT",
  name: ".",
  udpPayloadSize: EDNS_UDP_PAYLOAD_SIZE,
  extendedRcode: 0,
  ednsVersion: 0,
  flags: 0,
  flag_do: false,
  options: [],
};

function encodeQuery(
  id: number,
  question: DnsQuestion,
  recursionDesired: boolean,
  edns: boolean,
): Buffer {
  return dnsPacket.encode({
    type: "query",
    id,
    flags: recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: question.type, name: question.name, class: "IN" }],
    additionals: edns ? [EDNS_OPT] : [],
  });
}

/**
 * Decodes a response and checks that it belongs to the query: same id, QR set, and the
 * same single question (names compared case-insensitively). A FORMERR or NOTIMP response
 * may carry no question, because the server could not parse it. Returns null otherwise.
 */
function decodeMatching(data: Buffer, id: number, question: DnsQuestion): DnsResponse | null {
  let packet: DnsResponse;
  try {
    packet = dnsPacket.decode(data) as DnsResponse;
  } catch {
    return null;
  }

  if (packet.id !== id || !packet.flag_qr) {
    return null;
  }

  const questions = packet.questions ?? [];
  if (questions.length === 0) {
    return packet.rcode === "FORMERR" || packet.rcode === "NOTIMP" ? packet : null;
  }
  if (questions.length !== 1) {
    return null;
  }

  const echoed = questions[0]!;
  const sameName = normalizeName(echoed.name) === question.name;
  const sameType = echoed.type === question.type;
  const sameClass = echoed.class === undefined || echoed.class === "IN";
  return sameName && sameType && sameClass ? packet : null;
}
