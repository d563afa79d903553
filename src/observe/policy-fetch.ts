/**
 * Strict fetch of an MTA-STS policy, as RFC 8461 section 3.3 requires of senders:
 * HTTPS to https://mta-sts.<domain>/.well-known/mta-sts.txt only, a certificate valid
 * for mta-sts.<domain>, status 200 only, no redirects followed, no HTTP caching, and a
 * bounded size and time. Section 3.2 asks senders to check that the media type is
 * text/plain and to ignore other Content-Type parameters, such as charset.
 */

import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { PeerCertificate, SecureContext, TLSSocket } from "node:tls";
import { type ConnectTargetOptions, resolveConnectTargets } from "./connect-target.js";
import { normalizeName } from "./dns-name.js";
import { type Endpoint, formatEndpoint } from "./endpoint.js";
import {
  certificateDnsNames,
  certificateMatchesHost,
  classifyCertificateError,
  hostMismatchError,
  trustContext,
} from "./tls-trust.js";
import type { PolicyFetch, PolicyFetchFailure } from "./types.js";

/** RFC 8461 section 3.2: the policy lives at this path of the Policy Host. */
export const POLICY_PATH = "/.well-known/mta-sts.txt";

/**
 * Body limit in bytes. RFC 8461 sets no size, and 64 KiB is far above any real policy
 * while it keeps a hostile host from streaming without end.
 */
export const DEFAULT_MAX_POLICY_BYTES = 65_536;

/** Addresses of one host tried in turn when connecting fails. */
const MAX_ADDRESSES = 3;

const USER_AGENT = "mta-sts-gitops";

export interface PolicyFetchOptions extends ConnectTargetOptions {
  /** Extra CA certificates (PEM) trusted in addition to Node's bundled roots. */
  trustedCaPem?: string[];
  /**
   * Time limit in milliseconds for each phase: connecting with the TLS handshake,
   * waiting for the response head, and reading the body.
   */
  timeoutMs: number;
  /** Largest body accepted, in bytes; 65536 by default. */
  maxBytes?: number;
}

type Failure = Extract<PolicyFetch, { ok: false }>;

/**
 * Fetches the policy of `domain`. Never throws for a problem of the remote side; each
 * one comes back as a failure with its reason and a one-line detail. Throws only for a
 * malformed connect-to entry.
 *
 * Time bound after the address lookup: 3 * timeoutMs per address, and at most 3
 * addresses are tried (the next one only after a refused connection or a connect
 * timeout).
 */
export async function fetchPolicy(
  domain: string,
  options: PolicyFetchOptions,
): Promise<PolicyFetch> {
  const host = `mta-sts.${normalizeName(domain)}`;
  const url = `https://${host}${POLICY_PATH}`;

  const targets = await resolveConnectTargets(host, 443, options);
  if (!targets.ok) {
    return { ok: false, url, reason: targets.reason, detail: targets.detail };
  }

  let result: PolicyFetch | null = null;
  for (const endpoint of targets.endpoints.slice(0, MAX_ADDRESSES)) {
    const attempt = await fetchFrom(endpoint, host, url, options);
    result = attempt.result;
    if (!attempt.tryNext) {
      break;
    }
  }
  return result!;
}

type Phase = "connect" | "response" | "body";

const PHASE_TEXT: Record<Phase, string> = {
  connect: "connecting and completing the TLS handshake",
  response: "waiting for the response",
  body: "reading the body",
};

/** Error codes of a TCP connection that never carried TLS; another address may work. */
const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "EPIPE",
]);

