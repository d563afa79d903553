import { describe, expect, it } from "vitest";
import { createCloudflareDns } from "../../../src/providers/dns/cloudflare.js";
import { createCloudflareWorkerHost } from "../../../src/providers/hosting/cloudflare-worker.js";
import { captureLog, fakeSession, useCloudflareFake } from "./fixtures.js";

const fake = useCloudflareFake();

/**
 * Runs the calls an apply makes for `count` new domains, each in a zone of its own: read
 * the TXT records and the hosted policies, publish every policy, then write each
 * domain's records. DNS and hosting share one session, as they do in a run.
 */
async function applyFleet(prefix: string, count: number) {
  const domains = Array.from({ length: count }, (_, index) => `${prefix}-${index}.example`);
  for (const domain of domains) fake().account.addZone(domain);

  const session = fakeSession(fake());
  const log = captureLog().log;
  const dns = createCloudflareDns({ name: "dns", apiToken: fake().token, log, session });
  const host = createCloudflareWorkerHost({
    name: "policies",
    apiToken: fake().token,
    accountId: fake().accountId,
    scriptName: `${prefix}-policies`,
    log,
    session,
  });
  fake().clearRequests();

  for (const domain of domains) await dns.readTxt(domain);
  await host.list();
  await host.publish(
    domains.map((domain) => ({
      domain,
      body: `version: STSv1\r\nmode: testing\r\nmx: mx.${domain}\r\nmax_age: 86400\r\n`,
    })),
  );
  for (const domain of domains) {
    await dns.writeTxt(domain, [
      { name: `_mta-sts.${domain}`, values: ["v=STSv1; id=20260101T000000Z;"] },
      { name: `_smtp._tls.${domain}`, values: [`v=TLSRPTv1; rua=mailto:tls@${domain}`] },
    ]);
  }
  return { session };
}

describe("cloudflare apply call count", () => {
  it.each([10, 200])("stays within 3 calls per domain for %i domains", async (count) => {
    const { session } = await applyFleet(`fleet${count}`, count);
    const zonePages = Math.ceil(fake().account.zones.length / 50);

    expect(fake().count("GET /zones")).toBe(zonePages);
    expect(fake().count("GET /zones/{zone_id}/dns_records")).toBe(count);
    expect(fake().count("POST /zones/{zone_id}/dns_records/batch")).toBe(count);
    expect(fake().count("PUT /accounts/{account_id}/workers/domains")).toBe(count);
    expect(fake().count("POST /accounts/{account_id}/workers/workers/{worker_id}/versions")).toBe(
      1,
    );
    // The download (404 for a new Worker), the custom-domain list and the Worker creation.
    expect(fake().count() - 3 * count - zonePages - 1).toBe(3);
    expect(session.requestCount()).toBe(fake().count());
  });
});
