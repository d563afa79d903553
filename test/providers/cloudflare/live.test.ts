import { Resolver } from "node:dns/promises";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudflareDns } from "../../../src/providers/dns/cloudflare.js";
import { createCloudflareWorkerHost } from "../../../src/providers/hosting/cloudflare-worker.js";
import { createTestCa, type TestCa } from "../../../src/sandbox/ca.js";
import { type DnsServer, startDnsServer } from "../../../src/sandbox/dns-server.js";
import { type LiveBridge, startLiveBridge } from "../../support/cloudflare-fake/index.js";
import { captureLog, fakeSession, useCloudflareFake } from "./fixtures.js";

const fake = useCloudflareFake();
const POLICY = "version: STSv1\r\nmode: testing\r\nmx: mx.live.example\r\nmax_age: 86400\r\n";

interface Fetched {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Fetches a URL path from `host` at `address`, trusting only the run's test CA. */
function fetchOverTls(
  ca: TestCa,
  host: string,
  address: string,
  port: number,
  path: string,
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host: address, port, path, servername: host, headers: { host }, ca: ca.certPem },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    request.on("error", reject);
  });
}

describe("cloudflare fake live loop", () => {
  let ca: TestCa;
  let dns: DnsServer;
  let bridge: LiveBridge;
  let resolver: Resolver;

  beforeAll(async () => {
    ca = await createTestCa();
    dns = await startDnsServer();
    bridge = await startLiveBridge(fake(), { ca, dns });
    resolver = new Resolver();
    resolver.setServers([dns.endpoint]);
  });

  afterAll(async () => {
    await bridge.close();
    await dns.close();
  });

  it("serves written records and the published policy", async () => {
    fake().account.addZone("live.example");
    bridge.pushDns();
    const session = fakeSession(fake());
    const log = captureLog().log;
    const provider = createCloudflareDns({ name: "dns", apiToken: fake().token, log, session });
    const host = createCloudflareWorkerHost({
      name: "policies",
      apiToken: fake().token,
      accountId: fake().accountId,
      scriptName: "live-policies",
      log,
      session,
    });
    const rua = `v=TLSRPTv1; rua=${Array.from({ length: 10 }, (_, i) => `mailto:tls-${i}@reports.live.example`).join(",")}`;

    await host.publish([{ domain: "live.example", body: POLICY }]);
    await provider.writeTxt("live.example", [
      { name: "_mta-sts.live.example", values: ["v=STSv1; id=20261204T120000Z;"] },
      { name: "_smtp._tls.live.example", values: [rua] },
    ]);

    expect(await resolver.resolveTxt("_mta-sts.live.example")).toEqual([
      ["v=STSv1; id=20261204T120000Z;"],
    ]);
    const tlsRpt = await resolver.resolveTxt("_smtp._tls.live.example");
    expect(tlsRpt[0]?.length).toBe(2);
    expect(tlsRpt[0]?.join("")).toBe(rua);

    const [address] = await resolver.resolve4("mta-sts.live.example");
    expect(address).toBe(bridge.address);
    const policy = await fetchOverTls(
      ca,
      "mta-sts.live.example",
      address ?? "",
      bridge.port,
      "/.well-known/mta-sts.txt",
    );
    expect(policy).toEqual({ status: 200, contentType: "text/plain; charset=utf-8", body: POLICY });

    const other = await fetchOverTls(
      ca,
      "mta-sts.live.example",
      address ?? "",
      bridge.port,
      "/index.html",
    );
    expect(other.status).toBe(404);
  });
});
