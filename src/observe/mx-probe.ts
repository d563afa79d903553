/**
 * STARTTLS probe of one MX host, the check a sender makes when it applies an MTA-STS
 * policy (RFC 8461 section 4.2). The probe connects to port 25, reads the greeting and
 * sends EHLO and STARTTLS. The TLS handshake sends the MX host name as SNI (section 7.1)
 * and must yield a chain to a trusted root and a certificate valid for that name.
 * Failures are reported with the RFC 8460 section 4.3 result types.
 */

import net from "node:net";
import { hostname } from "node:os";
import tls, { type PeerCertificate } from "node:tls";
import { type ConnectTargetOptions, resolveConnectTargets } from "./connect-target.js";
import { normalizeName } from "./dns-name.js";
import { type Endpoint, formatEndpoint } from "./endpoint.js";
import { type SmtpReply, SmtpSession, SmtpSessionError } from "./smtp-session.js";
import {
  certificateDnsNames,
  certificateMatchesHost,
  classifyCertificateError,
  hostMismatchError,
  trustContext,
} from "./tls-trust.js";
import type { MxProbe, MxProbeResult } from "./types.js";

export interface MxProbeOptions extends ConnectTargetOptions {
  /** Extra CA certificates (PEM) trusted in addition to Node's bundled roots. */
  trustedCaPem?: string[];
  /** Time limit in milliseconds for each step: connect, each reply, the TLS handshake. */
  timeoutMs: number;
  /** Name sent with EHLO; the machine's host name by default. */
  heloName?: string;
  /** SMTP port, 25 by default; connect-to keys use it ("mx.example.com:25"). */
  port?: number;
  /** Clock for the days to expiry. */
  now?: () => Date;
}

/** Addresses of one MX host tried in turn when connecting fails. */
const MAX_ADDRESSES = 2;
const DAY_MS = 86_400_000;

/**
 * Probes one MX host. Never throws for a problem of the remote side. Time bound: each
 * of the at most six steps (connect, greeting, EHLO, STARTTLS, handshake, QUIT) waits at
 * most `timeoutMs`, per address tried.
 */
export async function probeMx(host: string, options: MxProbeOptions): Promise<MxProbe> {
  const name = normalizeName(host);
  const probe: MxProbe = {
    host: name,
    result: "ok",
    address: null,
    banner: null,
    tlsVersion: null,
    notAfter: null,
    daysToExpiry: null,
    certificateNames: [],
  };
  if (name === "") {
    return { ...probe, result: "dns", detail: "a null MX (RFC 7505) names no host to probe" };
  }

  const port = options.port ?? 25;
  const targets = await resolveConnectTargets(name, port, options);
  if (!targets.ok) {
    return { ...probe, result: targets.reason, detail: targets.detail };
  }

  let last: MxProbe = probe;
  for (const endpoint of targets.endpoints.slice(0, MAX_ADDRESSES)) {
    const connection = await connect(endpoint, options.timeoutMs);
    const address = formatEndpoint(endpoint);
    if ("failure" in connection) {
      last = { ...probe, address, result: connection.failure, detail: connection.detail };
      continue;
    }
    return converse(connection.socket, { ...probe, address }, options);
  }
  return last;
}

export interface MxProber {
  /** Probes a host once per run; later calls for the same host return the first result. */
  probe(host: string): Promise<MxProbe>;
  /** Number of hosts probed so far (cached calls do not count). */
  stats(): { probes: number };
}

/** Creates a prober that caches by host name, because fleets share a few MX hosts. */
export function createMxProber(options: MxProbeOptions): MxProber {
  const results = new Map<string, Promise<MxProbe>>();
  let probes = 0;

  return {
    probe(host) {
      const key = normalizeName(host);
      const cached = results.get(key);
      if (cached !== undefined) {
        return cached;
      }
      probes++;
      const result = probeMx(key, options);
      results.set(key, result);
      return result;
    },
    stats: () => ({ probes }),
  };
}

function connect(
  endpoint: Endpoint,
  timeoutMs: number,
): Promise<{ socket: net.Socket } | { failure: MxProbeResult; detail: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.address, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ failure: "timeout", detail: `connecting timed out after ${timeoutMs} ms` });
    }, timeoutMs);

    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => socket.destroy());
      resolve({ socket });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ failure: "connect", detail: `connection failed: ${error.code ?? error.message}` });
    });
  });
}

