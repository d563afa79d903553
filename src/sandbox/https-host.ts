/**
 * HTTPS policy host on loopback for tests, the offline demo and the benchmark. One TLS
 * listener serves many host names: the SNI callback picks each site's certificate, and
 * a minimal HTTP/1.1 responder writes each site's response byte for byte, so raw
 * responses (status line, headers, body) reach the client exactly as written.
 */

import net from "node:net";
import tls from "node:tls";
import type { IssuedCertificate, TestCa } from "./ca.js";
import { createTestCa } from "./ca.js";

/**
 * Certificate a site presents, issued on first use:
 * - "valid": issued by the run's CA for the host;
 * - "wrong-name": covers another name;
 * - "expired": ended yesterday;
 * - "untrusted": issued by an unrelated CA;
 * - "cn-only": names the host in the subject CN, without subjectAltName;
 * - "no-intermediate": valid, but sent without its intermediate certificate;
 * - an IssuedCertificate: sent as given.
 */
export type SiteCertificate =
  | "valid"
  | "wrong-name"
  | "expired"
  | "untrusted"
  | "cn-only"
  | "no-intermediate"
  | IssuedCertificate;

/**
 * Response a site sends for any request:
 * - "body": a response with `status` (200), `contentType` ("text/plain"; null sends none)
 *   and extra `headers`;
 * - "redirect": a redirect to `location` with `status` (301);
 * - "raw": `response` written verbatim, then the connection closes;
 * - "hang": accepts and never responds, during the TLS handshake or after the request;
 * - "oversize": a text/plain body of `bytes` bytes, without Content-Length unless
 *   `declareLength` is set.
 */
export type SiteResponse =
  | {
      kind: "body";
      body: string | Uint8Array;
      status?: number;
      contentType?: string | null;
      headers?: Record<string, string>;
    }
  | { kind: "redirect"; location: string; status?: number }
  | { kind: "raw"; response: string | Uint8Array }
  | { kind: "hang"; during?: "handshake" | "response" }
  | { kind: "oversize"; bytes: number; declareLength?: boolean };

export type Site = SiteResponse & { certificate?: SiteCertificate };

/** The request line and headers of a request the host received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** Header names lower-case. */
  headers: Record<string, string>;
}

export interface PolicyHostOptions {
  ca: TestCa;
  /** Sites by host name, e.g. "mta-sts.example.com". */
  sites?: Record<string, Site>;
  /** Loopback address to bind; "127.0.0.1" by default. */
  address?: string;
}

export interface PolicyHostServer {
  readonly address: string;
  readonly port: number;
  /** "address:port", the form connect-to maps take. */
  readonly endpoint: string;
  setSite(host: string, site: Site): void;
  removeSite(host: string): void;
  /** HTTP requests received for the host (a handshake alone does not count). */
  requestCount(host: string): number;
  lastRequest(host: string): ReceivedRequest | undefined;
  /** Issues the certificates of every site now instead of at the first handshake. */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

/** A request head larger than this is refused by closing the connection. */
const MAX_REQUEST_HEAD = 16_384;

const OVERSIZE_CHUNK = Buffer.alloc(16_384, "a");

export async function startPolicyHost(options: PolicyHostOptions): Promise<PolicyHostServer> {
  const address = options.address ?? "127.0.0.1";
  const sites = new Map<string, Site>();
  for (const [host, site] of Object.entries(options.sites ?? {})) {
    sites.set(normalize(host), site);
  }

  const counts = new Map<string, number>();
  const lastRequests = new Map<string, ReceivedRequest>();
  const contexts = new ContextCache(options.ca);
  const sockets = new Set<net.Socket>();

  const server = tls.createServer({
    SNICallback: (servername, callback) => {
      const host = normalize(servername);
      const site = sites.get(host);
      if (site === undefined) {
        callback(new Error(`no site for ${host} on this policy host`));
        return;
      }
      if (site.kind === "hang" && site.during === "handshake") {
        return; // The handshake waits for this callback, which never comes.
      }
      contexts.get(host, site.certificate ?? "valid").then(
        (context) => callback(null, context),
        (error: unknown) => callback(error as Error),
      );
    },
  });

  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {
    // Clients that reject our certificate end the handshake; that is the expected outcome.
  });

