import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDnsClient, type DnsClient } from "../../src/observe/dns-client.js";
import { fetchPolicy, type PolicyFetchOptions } from "../../src/observe/policy-fetch.js";
import type { PolicyFetch } from "../../src/observe/types.js";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";
import { type DnsServer, startDnsServer } from "../../src/sandbox/dns-server.js";
import { type PolicyHostServer, type Site, startPolicyHost } from "../../src/sandbox/https-host.js";
import { repoRoot } from "../support/shared.js";

/** Bound per phase for fetches that should succeed; generous so a loaded CI machine passes. */
const TIMEOUT_MS = 3000;
/** Bound per phase for fetches from a host that never answers. */
const HANG_TIMEOUT_MS = 300;
const SLACK_MS = 1500;
const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n";

let ca: TestCa;
let host: PolicyHostServer;
let dnsServer: DnsServer;
let dns: DnsClient;

function fixture(name: string): Buffer {
  return readFileSync(path.join(repoRoot, "test", "fixtures", "cases", name));
}

/** Fetches the policy of `domain` through the connect-to map to the policy host. */
function fetchVia(
  domain: string,
  overrides: Partial<PolicyFetchOptions> = {},
): Promise<PolicyFetch> {
  return fetchPolicy(domain, {
    resolveAddresses: (name) => dns.lookupAddresses(name),
    connectTo: { [`mta-sts.${domain}:443`]: host.endpoint },
    allowPrivateAddresses: true,
    trustedCaPem: [ca.certPem],
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  });
}

/** Serves `site` at mta-sts.<domain> and fetches it. */
function serveAndFetch(domain: string, site: Site, overrides: Partial<PolicyFetchOptions> = {}) {
  host.setSite(`mta-sts.${domain}`, site);
  return fetchVia(domain, overrides);
}

function success(result: PolicyFetch) {
  if (!result.ok) {
    throw new Error(`expected a policy, got ${result.reason}: ${result.detail}`);
  }
  return result;
}

function failure(result: PolicyFetch) {
  if (result.ok) {
    throw new Error(`expected a failed fetch, got the body ${JSON.stringify(result.body)}`);
  }
  return result;
}

beforeAll(async () => {
  ca = await createTestCa();
  host = await startPolicyHost({ ca });
  dnsServer = await startDnsServer({
    zones: [
      {
        name: "example.test",
        records: {
          "mta-sts.loopback.example.test": { A: ["127.0.0.1"] },
          "mta-sts.private.example.test": { A: ["10.1.2.3"] },
        },
      },
    ],
  });
  dns = createDnsClient({
    resolvers: [dnsServer.endpoint],
    authoritative: false,
    timeoutMs: 500,
    attempts: 2,
    allowPrivateAddresses: true,
  });
});

afterAll(async () => {
  dns.close();
  await host.close();
  await dnsServer.close();
});

describe("policy fetch case files", () => {
  it("accepts a content type with a charset", async () => {
    const raw = fixture("37-fetch-content-type-with-charset.http.txt");
    const expectedBody = raw.subarray(raw.indexOf("\r\n\r\n") + 4).toString("utf8");

    const result = success(await serveAndFetch("example.com", { kind: "raw", response: raw }));

    expect(result.body).toBe(expectedBody);
    expect(result.contentType).toBe("text/plain; charset=utf-8");
  });

  it("reports a 301 without following it", async () => {
    const raw = fixture("38-fetch-redirect-301.http.txt");
    host.setSite("www.example.com", { kind: "body", body: POLICY });

    const result = failure(
      await serveAndFetch(
        "redirect.example.com",
        { kind: "raw", response: raw },
        {
          connectTo: {
            "mta-sts.redirect.example.com:443": host.endpoint,
            "www.example.com:443": host.endpoint,
          },
        },
      ),
    );

    expect(result.reason).toBe("redirect");
    expect(result.status).toBe(301);
    expect(result.location).toBe("https://www.example.com/.well-known/mta-sts.txt");
    expect(result.detail).toMatch(/forbids following redirects/);
    expect(host.requestCount("www.example.com")).toBe(0);
  });
});

