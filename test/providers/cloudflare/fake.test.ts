import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudflareFake, startCloudflareFake } from "../../support/cloudflare-fake/index.js";
import { canValidate } from "./fixtures.js";

describe("cloudflare fake", () => {
  let fake: CloudflareFake;
  beforeAll(async () => {
    fake = await startCloudflareFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${fake.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${fake.token}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });

  it.skipIf(!canValidate)("rejects and records a malformed batch", async () => {
    const zone = fake.account.addZone("malformed.example");
    fake.clearRequests();

    const response = await call(`/zones/${zone.id}/dns_records/batch`, {
      method: "POST",
      body: JSON.stringify({
        posts: [{ name: "_mta-sts.malformed.example", type: "TXT", content: 42 }],
      }),
    });
    const body = (await response.json()) as { errors: Array<{ message: string }> };

    expect(response.status).toBe(400);
    expect(body.errors[0]?.message).toContain("body /posts/0/content: must be string");
    expect(body.errors[0]?.message).toContain("body /posts/0: must have required property 'ttl'");
    expect(fake.invalidRequests()).toHaveLength(1);
    expect(fake.account.recordsOf(zone)).toEqual([]);
  });

  it.skipIf(!canValidate)("rejects an unknown query parameter", async () => {
    fake.clearRequests();

    const response = await call("/zones?name[exact]=example.com");

    expect(response.status).toBe(400);
    expect(fake.invalidRequests()[0]?.problems).toEqual([
      { in: "query", at: "name[exact]", message: 'unknown query parameter "name[exact]"' },
    ]);
  });

  it("rejects a wrong token", async () => {
    const response = await fetch(`${fake.baseUrl}/zones`, {
      headers: { authorization: "Bearer wrong" },
    });

    expect(response.status).toBe(403);
  });

  it("returns an empty page past the last", async () => {
    for (let index = 0; index < 7; index++) fake.account.addZone(`paged-${index}.example`);
    const total = fake.account.zones.length;

    const response = await call(`/zones?page=${Math.ceil(total / 5) + 1}&per_page=5`);
    const body = (await response.json()) as {
      result: unknown[];
      result_info: Record<string, number>;
    };

    expect(body.result).toEqual([]);
    expect(body.result_info.total_count).toBe(total);
    expect(body.result_info.total_pages).toBe(Math.ceil(total / 5));
  });

  it("sends an injected 429 with Retry-After", async () => {
    fake.inject({ route: "GET /zones", status: 429, retryAfter: 7 });

    const first = await call("/zones");
    const second = await call("/zones");

    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expect(second.status).toBe(200);
  });

  it("returns records in the API's shape", async () => {
    const zone = fake.account.addZone("shape.example");
    fake.account.addRecord(zone, {
      name: "_mta-sts.shape.example",
      type: "TXT",
      content: '"v=STSv1; id=1;"',
    });

    const response = await call(`/zones/${zone.id}/dns_records`);
    const body = (await response.json()) as { result: Array<Record<string, unknown>> };
    const record = body.result[0] ?? {};

    expect(record.id).toMatch(/^[0-9a-f]{32}$/);
    expect(record.comment).toBeNull();
    expect(record.tags).toEqual([]);
    expect(record.content).toBe('"v=STSv1; id=1;"');
    expect(typeof record.created_on).toBe("string");
    expect(typeof record.modified_on).toBe("string");
  });

  it("splits a quoted string over 255 bytes", async () => {
    const zone = fake.account.addZone("autosplit.example");

    await call(`/zones/${zone.id}/dns_records/batch`, {
      method: "POST",
      body: JSON.stringify({
        posts: [
          {
            name: "_smtp._tls.autosplit.example",
            type: "TXT",
            content: `"${"x".repeat(300)}"`,
            ttl: 1,
          },
        ],
      }),
    });

    expect(fake.account.recordsOf(zone)[0]?.content).toBe(
      `"${"x".repeat(255)}" "${"x".repeat(45)}"`,
    );
  });
});
