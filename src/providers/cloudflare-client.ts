/**
 * The Cloudflare API client shared by the DNS provider and the Worker policy host: the
 * official SDK with our own retries and a client-side rate limit, so every request of a
 * run, including SDK pagination, goes through one budget.
 *
 * Cloudflare allows 1,200 API requests per five minutes per user and blocks every call
 * for the next five minutes when a user goes over
 * (https://developers.cloudflare.com/fundamentals/api/reference/limits/). A fleet apply
 * of 1,000 domains sends about 3,000, so the limiter paces the run instead.
 */
import { createHash } from "node:crypto";
import Cloudflare, { APIConnectionError, APIError } from "cloudflare";

export const CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4";

export type Log = (line: string) => void;

/** Time source for retries and the rate limiter. Tests pass one that does not wait. */
export interface Timer {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Resolves after `ms` milliseconds, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timeout = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timeout);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface RateLimitOptions {
  /** Requests allowed in any window of `windowMs`. */
  requests: number;
  windowMs: number;
  /** Requests that may go out at once before pacing starts, counted in `requests`. */
  burst: number;
  timer: Timer;
}

/**
 * A token bucket of up to `burst` tokens that refills `requests - burst` tokens per
 * window, so no window of `windowMs` ever has more than `requests` requests. The
 * default of 1,100 per five minutes leaves room under Cloudflare's 1,200 for the
 * dashboard and other tools that use the same account.
 */
export class RateLimiter {
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly timer: Timer;
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: Partial<RateLimitOptions> = {}) {
    const requests = options.requests ?? 1_100;
    const windowMs = options.windowMs ?? 300_000;
    const burst = options.burst ?? 50;
    if (!(burst >= 1 && burst < requests && windowMs > 0)) {
      throw new Error(
        `invalid rate limit: burst ${burst} must be at least 1 and below requests ${requests}`,
      );
    }

    this.capacity = burst;
    this.refillPerMs = (requests - burst) / windowMs;
    this.timer = options.timer ?? systemTimer;
    this.tokens = burst;
    this.updatedAt = this.timer.now();
  }

  /** Waits until one more request fits in the budget and takes it. Callers are served in order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      const waitMs = Math.ceil((1 - this.tokens) / this.refillPerMs);
      await this.timer.sleep(waitMs, signal);
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.timer.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = now;
  }
}

export interface RetryOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt when the response has no Retry-After; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for, and the request fails instead. */
  maxRetryAfterMs: number;
  /** Timeout of one attempt in milliseconds, not counting the wait for the rate limit. */
  attemptTimeoutMs: number;
}

const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  // Cloudflare's rate-limit window is five minutes, so no honest Retry-After is longer.
  maxRetryAfterMs: 300_000,
  attemptTimeoutMs: 60_000,
};

export interface CloudflareSessionOptions {
  apiToken: string;
  baseUrl?: string;
  rateLimit?: RateLimiter;
  retry?: Partial<RetryOptions>;
  timer?: Timer;
  log?: Log;
}

/** One SDK client with its rate limiter. Providers key their per-run caches on it. */
export interface CloudflareSession {
  readonly client: Cloudflare;
  readonly baseUrl: string;
  readonly limiter: RateLimiter;
  /** Requests sent so far, retries included. */
  readonly requestCount: () => number;
  /** Replaces every occurrence of the API token in `text` with `***`. */
  readonly redact: (text: string) => string;
}

/**
 * Creates a session of its own. Providers that share a token should share a session (see
 * `sharedCloudflareSession`), so they share the rate limit and the zone list.
 */
