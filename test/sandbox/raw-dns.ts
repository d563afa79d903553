import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type DecodedPacket, type OptAnswer, type RecordType } from "dns-packet";

export type RawResponse = DecodedPacket & { rcode: string };

export interface RawQuery {
  name: string;
  type: RecordType;
  /** EDNS UDP payload size to advertise; no OPT record when absent. */
  edns?: number;
  recursionDesired?: boolean;
}

/** Encodes a query as a test client would send it, with a fixed id. */
export function encodeRawQuery(query: RawQuery, id = 4242): Buffer {
  const opt: OptAnswer[] =
    query.edns === undefined
      ? []
      : [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: query.edns,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  return dnsPacket.encode({
    type: "query",
    id,
    flags: query.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: query.name, type: query.type, class: "IN" }],
    additionals: opt,
  });
}

/** Sends raw bytes over UDP and returns the raw reply, or null after `timeoutMs`. */
export function sendUdp(
  endpoint: { address: string; port: number },
  message: Buffer,
  timeoutMs = 1000,
) {
  return new Promise<Buffer | null>((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.on("message", (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data);
    });
    socket.send(message, endpoint.port, endpoint.address);
  });
}

/** Sends one query over UDP and decodes the response, or returns null after `timeoutMs`. */
export async function queryUdp(
  endpoint: { address: string; port: number },
  query: RawQuery,
  timeoutMs = 1000,
): Promise<{ packet: RawResponse; size: number } | null> {
  const data = await sendUdp(endpoint, encodeRawQuery(query), timeoutMs);
  return data === null
    ? null
    : { packet: dnsPacket.decode(data) as RawResponse, size: data.length };
}

/** Sends one query over TCP (with the two-byte length prefix) and decodes the response. */
export function queryTcp(endpoint: { address: string; port: number }, query: RawQuery) {
  return new Promise<RawResponse>((resolve, reject) => {
    const message = encodeRawQuery(query);
    const socket = net.connect(endpoint.port, endpoint.address);
    let received = Buffer.alloc(0);
    socket.on("connect", () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length);
      socket.write(Buffer.concat([prefix, message]));
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(
          dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0))) as RawResponse,
        );
      }
    });
    socket.on("error", reject);
  });
}
