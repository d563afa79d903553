/**
 * Checks that published policies are served at their live URL before any `_mta-sts`
 * record points senders at them. RFC 8461 section 8.1: a sender that reads a new id
 * while the old body is still served caches the old body under the new id, and does
 * not fetch again until the id changes once more or max_age runs out.
 */

import type { PolicyFetch } from "../observe/types.js";
import { describeFetchFailure } from "../plan/live-findings.js";
import { mapConcurrent } from "./concurrency.js";
import { errorMessage, logLine } from "./log.js";
import type { ApplyClock } from "./types.js";

/**
 * Kind of match between a served body and the published one: byte for byte, or equal once CRLF and
 * LF line endings (and one final line ending) are treated alike.
 */
export type BodyMatch = "exact" | "line-endings";

export interface VerifyRequest {
  /** The published body per domain. */
  expected: Map<string, string>;
  verifyPolicy: (domain: string) => Promise<PolicyFetch>;
  clock: ApplyClock;
  /** Deadline in ms after the first round, shared by every domain of the run. */
  timeoutMs: number;
  /** Time in ms between rounds; must be at least 1. */
  intervalMs: number;
  /** Maximum number of fetches in flight at once. */
  concurrency: number;
  /** Receives one line per round that leaves domains waiting. */
  log?: (line: string) => void;
  /**
   * Runs as soon as a domain's policy is served, inside the round, so its record can be
   * written without waiting for slower domains. It must catch its own errors.
   */
  onVerified?: (outcome: VerifyOutcome) => Promise<void>;
}

export interface VerifyOutcome {
  domain: string;
  verified: boolean;
  match: BodyMatch | null;
  /** Number of fetches made for the domain. */
  attempts: number;
  /** Reason the last fetch did not match, or null once the policy is served. */
  lastFailure: string | null;
}

function normalizeLineEndings(body: string): string {
  return body.replace(/\r\n?/g, "\n").replace(/\n$/, "");
}

/**
 * Compares a served body with the published one. Accepts a host that re-encodes line
 * endings (a static site checked out with LF), because RFC 8461 section 3.2 lets
 * senders parse LF as well as CRLF. Any other difference means the host serves
 * something else, such as the previous body from a cache, so it does not match.
 */
export function compareServedBody(published: string, served: string): BodyMatch | null {
  if (served === published) return "exact";
  if (normalizeLineEndings(served) === normalizeLineEndings(published)) return "line-endings";
  return null;
}

/** Describes the first line where the served body differs from the published one. */
export function describeMismatch(published: string, served: string): string {
  const expected = normalizeLineEndings(published).split("\n");
  const actual = normalizeLineEndings(served).split("\n");
  const length = Math.max(expected.length, actual.length);

  for (let index = 0; index < length; index += 1) {
    if (expected[index] === actual[index]) continue;
    const got = actual[index] === undefined ? "the end of the body" : JSON.stringify(actual[index]);
    const want =
      expected[index] === undefined ? "the end of the body" : JSON.stringify(expected[index]);
    return `the served body differs from the published one at line ${index + 1}: ${got} instead of ${want}`;
  }
  return "the served body differs from the published one";
}

async function fetchOnce(
  request: VerifyRequest,
  outcome: VerifyOutcome,
  published: string,
): Promise<void> {
  outcome.attempts += 1;

  let fetch: PolicyFetch;
  try {
    fetch = await request.verifyPolicy(outcome.domain);
  } catch (error) {
    outcome.lastFailure = `the policy fetch raised an error: ${errorMessage(error)}`;
    return;
  }

  if (!fetch.ok) {
    outcome.lastFailure = describeFetchFailure(fetch);
    return;
  }

  const match = compareServedBody(published, fetch.body);
  if (match === null) {
    outcome.lastFailure = describeMismatch(published, fetch.body);
    return;
  }

  outcome.verified = true;
  outcome.match = match;
  outcome.lastFailure = null;
  await request.onVerified?.(outcome);
}

/**
 * Fetches every expected policy until it is served or the shared deadline passes.
 * Each round fetches all domains still waiting, concurrently, then sleeps for the
 * interval, so 1,000 domains wait one timeout in total, not one each. A round that
 * starts before the deadline runs to its end, so the run can exceed the deadline by
 * the duration of one round of fetches.
 */
export async function verifyPolicies(request: VerifyRequest): Promise<Map<string, VerifyOutcome>> {
  if (!(request.intervalMs >= 1)) {
    throw new RangeError(
      `verify interval ${request.intervalMs} ms is invalid; it must be at least 1 ms`,
    );
  }

  const outcomes = new Map<string, VerifyOutcome>();
  for (const domain of request.expected.keys()) {
    outcomes.set(domain, {
      domain,
      verified: false,
      match: null,
      attempts: 0,
      lastFailure: "the policy was not fetched",
    });
  }

  const started = request.clock.now().getTime();
  const deadline = started + Math.max(0, request.timeoutMs);
  let waiting = [...outcomes.values()];
  let round = 0;

  while (waiting.length > 0) {
    round += 1;
    await mapConcurrent(waiting, request.concurrency, (outcome) =>
      fetchOnce(request, outcome, request.expected.get(outcome.domain)!),
    );
    waiting = waiting.filter((outcome) => !outcome.verified);
    if (waiting.length === 0) break;

    const now = request.clock.now().getTime();
    const remaining = deadline - now;
    request.log?.(
      logLine("verify-policy", {
        round,
        waiting: waiting.length,
        elapsed_ms: now - started,
        remaining_ms: Math.max(0, remaining),
      }),
    );
    if (remaining <= 0) break;
    await request.clock.sleep(Math.min(request.intervalMs, remaining));
  }

  return outcomes;
}