async function converse(
  socket: net.Socket,
  probe: MxProbe,
  options: MxProbeOptions,
): Promise<MxProbe> {
  const session = new SmtpSession(socket, options.timeoutMs);
  const stop = async (result: MxProbeResult, detail: string): Promise<MxProbe> => {
    await quit(session, socket);
    return { ...probe, result, detail };
  };

  try {
    const greeting = await session.read("the greeting");
    probe.banner = `${greeting.code} ${greeting.lines[0] ?? ""}`.trim();
    if (greeting.code !== 220) {
      return await stop("protocol", `the server greeted with ${describe(greeting)}`);
    }

    const ehlo = await session.command(
      `EHLO ${options.heloName ?? hostname()}`,
      "the reply to EHLO",
    );
    if (ehlo.code !== 250) {
      return await stop(
        "starttls-not-supported",
        `EHLO was answered with ${describe(ehlo)}, and STARTTLS needs ESMTP`,
      );
    }
    const extensions = ehlo.lines.slice(1).map((line) => (line.split(" ")[0] ?? "").toUpperCase());
    if (!extensions.includes("STARTTLS")) {
      return await stop("starttls-not-supported", "the EHLO reply does not offer STARTTLS");
    }

    const ready = await session.command("STARTTLS", "the reply to STARTTLS");
    if (ready.code !== 220) {
      return await stop("starttls-not-supported", `STARTTLS was answered with ${describe(ready)}`);
    }
  } catch (error) {
    socket.destroy();
    return { ...probe, ...sessionFailure(error) };
  }

  // RFC 3207 section 4.2: nothing may follow the 220 before the handshake. Bytes there
  // would be read as if they came over TLS (the STARTTLS command injection flaw).
  const leftover = session.detach();
  if (leftover !== "") {
    socket.destroy();
    return {
      ...probe,
      result: "protocol",
      detail: "the server sent data after its 220 reply to STARTTLS",
    };
  }

  return upgrade(socket, probe, options);
}

function upgrade(socket: net.Socket, probe: MxProbe, options: MxProbeOptions): Promise<MxProbe> {
  const host = probe.host;
  const now = options.now ?? (() => new Date());

  return new Promise((resolve) => {
    let verified: PeerCertificate | null = null;
    const secure = tls.connect({
      socket,
      servername: host,
      secureContext: trustContext(options.trustedCaPem),
      rejectUnauthorized: true,
      // Called only after the chain verified, so the certificate read here is trustworthy.
      checkServerIdentity: (_name, certificate) => {
        verified = certificate;
        return certificateMatchesHost(certificate.raw, host)
          ? undefined
          : hostMismatchError(host, certificateDnsNames(certificate));
      },
    });

    const timer = setTimeout(() => {
      secure.destroy();
      resolve({
        ...probe,
        result: "timeout",
        detail: `the TLS handshake timed out after ${options.timeoutMs} ms`,
      });
    }, options.timeoutMs);

    secure.once("secureConnect", async () => {
      clearTimeout(timer);
      const done = {
        ...probe,
        tlsVersion: secure.getProtocol(),
        ...certificateFacts(secure.getPeerCertificate(), now()),
      };
      await quit(new SmtpSession(secure, options.timeoutMs), secure);
      resolve(done);
    });

    secure.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      secure.destroy();
      const facts = verified === null ? {} : certificateFacts(verified, now());
      const certificate = classifyCertificateError(error, host);
      if (certificate !== null) {
        resolve({ ...probe, ...facts, result: certificate.failure, detail: certificate.detail });
        return;
      }
      resolve({
        ...probe,
        ...facts,
        result: "validation-failure",
        detail: `the TLS handshake with ${host} failed: ${error.code ?? error.message}`,
      });
    });
  });
}

function certificateFacts(
  certificate: PeerCertificate,
  now: Date,
): Pick<MxProbe, "notAfter" | "daysToExpiry" | "certificateNames"> {
  const notAfter = new Date(certificate.valid_to);
  if (Number.isNaN(notAfter.getTime())) {
    return {
      notAfter: null,
      daysToExpiry: null,
      certificateNames: certificateDnsNames(certificate),
    };
  }
  return {
    notAfter: notAfter.toISOString(),
    daysToExpiry: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    certificateNames: certificateDnsNames(certificate),
  };
}

/** Sends QUIT and waits for the reply (RFC 5321 section 4.1.1.10), then closes; errors are ignored. */
async function quit(session: SmtpSession, socket: net.Socket): Promise<void> {
  try {
    await session.command("QUIT", "the reply to QUIT");
  } catch {
    // The probe result is already known; a server that drops the connection early changes nothing.
  } finally {
    session.detach();
    socket.destroy();
  }
}

function sessionFailure(error: unknown): { result: MxProbeResult; detail: string } {
  if (!(error instanceof SmtpSessionError)) {
    throw error;
  }
  const results: Record<SmtpSessionError["kind"], MxProbeResult> = {
    timeout: "timeout",
    closed: "connect",
    malformed: "protocol",
  };
  return { result: results[error.kind], detail: error.message };
}

function describe(reply: SmtpReply): string {
  return `${reply.code} ${JSON.stringify(reply.lines.join(" "))}`;
}