describe("policy fetch responses", () => {
  it("returns the body and the address", async () => {
    const result = await serveAndFetch("ok.example", { kind: "body", body: POLICY });

    expect(result).toEqual({
      ok: true,
      url: "https://mta-sts.ok.example/.well-known/mta-sts.txt",
      contentType: "text/plain",
      body: POLICY,
      address: host.endpoint,
    });
  });

  it("returns the Last-Modified header as sent", async () => {
    const lastModified = "Wed, 03 Dec 2025 10:00:00 GMT";
    const site: Site = { kind: "body", body: POLICY, headers: { "Last-Modified": lastModified } };

    const result = success(await serveAndFetch("modified.example", site));

    expect(result.lastModified).toBe(lastModified);
  });

  it("keeps a byte order mark in the body", async () => {
    const result = success(
      await serveAndFetch("bom.example", { kind: "body", body: `\ufeff${POLICY}` }),
    );

    expect(result.body.startsWith("\ufeff")).toBe(true);
  });

  it("sends no-cache and the policy host name", async () => {
    await serveAndFetch("headers.example", { kind: "body", body: POLICY });
    const request = host.lastRequest("mta-sts.headers.example");

    expect(request?.method).toBe("GET");
    expect(request?.path).toBe("/.well-known/mta-sts.txt");
    expect(request?.headers["cache-control"]).toBe("no-cache");
    expect(request?.headers.host).toBe("mta-sts.headers.example");
  });

  it("accepts the media type in any case", async () => {
    const site: Site = { kind: "body", body: POLICY, contentType: "Text/Plain; Charset=UTF-8" };

    const result = await serveAndFetch("case.example", site);

    expect(result.ok).toBe(true);
  });

  it.each([
    [404, "status"],
    [500, "status"],
    [204, "status"],
    [302, "redirect"],
  ] as const)("HTTP %i fails with %s", async (status, reason) => {
    const result = failure(
      await serveAndFetch(`s${status}.example`, { kind: "body", body: "x", status }),
    );

    expect(result.reason).toBe(reason);
    expect(result.status).toBe(status);
  });

  it("rejects text/html", async () => {
    const site: Site = { kind: "body", body: POLICY, contentType: "text/html; charset=utf-8" };

    const result = failure(await serveAndFetch("html.example", site));

    expect(result.reason).toBe("media-type");
    expect(result.contentType).toBe("text/html; charset=utf-8");
  });

  it("rejects a missing content type", async () => {
    const result = failure(
      await serveAndFetch("notype.example", { kind: "body", body: POLICY, contentType: null }),
    );

    expect(result.reason).toBe("media-type");
    expect(result.detail).toMatch(/no Content-Type/);
  });

  it("aborts a streamed body past 64 KiB", async () => {
    const result = failure(
      await serveAndFetch("big.example", { kind: "oversize", bytes: 1_000_000 }),
    );

    expect(result.reason).toBe("too-large");
    expect(result.detail).toMatch(/65536-byte limit/);
  });

  it("rejects a declared length past 64 KiB", async () => {
    const site: Site = { kind: "oversize", bytes: 70_000, declareLength: true };

    const result = failure(await serveAndFetch("declared.example", site));

    expect(result.reason).toBe("too-large");
    expect(result.detail).toMatch(/Content-Length 70000/);
  });

  it("accepts a body of exactly 64 KiB", async () => {
    const body = `${POLICY}${"#".repeat(65_536 - POLICY.length)}`;

    const result = await serveAndFetch("limit.example", { kind: "body", body });

    expect(result.ok).toBe(true);
  });
});

