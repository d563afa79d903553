import net from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SmtpSession } from "../../src/observe/smtp-session.js";
import { createTestCa, type IssuedCertificate } from "../../src/sandbox/ca.js";
import { type LoopbackSmtpServer, startSmtpServer } from "../../src/sandbox/smtp-server.js";

let certificate: IssuedCertificate;
let server: LoopbackSmtpServer | null = null;

/** Connects, reads the greeting and returns the EHLO extension keywords. */
async function ehloKeywords(target: LoopbackSmtpServer): Promise<string[]> {
  const socket = net.connect(target.port, target.address);
  await new Promise((resolve) => socket.once("connect", resolve));
  const session = new SmtpSession(socket, 2000);
  try {
    await session.read("the greeting");
    const reply = await session.command("EHLO client.test", "the reply to EHLO");
    await session.command("QUIT", "the reply to QUIT");
    return reply.lines.slice(1).map((line) => line.split(" ")[0]!.toUpperCase());
  } finally {
    socket.destroy();
  }
}

beforeAll(async () => {
  const ca = await createTestCa();
  certificate = await ca.issue(["mx1.example.com"]);
});

afterEach(async () => {
  await server?.close();
  server = null;
});

describe("smtp server", () => {
  it("offers STARTTLS when asked to", async () => {
    server = await startSmtpServer({ certificate, starttls: true });

    expect(await ehloKeywords(server)).toContain("STARTTLS");
  });

  it("hides STARTTLS when disabled", async () => {
    server = await startSmtpServer({ starttls: false });

    expect(await ehloKeywords(server)).not.toContain("STARTTLS");
  });

  it("counts connections", async () => {
    server = await startSmtpServer({ starttls: false });

    await ehloKeywords(server);
    await ehloKeywords(server);

    expect(server.connections).toBe(2);
  });

  it("starttls without a certificate throws", async () => {
    await expect(startSmtpServer({ starttls: true })).rejects.toThrow(/needs a certificate/);
  });
});