export function createCloudflareSession(options: CloudflareSessionOptions): CloudflareSession {
  const baseUrl = (options.baseUrl ?? CLOUDFLARE_API_URL).replace(/\/+$/, "");
  const limiter = options.rateLimit ?? new RateLimiter({ timer: options.timer ?? systemTimer });
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const timer = options.timer ?? systemTimer;
  const log = options.log ?? (() => undefined);
  const token = options.apiToken;
  let count = 0;

  const fetchWithRetries = async (
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const method = (init.method ?? "GET").toUpperCase();
    const where = `${method} ${url.pathname.slice(new URL(baseUrl).pathname.length) || "/"}`;

    for (let attempt = 1; ; attempt++) {
      await limiter.acquire(init.signal ?? undefined);
      count++;

      let response: Response;
      try {
        response = await fetch(input, {
          ...init,
          signal: attemptSignal(init.signal, retry.attemptTimeoutMs),
        });
      } catch (error) {
        // A connection failure may come after the server acted on a POST or PATCH, so only
        // requests that are safe to repeat are sent again.
        const repeatable = ["GET", "HEAD", "PUT", "DELETE"].includes(method);
        if (init.signal?.aborted || !repeatable || attempt >= retry.maxAttempts) throw error;
        const waitMs = backoffMs(attempt, retry);
        log(
          `cloudflare: retry ${where} after connection error "${redactToken((error as Error).message, token)}" attempt=${attempt + 1}/${retry.maxAttempts} wait_ms=${waitMs}`,
        );
        await timer.sleep(waitMs, init.signal ?? undefined);
        continue;
      }

      if (!isRetryableStatus(response.status) || attempt >= retry.maxAttempts) return response;

      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      if (retryAfterMs !== null && retryAfterMs > retry.maxRetryAfterMs) return response;

      // NOTE: a 5xx on a POST is sent again. The batch endpoint applies a batch as one
      // transaction, and a repeated post of an identical record is rejected, so a repeat
      // either applies once or fails with the API's message.
      const waitMs = retryAfterMs ?? backoffMs(attempt, retry);
      log(
        `cloudflare: retry ${where} after HTTP ${response.status} attempt=${attempt + 1}/${retry.maxAttempts} wait_ms=${waitMs}`,
      );
      await response.body?.cancel();
      await timer.sleep(waitMs, init.signal ?? undefined);
    }
  };

  const client = new Cloudflare({
    apiToken: token,
    // Explicit nulls keep the SDK from reading CLOUDFLARE_API_KEY, CLOUDFLARE_EMAIL and
    // CLOUDFLARE_API_USER_SERVICE_KEY, because only the entry points read the environment.
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: baseUrl,
    maxRetries: 0,
    // Attempts time out one by one in fetchWithRetries. This bounds a whole call with its waits.
    timeout: retry.maxAttempts * (retry.attemptTimeoutMs + retry.maxRetryAfterMs),
    fetch: fetchWithRetries,
    logLevel: "off",
  });

  return {
    client,
    baseUrl,
    limiter,
    requestCount: () => count,
    redact: (text) => redactToken(text, token),
  };
}

const sharedSessions = new Map<string, CloudflareSession>();

/**
 * Returns the process-wide session for a token and API URL, creating it on first use, so
 * the DNS provider and the Worker host of one run share one rate limit and one zone list.
 */
export function sharedCloudflareSession(options: {
  apiToken: string;
  baseUrl?: string;
  log?: Log;
}): CloudflareSession {
  const baseUrl = (options.baseUrl ?? CLOUDFLARE_API_URL).replace(/\/+$/, "");
  const tokenHash = createHash("sha256").update(options.apiToken).digest("hex");
  const key = `${baseUrl} ${tokenHash}`;

  const existing = sharedSessions.get(key);
  if (existing) return existing;
  const session = createCloudflareSession({
    apiToken: options.apiToken,
    baseUrl,
    log: options.log,
  });
  sharedSessions.set(key, session);
  return session;
}

/** The options a provider or host gets from the configuration to reach the API. */
export interface SessionChoice {
  apiToken: string;
  baseUrl?: string;
  log: Log;
  /** A limiter of its own; without one the token's shared session is used. */
  rateLimit?: RateLimiter;
  /** A session to share with other providers; it overrides the other options. */
  session?: CloudflareSession;
}