describe("policy fetch certificates", () => {
  it.each([
    ["wrong-name", /not valid for mta-sts\.wrong-name\.example; it covers wrong-name\.invalid/],
    ["expired", /has expired/],
    ["untrusted", /does not chain to a trusted root/],
    ["cn-only", /not valid for mta-sts\.cn-only\.example; it covers no DNS names/],
    ["no-intermediate", /does not chain to a trusted root/],
  ] as const)("%s certificate fails", async (certificate, detail) => {
    const site: Site = { kind: "body", body: POLICY, certificate };

    const result = failure(await serveAndFetch(`${certificate}.example`, site));

    expect(result.reason).toBe("certificate");
    expect(result.detail).toMatch(detail);
    expect(host.requestCount(`mta-sts.${certificate}.example`)).toBe(0);
  });

  it("rejects the run CA when it is not trusted", async () => {
    const site: Site = { kind: "body", body: POLICY };

    const result = failure(await serveAndFetch("notrust.example", site, { trustedCaPem: [] }));

    expect(result.reason).toBe("certificate");
  });

  it("accepts a wildcard for one label", async () => {
    const wildcard = await ca.issue(["*.example.org"]);

    const result = await serveAndFetch("example.org", {
      kind: "body",
      body: POLICY,
      certificate: wildcard,
    });

    expect(result.ok).toBe(true);
  });

  it("rejects a wildcard for two labels", async () => {
    const wildcard = await ca.issue(["*.example.org"]);
    const site: Site = { kind: "body", body: POLICY, certificate: wildcard };

    const result = failure(await serveAndFetch("sub.example.org", site));

    expect(result.reason).toBe("certificate");
    expect(result.detail).toMatch(/it covers \*\.example\.org/);
  });
});

describe("policy fetch connections", () => {
  it.each(["handshake", "response"] as const)(
    "hang during %s times out within the bound",
    async (during) => {
      const started = Date.now();

      const result = failure(
        await serveAndFetch(
          `hang-${during}.example`,
          { kind: "hang", during },
          { timeoutMs: HANG_TIMEOUT_MS },
        ),
      );

      expect(result.reason).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(HANG_TIMEOUT_MS * 3 + SLACK_MS);
    },
  );

  it("names the timed-out phase", async () => {
    const result = failure(
      await serveAndFetch(
        "hang-phase.example",
        { kind: "hang", during: "response" },
        { timeoutMs: HANG_TIMEOUT_MS },
      ),
    );

    expect(result.detail).toBe(`timed out waiting for the response after ${HANG_TIMEOUT_MS} ms`);
  });

  it("rejects a loopback address from DNS by default", async () => {
    host.setSite("mta-sts.loopback.example.test", { kind: "body", body: POLICY });
    const before = host.requestCount("mta-sts.loopback.example.test");

    const result = failure(
      await fetchVia("loopback.example.test", {
        allowPrivateAddresses: false,
        connectTo: { "mta-sts.loopback.example.test:443": `:${host.port}` },
      }),
    );

    expect(result.reason).toBe("address-blocked");
    expect(result.detail).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(host.requestCount("mta-sts.loopback.example.test")).toBe(before);
  });

  it("connects to a loopback address from DNS when allowed", async () => {
    host.setSite("mta-sts.loopback.example.test", { kind: "body", body: POLICY });

    const result = success(
      await fetchVia("loopback.example.test", {
        connectTo: { "mta-sts.loopback.example.test:443": `:${host.port}` },
      }),
    );

    expect(result.address).toBe(host.endpoint);
  });

  it("rejects a private address from DNS", async () => {
    const result = failure(
      await fetchVia("private.example.test", { allowPrivateAddresses: false, connectTo: {} }),
    );

    expect(result.reason).toBe("address-blocked");
    expect(result.detail).toMatch(/10\.1\.2\.3 is a private address/);
  });

  it("rejects a loopback connect-to target by default", async () => {
    const result = failure(
      await serveAndFetch(
        "guarded.example",
        { kind: "body", body: POLICY },
        { allowPrivateAddresses: false },
      ),
    );

    expect(result.reason).toBe("address-blocked");
  });

  it("reports a host without addresses as dns", async () => {
    const result = failure(await fetchVia("missing.example.test", { connectTo: {} }));

    expect(result.reason).toBe("dns");
    expect(result.detail).toMatch(/mta-sts\.missing\.example\.test has no usable address/);
  });

  it("reports a refused connection", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = failure(
      await fetchVia("refused.example", {
        connectTo: { "mta-sts.refused.example:443": `127.0.0.1:${port}` },
      }),
    );

    expect(result.reason).toBe("connect");
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });

  it("matches connect-to keys case-insensitively", async () => {
    host.setSite("mta-sts.mixed.example", { kind: "body", body: POLICY });

    const result = await fetchVia("Mixed.Example", {
      connectTo: { "MTA-STS.mixed.example:443": host.endpoint },
    });

    expect(result.ok).toBe(true);
  });
});
