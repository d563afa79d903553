import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";
import { type PolicyHostServer, startPolicyHost } from "../../src/sandbox/https-host.js";

let ca: TestCa;
let host: PolicyHostServer;

/**
 * Sends a raw HTTP/1.1 request with SNI `servername` and returns all response bytes.
 * Rejects when the TLS handshake fails or the server closes before completing it.
 */
function rawGet(servername: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: host.address,
      port: host.port,
      servername,
      ca: [ca.certPem],
    });
    const chunks: Buffer[] = [];
    let secured = false;
    socket.on("secureConnect", () => {
      secured = true;
      socket.write(`GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: ${servername}\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => {
      if (secured) {
        resolve(Buffer.concat(chunks));
      } else {
        reject(new Error(`the TLS handshake for ${servername} did not complete`));
      }
    });
    socket.on("error", reject);
  });
}

beforeAll(async () => {
  ca = await createTestCa();
  host = await startPolicyHost({ ca });
});

afterAll(async () => {
  await host.close();
});

describe("policy host", () => {
  it("writes a raw response byte for byte", async () => {
    const raw = Buffer.from(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Odd:  two spaces\r\n\r\nbody",
      "latin1",
    );
    host.setSite("mta-sts.raw.example", { kind: "raw", response: raw });

    const received = await rawGet("mta-sts.raw.example");

    expect(received.equals(raw)).toBe(true);
  });

  it("renders a body response with length and type", async () => {
    host.setSite("mta-sts.body.example", { kind: "body", body: "version: STSv1\r\n" });

    const received = (await rawGet("mta-sts.body.example")).toString("latin1");

    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toContain("Content-Type: text/plain\r\n");
    expect(received).toContain("Content-Length: 16\r\n");
    expect(received.endsWith("\r\n\r\nversion: STSv1\r\n")).toBe(true);
  });

  it("counts requests per host and records the last one", async () => {
    host.setSite("mta-sts.count.example", { kind: "body", body: "x" });

    await rawGet("mta-sts.count.example");
    await rawGet("MTA-STS.count.example");

    expect(host.requestCount("mta-sts.count.example")).toBe(2);
    expect(host.lastRequest("mta-sts.count.example")?.path).toBe("/.well-known/mta-sts.txt");
  });

  it("aborts the handshake for an unknown host", async () => {
    await expect(rawGet("mta-sts.unknown.example")).rejects.toThrow();
  });

  it("removeSite stops serving the host", async () => {
    host.setSite("mta-sts.gone.example", { kind: "body", body: "x" });
    host.removeSite("mta-sts.gone.example");

    await expect(rawGet("mta-sts.gone.example")).rejects.toThrow();
  });

  it("serves the certificate chosen per site", async () => {
    host.setSite("mta-sts.expired.example", { kind: "body", body: "x", certificate: "expired" });

    await expect(rawGet("mta-sts.expired.example")).rejects.toMatchObject({
      code: "CERT_HAS_EXPIRED",
    });
  });
});
