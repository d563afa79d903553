import { describe, expect, it } from "vitest";
import {
  createCloudflareSession,
  type ListPage,
  listAll,
  parseRetryAfter,
  RateLimiter,
  sharedCloudflareSession,
} from "../../../src/providers/cloudflare-client.js";
import { captureLog, manualTimer, useCloudflareFake } from "./fixtures.js";

const fake = useCloudflareFake();

function session(timer = manualTimer(), log = captureLog().log, maxAttempts?: number) {
  return createCloudflareSession({
    apiToken: fake().token,
    baseUrl: fake().baseUrl,
    timer,
    rateLimit: new RateLimiter({ timer }),
    log,
    ...(maxAttempts ? { retry: { maxAttempts } } : {}),
  });
}

describe("RateLimiter", () => {
  it("keeps every five-minute window at 1,100 requests", async () => {
    const timer = manualTimer();
    const limiter = new RateLimiter({ timer });
    const sentAt: number[] = [];

    for (let index = 0; index < 3_000; index++) {
      await limiter.acquire();
      sentAt.push(timer.now());
    }

    let maxInWindow = 0;
    let start = 0;
    for (let end = 0; end < sentAt.length; end++) {
      while ((sentAt[end] ?? 0) - (sentAt[start] ?? 0) >= 300_000) start++;
      maxInWindow = Math.max(maxInWindow, end - start + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(1_100);
    expect(maxInWindow).toBeGreaterThan(1_000);
  });

  it("sends the burst without waiting", async () => {
    const timer = manualTimer();
    const limiter = new RateLimiter({ timer, burst: 10, requests: 100, windowMs: 1_000 });

    for (let index = 0; index < 10; index++) await limiter.acquire();
    expect(timer.sleeps).toEqual([]);

    await limiter.acquire();
    expect(timer.sleeps).toEqual([12]);
  });

  it("serves concurrent callers in order", async () => {
    const timer = manualTimer();
    const limiter = new RateLimiter({ timer, burst: 1, requests: 11, windowMs: 10_000 });
    const order: number[] = [];

    await Promise.all([0, 1, 2, 3].map((index) => limiter.acquire().then(() => order.push(index))));

    expect(order).toEqual([0, 1, 2, 3]);
    expect(timer.now()).toBe(3_000);
  });

  it("rejects a burst above the limit", () => {
    expect(() => new RateLimiter({ requests: 10, burst: 10 })).toThrow("invalid rate limit");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    ["7", 7_000],
    ["0", 0],
    ["Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
    ["Wed, 31 Dec 2025 23:00:00 GMT", 0],
    ["soon", null],
    [null, null],
  ])("reads %s", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("cloudflare session retries", () => {
  it("waits for Retry-After on 429", async () => {
    const timer = manualTimer();
    const log = captureLog();
    fake().inject({ route: "GET /zones", status: 429, retryAfter: 3, times: 2 });
    fake().clearRequests();

    const zones = await session(timer, log.log).client.zones.list({ per_page: 5 });

    expect(zones.result).toBeInstanceOf(Array);
    expect(fake().count("GET /zones")).toBe(3);
    expect(timer.sleeps).toEqual([3_000, 3_000]);
    expect(log.lines[0]).toBe(
      "cloudflare: retry GET /zones after HTTP 429 attempt=2/5 wait_ms=3000",
    );
  });

  it("backs off exponentially on 5xx", async () => {
    const timer = manualTimer();
    fake().inject({ route: "GET /zones", status: 502, times: 3 });

    await session(timer).client.zones.list({ per_page: 5 });

    expect(timer.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it("gives up after the last attempt", async () => {
    const timer = manualTimer();
    fake().inject({ route: "GET /zones", status: 500, times: 3 });
    fake().clearRequests();

    await expect(session(timer, undefined, 3).client.zones.list({ per_page: 5 })).rejects.toThrow(
      /500/,
    );
    expect(fake().count("GET /zones")).toBe(3);
  });

  it("does not retry a client error", async () => {
    fake().inject({
      route: "GET /zones",
      status: 400,
      errors: [{ code: 1001, message: "bad request" }],
    });
    fake().clearRequests();

    await expect(session().client.zones.list({ per_page: 5 })).rejects.toThrow(/bad request/);
    expect(fake().count("GET /zones")).toBe(1);
  });

  it("counts requests with retries", async () => {
    const own = session();
    fake().inject({ route: "GET /zones", status: 429, retryAfter: 1 });

    await own.client.zones.list({ per_page: 5 });

    expect(own.requestCount()).toBe(2);
  });

  it("shares one session per token and URL", () => {
    const first = sharedCloudflareSession({ apiToken: "token-a", baseUrl: fake().baseUrl });
    const again = sharedCloudflareSession({ apiToken: "token-a", baseUrl: `${fake().baseUrl}/` });
    const other = sharedCloudflareSession({ apiToken: "token-b", baseUrl: fake().baseUrl });

    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it("redacts the token", () => {
    const own = session();
    expect(own.redact(`Bearer ${fake().token}`)).toBe("Bearer ***");
  });
});

describe("listAll", () => {
  function pages(sizes: number[], info: (page: number) => ListPage<number>["result_info"]) {
    let requested = 0;
    const make = (page: number): ListPage<number> => ({
      result: Array.from({ length: sizes[page - 1] ?? 0 }, (_, index) => page * 100 + index),
      result_info: info(page),
      getNextPage: async () => {
        requested++;
        return make(page + 1);
      },
    });
    return { first: Promise.resolve(make(1)), requested: () => requested };
  }

  it("stops at total_pages", async () => {
    const list = pages([2, 2, 1], (page) => ({ page, per_page: 2, total_pages: 3 }));

    const items = await listAll(list.first);

    expect(items).toEqual([100, 101, 200, 201, 300]);
    expect(list.requested()).toBe(2);
  });

  it("stops at a short page without total_pages", async () => {
    const list = pages([2, 1], () => ({ per_page: 2 }));

    expect(await listAll(list.first)).toEqual([100, 101, 200]);
    expect(list.requested()).toBe(1);
  });

  it("stops at an empty page", async () => {
    const list = pages([2, 0], () => ({}));

    expect(await listAll(list.first)).toEqual([100, 101]);
    expect(list.requested()).toBe(1);
  });
});