  server.on("secureConnection", (socket: tls.TLSSocket) => {
    socket.on("error", () => socket.destroy());
    readRequestHead(socket, (request) => {
      const host = normalize(typeof socket.servername === "string" ? socket.servername : "");
      counts.set(host, (counts.get(host) ?? 0) + 1);
      lastRequests.set(host, request);

      const site = sites.get(host);
      if (site === undefined) {
        writeAndClose(socket, renderResponse(404, "text/plain", {}, "no site\n"));
        return;
      }
      respond(socket, site);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    address,
    port,
    endpoint: net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`,
    setSite: (host, site) => {
      sites.set(normalize(host), site);
    },
    removeSite: (host) => {
      sites.delete(normalize(host));
    },
    requestCount: (host) => counts.get(normalize(host)) ?? 0,
    lastRequest: (host) => lastRequests.get(normalize(host)),
    prepare: async () => {
      await Promise.all(
        [...sites].map(([host, site]) => contexts.get(host, site.certificate ?? "valid")),
      );
    },
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Secure contexts per host and certificate choice, issued on first use. */
class ContextCache {
  readonly #ca: TestCa;
  readonly #contexts = new Map<
    string,
    { choice: SiteCertificate; context: Promise<tls.SecureContext> }
  >();
  #unrelatedCa: Promise<TestCa> | null = null;

  constructor(ca: TestCa) {
    this.#ca = ca;
  }

  get(host: string, choice: SiteCertificate): Promise<tls.SecureContext> {
    const cached = this.#contexts.get(host);
    if (cached !== undefined && cached.choice === choice) {
      return cached.context;
    }
    const context = this.#build(host, choice);
    this.#contexts.set(host, { choice, context });
    return context;
  }

  async #build(host: string, choice: SiteCertificate): Promise<tls.SecureContext> {
    const certificate = await this.#issue(host, choice);
    const cert = choice === "no-intermediate" ? certificate.certPem : certificate.chainPem;
    return tls.createSecureContext({ key: certificate.keyPem, cert });
  }

  async #issue(host: string, choice: SiteCertificate): Promise<IssuedCertificate> {
    const day = 86_400_000;
    switch (choice) {
      case "valid":
      case "no-intermediate":
        return this.#ca.issue([host]);
      case "wrong-name":
        return this.#ca.issue(["wrong-name.invalid"]);
      case "expired":
        return this.#ca.issue([host], {
          notBefore: new Date(Date.now() - 60 * day),
          notAfter: new Date(Date.now() - day),
        });
      case "cn-only":
        return this.#ca.issue([host], { commonNameOnly: true });
      case "untrusted":
        this.#unrelatedCa ??= createTestCa("unrelated test CA");
        return (await this.#unrelatedCa).issue([host]);
      default:
        return choice;
    }
  }
}

function normalize(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function readRequestHead(
  socket: tls.TLSSocket,
  onRequest: (request: ReceivedRequest) => void,
): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf("\r\n\r\n");
    if (end === -1) {
      if (buffered.length > MAX_REQUEST_HEAD) {
        socket.destroy();
      }
      return;
    }
    socket.off("data", onData);
    onRequest(parseRequestHead(buffered.subarray(0, end).toString("latin1")));
  };
  socket.on("data", onData);
}

function parseRequestHead(head: string): ReceivedRequest {
  const [requestLine = "", ...headerLines] = head.split("\r\n");
  const [method = "", path = ""] = requestLine.split(" ");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { method, path, headers };
}

function respond(socket: tls.TLSSocket, site: Site): void {
  switch (site.kind) {
    case "body": {
      const contentType = site.contentType === undefined ? "text/plain" : site.contentType;
      writeAndClose(
        socket,
        renderResponse(site.status ?? 200, contentType, site.headers ?? {}, site.body),
      );
      return;
    }
    case "redirect": {
      const headers = { Location: site.location };
      const body = "<html><body>Moved</body></html>\n";
      writeAndClose(socket, renderResponse(site.status ?? 301, "text/html", headers, body));
      return;
    }
    case "raw":
      writeAndClose(socket, Buffer.from(site.response));
      return;
    case "hang":
      return;
    case "oversize":
      streamOversize(socket, site.bytes, site.declareLength === true);
      return;
  }
}

function renderResponse(
  status: number,
  contentType: string | null,
  headers: Record<string, string>,
  body: string | Uint8Array,
): Buffer {
  const bodyBytes = Buffer.from(body);
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}`];
  if (contentType !== null) {
    lines.push(`Content-Type: ${contentType}`);
  }
  lines.push(`Content-Length: ${bodyBytes.length}`);
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }
  lines.push("Connection: close", "", "");
  return Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), bodyBytes]);
}

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function writeAndClose(socket: tls.TLSSocket, bytes: Buffer): void {
  socket.end(bytes);
}

/** Writes the body in chunks, waiting for the client to drain, until `bytes` are sent or it disconnects. */
function streamOversize(socket: tls.TLSSocket, bytes: number, declareLength: boolean): void {
  const head = [
    "HTTP/1.1 200 OK",
    "Content-Type: text/plain",
    ...(declareLength ? [`Content-Length: ${bytes}`] : []),
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  socket.write(head);

  let remaining = bytes;
  const writeMore = (): void => {
    while (remaining > 0 && !socket.destroyed) {
      const chunk = OVERSIZE_CHUNK.subarray(0, Math.min(remaining, OVERSIZE_CHUNK.length));
      remaining -= chunk.length;
      if (!socket.write(chunk)) {
        socket.once("drain", writeMore);
        return;
      }
    }
    if (!socket.destroyed) {
      socket.end();
    }
  };
  writeMore();
}
