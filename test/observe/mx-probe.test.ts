import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMxProber, type MxProbeOptions, probeMx } from "../../src/observe/mx-probe.js";
import { createTestCa, type IssuedCertificate, type TestCa } from "../../src/sandbox/ca.js";
import {
  type LoopbackSmtpServer,
  type SmtpServerOptions,
  startSmtpServer,
} from "../../src/sandbox/smtp-server.js";

const TIMEOUT_MS = 1000;
const SLACK_MS = 1500;
const DAY_MS = 86_400_000;
const NOW = new Date();

let ca: TestCa;
let unrelatedCa: TestCa;
const servers: LoopbackSmtpServer[] = [];

function options(
  host: string,
  target: string,
  overrides: Partial<MxProbeOptions> = {},
): MxProbeOptions {
  return {
    resolveAddresses: async () => ({
      status: "nxdomain",
      addresses: [],
      detail: `${host} does not exist`,
    }),
    connectTo: { [`${host}:25`]: target },
    allowPrivateAddresses: true,
    trustedCaPem: [ca.certPem],
    timeoutMs: TIMEOUT_MS,
    heloName: "probe.test",
    now: () => NOW,
    ...overrides,
  };
}

async function server(setup: SmtpServerOptions): Promise<LoopbackSmtpServer> {
  const started = await startSmtpServer(setup);
  servers.push(started);
  return started;
}

async function probeWith(host: string, setup: SmtpServerOptions) {
  const smtp = await server(setup);
  return probeMx(host, options(host, smtp.endpoint));
}

function certificateFor(names: string[], notAfter?: Date): Promise<IssuedCertificate> {
  return ca.issue(
    names,
    notAfter === undefined ? {} : { notBefore: new Date(NOW.getTime() - 30 * DAY_MS), notAfter },
  );
}

beforeAll(async () => {
  ca = await createTestCa();
  unrelatedCa = await createTestCa("unrelated test CA");
});

afterAll(async () => {
  await Promise.all(servers.map((started) => started.close()));
});

