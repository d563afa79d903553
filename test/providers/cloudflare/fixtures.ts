/**
 * Shared set-up of the Cloudflare provider tests: a fake API per test file, a timer
 * that does not wait, and a log that keeps its lines.
 */
import { afterAll, beforeAll, expect } from "vitest";
import {
  type CloudflareSession,
  createCloudflareSession,
  RateLimiter,
  type Timer,
} from "../../../src/providers/cloudflare-client.js";
import {
  CLOUDFLARE_OPENAPI_SUBSET,
  type CloudflareFake,
  startCloudflareFake,
} from "../../support/cloudflare-fake/index.js";
import { reportMissingShared, sharedPath } from "../../support/shared.js";

/** Whether the OpenAPI subset is present, so the fake validates every request. */
export const canValidate = sharedPath(CLOUDFLARE_OPENAPI_SUBSET) !== null;
if (!canValidate) reportMissingShared(CLOUDFLARE_OPENAPI_SUBSET);

/** A timer whose sleeps return at once and move its clock forward; it keeps every sleep. */
export interface ManualTimer extends Timer {
  sleeps: number[];
  advance(ms: number): void;
}

export function manualTimer(): ManualTimer {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface LogLines {
  lines: string[];
  log: (line: string) => void;
}

export function captureLog(): LogLines {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/**
 * Starts one fake for the test file and checks, after the last test, that no request it
 * received broke the OpenAPI description.
 */
export function useCloudflareFake(): () => CloudflareFake {
  let fake: CloudflareFake | undefined;
  beforeAll(async () => {
    fake = await startCloudflareFake();
  });
  afterAll(async () => {
    const invalid = fake?.invalidRequests() ?? [];
    await fake?.close();
    expect(
      invalid.map(
        (request) => `${request.method} ${request.path}: ${JSON.stringify(request.problems)}`,
      ),
    ).toEqual([]);
  });
  return () => {
    if (!fake) throw new Error("the Cloudflare fake has not started");
    return fake;
  };
}

/** Creates a session of its own against the fake, with a timer that does not wait. */
export function fakeSession(
  fake: CloudflareFake,
  timer: Timer = manualTimer(),
  log?: (line: string) => void,
): CloudflareSession {
  return createCloudflareSession({
    apiToken: fake.token,
    baseUrl: fake.baseUrl,
    timer,
    rateLimit: new RateLimiter({ timer }),
    log,
  });
}
