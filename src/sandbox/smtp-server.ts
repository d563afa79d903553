/**
 * SMTP server on loopback for the MX probe, built on the `smtp-server` package (a
 * development dependency). It offers STARTTLS with the given certificate, or no
 * STARTTLS at all, accepts any mail and discards it.
 */

import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { IssuedCertificate } from "./ca.js";

export interface SmtpServerOptions {
  /** Certificate presented after STARTTLS; required when `starttls` is true. */
  certificate?: IssuedCertificate;
  /** Offer STARTTLS in the EHLO reply. */
  starttls: boolean;
  /** Send the leaf without its intermediate certificate. */
  omitIntermediate?: boolean;
  /** Host name in the greeting; "mx.test" by default. */
  name?: string;
  /** Loopback address to bind; "127.0.0.1" by default. */
  address?: string;
}

export interface LoopbackSmtpServer {
  readonly address: string;
  readonly port: number;
  /** "address:port", the form connect-to maps take. */
  readonly endpoint: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startSmtpServer(options: SmtpServerOptions): Promise<LoopbackSmtpServer> {
  if (options.starttls && options.certificate === undefined) {
    throw new Error("SMTP server: starttls needs a certificate; issue one with the test CA");
  }

  const address = options.address ?? "127.0.0.1";
  let connections = 0;
  const certificate = options.certificate;
  const tlsOptions =
    certificate === undefined
      ? {}
      : {
          key: certificate.keyPem,
          cert: options.omitIntermediate === true ? certificate.certPem : certificate.chainPem,
        };

  const server = new SMTPServer({
    ...tlsOptions,
    name: options.name ?? "mx.test",
    secure: false,
    logger: false,
    authOptional: true,
    // Without this the package sends a PTR query for each client to the system
    // resolver, which is traffic off loopback.
    disableReverseLookup: true,
    disabledCommands: options.starttls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    // Connections still open at close() are cut after this long instead of the 30 s default.
    closeTimeout: 500,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => callback());
    },
  });
  server.on("error", () => {
    // Client errors (a probe that drops the connection) are expected and need no log.
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, address, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    address,
    port,
    endpoint: `${address}:${port}`,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