function fetchFrom(
  endpoint: Endpoint,
  host: string,
  url: string,
  options: PolicyFetchOptions,
): Promise<{ result: PolicyFetch; tryNext: boolean }> {
  const address = formatEndpoint(endpoint);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_POLICY_BYTES;
  const fail = (
    reason: PolicyFetchFailure,
    detail: string,
    extra: Partial<Failure> = {},
  ): Failure => ({ ok: false, url, reason, detail, address, ...extra });

  return new Promise((resolve) => {
    let settled = false;
    let phase: Phase = "connect";
    let timer: NodeJS.Timeout | undefined;

    const finish = (result: PolicyFetch, tryNext = false): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ result, tryNext });
    };
    const startPhase = (next: Phase): void => {
      phase = next;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const detail = `timed out ${PHASE_TEXT[next]} after ${options.timeoutMs} ms`;
        finish(fail("timeout", detail), next === "connect");
      }, options.timeoutMs);
    };

    const requestOptions: https.RequestOptions & { secureContext?: SecureContext } = {
      host: endpoint.address,
      port: endpoint.port,
      servername: host,
      method: "GET",
      path: POLICY_PATH,
      agent: false,
      // RFC 8461 section 3.3: no HTTP caching, so ask any cache on the way to revalidate.
      headers: {
        Host: host,
        "Cache-Control": "no-cache",
        Accept: "text/plain",
        "User-Agent": USER_AGENT,
        Connection: "close",
      },
      secureContext: trustContext(options.trustedCaPem),
      rejectUnauthorized: true,
      checkServerIdentity: (_name: string, certificate: PeerCertificate) =>
        certificateMatchesHost(certificate.raw, host)
          ? undefined
          : hostMismatchError(host, certificateDnsNames(certificate)),
    };
    // Without an agent, https passes every option, `secureContext` included, to tls.connect.
    const request = https.request(requestOptions);
    startPhase("connect");

    request.on("socket", (socket) => {
      (socket as TLSSocket).once("secureConnect", () => startPhase("response"));
    });

    request.on("error", (error: NodeJS.ErrnoException) => {
      const certificate = classifyCertificateError(error, host);
      if (certificate !== null) {
        finish(fail("certificate", certificate.detail));
        return;
      }

      const code = error.code ?? "";
      if (phase === "connect" && CONNECT_ERRORS.has(code)) {
        finish(fail("connect", `connection to ${host} failed: ${code}`), true);
        return;
      }
      const when = phase === "connect" ? "TLS handshake with" : "HTTP exchange with";
      finish(fail("protocol", `${when} ${host} failed: ${code || error.message}`));
    });

    request.on("response", (response) => {
      startPhase("body");
      const verdict = judgeHead(response, maxBytes, fail);
      if (verdict !== null) {
        finish(verdict);
        return;
      }
      readBody(response, maxBytes, fail, finish, address, url);
    });

    request.end();
  });
}

/** Checks status, media type and declared size; returns a failure or null to read the body. */
function judgeHead(
  response: IncomingMessage,
  maxBytes: number,
  fail: (reason: PolicyFetchFailure, detail: string, extra?: Partial<Failure>) => Failure,
): Failure | null {
  const status = response.statusCode ?? 0;
  const contentType = response.headers["content-type"];
  const withType = contentType === undefined ? {} : { contentType };

  if (status >= 300 && status < 400) {
    const location = response.headers.location;
    const target = location === undefined ? "no Location header" : `Location ${location}`;
    return fail(
      "redirect",
      `HTTP ${status} redirect (${target}); RFC 8461 section 3.3 forbids following redirects, so serve the policy at this URL`,
      { status, ...(location === undefined ? {} : { location }), ...withType },
    );
  }
  if (status !== 200) {
    const reason = response.statusMessage ? ` ${response.statusMessage}` : "";
    return fail("status", `HTTP ${status}${reason}; only 200 is a valid policy response`, {
      status,
      ...withType,
    });
  }

  if (contentType === undefined) {
    return fail("media-type", "no Content-Type header; serve the policy as text/plain", { status });
  }
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mediaType !== "text/plain") {
    return fail(
      "media-type",
      `Content-Type is ${JSON.stringify(contentType)}; serve the policy as text/plain`,
      { status, contentType },
    );
  }

  const encoding = response.headers["content-encoding"];
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
    return fail(
      "protocol",
      `Content-Encoding ${JSON.stringify(encoding)} was not requested; serve the policy unencoded`,
      { status, contentType },
    );
  }

  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return fail(
      "too-large",
      `Content-Length ${declared} exceeds the ${maxBytes}-byte limit for a policy`,
      { status, contentType },
    );
  }
  return null;
}

function readBody(
  response: IncomingMessage,
  maxBytes: number,
  fail: (reason: PolicyFetchFailure, detail: string, extra?: Partial<Failure>) => Failure,
  finish: (result: PolicyFetch) => void,
  address: string,
  url: string,
): void {
  const contentType = response.headers["content-type"] ?? "";
  const chunks: Buffer[] = [];
  let received = 0;

  response.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) {
      finish(
        fail("too-large", `the body exceeds the ${maxBytes}-byte limit for a policy`, {
          status: 200,
          contentType,
        }),
      );
      return;
    }
    chunks.push(chunk);
  });

  response.on("end", () => {
    if (!response.complete) {
      incomplete();
      return;
    }
    // UTF-8 decoding keeps a byte order mark, so the policy parser can report it.
    const body = Buffer.concat(chunks).toString("utf8");
    const lastModified = response.headers["last-modified"];
    finish({
      ok: true,
      url,
      contentType,
      body,
      address,
      ...(lastModified === undefined ? {} : { lastModified }),
    });
  });

  const incomplete = (): void => {
    finish(fail("protocol", "the connection closed before the body was complete", { status: 200 }));
  };
  response.on("aborted", incomplete);
  response.on("error", incomplete);
}