describe("mx probe results", () => {
  it("valid certificate is ok with its facts", async () => {
    const notAfter = new Date(NOW.getTime() + 30 * DAY_MS + 12 * 3_600_000);
    const certificate = await certificateFor(["mx1.example.com"], notAfter);

    const probe = await probeWith("MX1.Example.com.", { certificate, starttls: true });

    expect(probe.result).toBe("ok");
    expect(probe.host).toBe("mx1.example.com");
    expect(probe.banner).toMatch(/^220 /);
    expect(probe.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    // X.509 times have whole seconds.
    expect(probe.notAfter).toBe(
      new Date(Math.floor(notAfter.getTime() / 1000) * 1000).toISOString(),
    );
    expect(probe.daysToExpiry).toBe(30);
    expect(probe.certificateNames).toEqual(["mx1.example.com"]);
    expect(probe.detail).toBeUndefined();
  });

  it("expired certificate is certificate-expired", async () => {
    const certificate = await certificateFor(["mx1.example.com"], new Date(NOW.getTime() - DAY_MS));

    const probe = await probeWith("mx1.example.com", { certificate, starttls: true });

    expect(probe.result).toBe("certificate-expired");
    expect(probe.tlsVersion).toBeNull();
  });

  it("wrong name is certificate-host-mismatch", async () => {
    const certificate = await certificateFor(["mx9.example.net"]);

    const probe = await probeWith("mx1.example.com", { certificate, starttls: true });

    expect(probe.result).toBe("certificate-host-mismatch");
    expect(probe.detail).toBe(
      "the certificate is not valid for mx1.example.com; it covers mx9.example.net",
    );
    expect(probe.certificateNames).toEqual(["mx9.example.net"]);
  });

  it("unrelated CA is certificate-not-trusted", async () => {
    const certificate = await unrelatedCa.issue(["mx1.example.com"]);

    const probe = await probeWith("mx1.example.com", { certificate, starttls: true });

    expect(probe.result).toBe("certificate-not-trusted");
  });

  it("missing intermediate is certificate-not-trusted", async () => {
    const certificate = await certificateFor(["mx1.example.com"]);

    const probe = await probeWith("mx1.example.com", {
      certificate,
      starttls: true,
      omitIntermediate: true,
    });

    expect(probe.result).toBe("certificate-not-trusted");
  });

  it("no STARTTLS offered is starttls-not-supported", async () => {
    const probe = await probeWith("mx1.example.com", { starttls: false });

    expect(probe.result).toBe("starttls-not-supported");
    expect(probe.detail).toBe("the EHLO reply does not offer STARTTLS");
  });

  it("wildcard certificate matches one label only", async () => {
    const certificate = await certificateFor(["*.example.com"]);
    const smtp = await server({ certificate, starttls: true });

    const oneLabel = await probeMx("mx1.example.com", options("mx1.example.com", smtp.endpoint));
    const twoLabels = await probeMx(
      "a.mx1.example.com",
      options("a.mx1.example.com", smtp.endpoint),
    );

    expect(oneLabel.result).toBe("ok");
    expect(twoLabels.result).toBe("certificate-host-mismatch");
  });
});

describe("mx probe connections", () => {
  it("host without addresses is dns", async () => {
    const probe = await probeMx(
      "mx.missing.example",
      options("mx.missing.example", "127.0.0.1:1", { connectTo: {} }),
    );

    expect(probe.result).toBe("dns");
    expect(probe.detail).toMatch(/mx\.missing\.example does not exist/);
  });

  it("loopback address is rejected unless allowed", async () => {
    const probe = await probeMx(
      "mx1.example.com",
      options("mx1.example.com", "127.0.0.1:25", { allowPrivateAddresses: false }),
    );

    expect(probe.result).toBe("address-blocked");
    expect(probe.address).toBeNull();
  });

  it("refused connection is connect", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const probe = await probeMx("mx1.example.com", options("mx1.example.com", `127.0.0.1:${port}`));

    expect(probe.result).toBe("connect");
    expect(probe.detail).toMatch(/ECONNREFUSED/);
  });

  it("silent server times out within the bound", async () => {
    const silent = net.createServer(() => {
      // Accepts and never greets.
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    try {
      const probe = await probeMx(
        "mx1.example.com",
        options("mx1.example.com", `127.0.0.1:${port}`),
      );

      expect(probe.result).toBe("timeout");
      expect(probe.detail).toBe(`timed out after ${TIMEOUT_MS} ms waiting for the greeting`);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      silent.close();
    }
  });

  it("greeting other than 220 is protocol", async () => {
    const busy = net.createServer((socket) => socket.end("554 5.3.2 busy\r\n"));
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const probe = await probeMx(
        "mx1.example.com",
        options("mx1.example.com", `127.0.0.1:${port}`),
      );

      expect(probe.result).toBe("protocol");
      expect(probe.banner).toBe("554 5.3.2 busy");
    } finally {
      busy.close();
    }
  });

  it("data after the STARTTLS reply is protocol", async () => {
    const injecting = net.createServer((socket) => {
      socket.write("220 mx.test ESMTP\r\n");
      socket.on("data", (chunk: Buffer) => {
        const command = chunk.toString().trim().toUpperCase();
        if (command.startsWith("EHLO")) {
          socket.write("250-mx.test\r\n250 STARTTLS\r\n");
        } else if (command === "STARTTLS") {
          socket.write("220 go ahead\r\n250 injected\r\n");
        } else {
          socket.end("221 bye\r\n");
        }
      });
    });
    await new Promise<void>((resolve) => injecting.listen(0, "127.0.0.1", resolve));
    const port = (injecting.address() as net.AddressInfo).port;
    try {
      const probe = await probeMx(
        "mx1.example.com",
        options("mx1.example.com", `127.0.0.1:${port}`),
      );

      expect(probe.result).toBe("protocol");
      expect(probe.detail).toMatch(/data after its 220 reply to STARTTLS/);
    } finally {
      injecting.close();
    }
  });
});

describe("mx prober", () => {
  it("probes each host once", async () => {
    const certificate = await certificateFor(["mx1.example.com"]);
    const smtp = await server({ certificate, starttls: true });
    const prober = createMxProber(options("mx1.example.com", smtp.endpoint));

    const first = await prober.probe("mx1.example.com");
    const second = await prober.probe("MX1.example.com.");

    expect(second).toBe(first);
    expect(smtp.connections).toBe(1);
    expect(prober.stats().probes).toBe(1);
  });
});