/**
 * Picks the session of a provider or host: the one passed in, a private one for a
 * limiter of its own, or the token's shared session.
 */
export function resolveSession(options: SessionChoice): CloudflareSession {
  if (options.session) return options.session;
  if (options.rateLimit) {
    return createCloudflareSession({
      apiToken: options.apiToken,
      baseUrl: options.baseUrl,
      rateLimit: options.rateLimit,
      log: options.log,
    });
  }
  return sharedCloudflareSession({
    apiToken: options.apiToken,
    baseUrl: options.baseUrl,
    log: options.log,
  });
}

/** A page of a Cloudflare v4 list response as the SDK returns it. */
export interface ListPage<T> {
  result: T[];
  result_info?: { page?: number; per_page?: number; total_pages?: number };
  getNextPage(): Promise<ListPage<T>>;
}

/**
 * Collects every item of a paginated list. The SDK's own iterator requests pages until
 * one comes back empty, which costs one extra request per list, so this stops at
 * `result_info.total_pages` when the API sends it.
 */
export async function listAll<T>(first: PromiseLike<ListPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let page = await first;

  for (;;) {
    items.push(...page.result);
    if (!hasMorePages(page)) return items;
    page = await page.getNextPage();
  }
}

function hasMorePages<T>(page: ListPage<T>): boolean {
  if (page.result.length === 0) return false;

  const info = page.result_info ?? {};
  if (typeof info.page === "number" && typeof info.total_pages === "number") {
    return info.page < info.total_pages;
  }
  if (typeof info.per_page === "number") return page.result.length >= info.per_page;
  return true;
}

/**
 * Returns the API's own reason for a failed call, e.g. `9005 Content for TXT record is
 * invalid`, or the connection error, with the token removed.
 */
export function describeApiError(error: unknown, redact: (text: string) => string): string {
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return redact(`${error.message}${cause}`);
  }

  if (error instanceof APIError) {
    const reasons = (error.errors ?? [])
      .map((item) => {
        const entry = item as { code?: unknown; message?: unknown };
        return [entry.code, entry.message]
          .filter((part) => part !== undefined && part !== "")
          .join(" ");
      })
      .filter((reason) => reason !== "");
    const status = error.status ? `HTTP ${error.status}` : "no HTTP status";
    return redact(reasons.length > 0 ? reasons.join("; ") : `${status}: ${error.message}`);
  }

  return redact(error instanceof Error ? error.message : String(error));
}

/**
 * Removes the token from an error and every error in its `cause` chain, in place, so
 * logging any of them is safe: the message, the stack (which repeats the message) and
 * the API's parsed error body.
 */
export function redactErrorChain<T>(error: T, redact: (text: string) => string): T {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    current.message = redact(current.message);
    if (current.stack) current.stack = redact(current.stack);

    if (current instanceof APIError) {
      const body = current as { error: unknown; errors: unknown };
      body.error = redactJson(body.error, redact);
      body.errors = redactJson(body.errors, redact);
    }
    current = current.cause;
  }
  return error;
}

function redactJson(value: unknown, redact: (text: string) => string): unknown {
  if (value === undefined) return value;
  return JSON.parse(redact(JSON.stringify(value)));
}

/** Tells whether the error is the API's 404, e.g. for a Worker that does not exist yet. */
export function isNotFound(error: unknown): boolean {
  return error instanceof APIError && error.status === 404;
}

function redactToken(text: string, token: string): string {
  return token.length === 0 ? text : text.replaceAll(token, "***");
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

function backoffMs(attempt: number, retry: RetryOptions): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

/** Reads Retry-After as seconds or as an HTTP date (RFC 9110 section 10.2.3); null when absent or invalid. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === "") return null;

  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;

  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

function attemptSignal(
  callerSignal: AbortSignal | null | undefined,
  timeoutMs: number,
): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
}
