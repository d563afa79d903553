import { describe, expect, it } from "vitest";
import {
  compareServedBody,
  describeMismatch,
  type VerifyRequest,
  verifyPolicies,
} from "../../src/apply/verify.js";
import type { PolicyFetch } from "../../src/observe/types.js";
import { FakeClock } from "../support/memory-providers.js";
import { START } from "./fleet.js";

const body = "version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 604800\r\n";
const url = "https://mta-sts.example.com/.well-known/mta-sts.txt";

function served(text: string): PolicyFetch {
  return { ok: true, url, contentType: "text/plain", body: text, address: "127.0.0.1:443" };
}

const notFound: PolicyFetch = { ok: false, url, reason: "status", detail: "HTTP 404", status: 404 };

describe("compareServedBody", () => {
  const cases = [
    { name: "same bytes", served: body, expected: "exact" },
    { name: "LF endings", served: body.replace(/\r\n/g, "\n"), expected: "line-endings" },
    { name: "no final line ending", served: body.replace(/\r\n$/, ""), expected: "line-endings" },
    { name: "CR endings", served: body.replace(/\r\n/g, "\r"), expected: "line-endings" },
    { name: "other mode", served: body.replace("testing", "enforce"), expected: null },
    { name: "trailing space", served: body.replace("testing", "testing "), expected: null },
    { name: "extra blank line", served: `${body}\r\n`, expected: null },
    { name: "empty body", served: "", expected: null },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(compareServedBody(body, testCase.served)).toBe(testCase.expected);
    });
  }
});

describe("describeMismatch", () => {
  it("names the first differing line", () => {
    expect(describeMismatch(body, body.replace("testing", "enforce"))).toBe(
      'the served body differs from the published one at line 2: "mode: enforce" instead of "mode: testing"',
    );
  });

  it("names a missing line", () => {
    expect(describeMismatch(body, "version: STSv1\r\nmode: testing\r\n")).toBe(
      'the served body differs from the published one at line 3: the end of the body instead of "mx: mx.example.com"',
    );
  });
});

/** A verifyPolicy that returns the scripted results in order, then the last one forever. */
function scripted(results: Array<PolicyFetch | Error>): {
  verifyPolicy: (domain: string) => Promise<PolicyFetch>;
  calls: string[];
} {
  const calls: string[] = [];
  let index = 0;
  return {
    calls,
    verifyPolicy: async (domain) => {
      calls.push(domain);
      const result = results[Math.min(index, results.length - 1)]!;
      index += 1;
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

function request(clock: FakeClock, overrides: Partial<VerifyRequest>): VerifyRequest {
  return {
    expected: new Map([["example.com", body]]),
    verifyPolicy: async () => served(body),
    clock,
    timeoutMs: 60_000,
    intervalMs: 10_000,
    concurrency: 4,
    ...overrides,
  };
}

describe("verifyPolicies", () => {
  it("verifies on the third fetch", async () => {
    const clock = new FakeClock(START);
    const { verifyPolicy } = scripted([notFound, served("old"), served(body)]);

    const outcomes = await verifyPolicies(request(clock, { verifyPolicy }));

    expect(outcomes.get("example.com")).toEqual({
      domain: "example.com",
      verified: true,
      match: "exact",
      attempts: 3,
      lastFailure: null,
    });
    expect(clock.sleeps).toEqual([10_000, 10_000]);
  });

  it("gives up at the deadline with the last failure", async () => {
    const clock = new FakeClock(START);
    const { verifyPolicy } = scripted([notFound]);

    const outcomes = await verifyPolicies(request(clock, { verifyPolicy, timeoutMs: 25_000 }));

    const outcome = outcomes.get("example.com")!;
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts).toBe(4);
    expect(outcome.lastFailure).toBe("status: HTTP 404");
    expect(clock.sleeps).toEqual([10_000, 10_000, 5_000]);
  });

  it("fetches once with a zero timeout", async () => {
    const clock = new FakeClock(START);
    const { verifyPolicy, calls } = scripted([notFound]);

    await verifyPolicies(request(clock, { verifyPolicy, timeoutMs: 0 }));

    expect(calls).toEqual(["example.com"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("reads a thrown error as a failed fetch", async () => {
    const clock = new FakeClock(START);
    const { verifyPolicy } = scripted([new Error("socket hang up"), served(body)]);

    const first = await verifyPolicies(request(clock, { verifyPolicy, timeoutMs: 0 }));
    const second = await verifyPolicies(request(clock, { verifyPolicy, timeoutMs: 0 }));

    expect(first.get("example.com")!.lastFailure).toBe(
      "the policy fetch raised an error: socket hang up",
    );
    expect(second.get("example.com")!.verified).toBe(true);
  });

  it("stops fetching verified domains", async () => {
    const clock = new FakeClock(START);
    const calls: string[] = [];
    const verifyPolicy = async (domain: string) => {
      calls.push(domain);
      const ready = domain === "a.example" || clock.now().getTime() - Date.parse(START) >= 20_000;
      return ready ? served(body) : notFound;
    };
    const expected = new Map([
      ["a.example", body],
      ["b.example", body],
    ]);

    const outcomes = await verifyPolicies(request(clock, { verifyPolicy, expected }));

    expect(calls).toEqual(["a.example", "b.example", "b.example", "b.example"]);
    expect(outcomes.get("b.example")!.attempts).toBe(3);
  });

  it("keeps at most `concurrency` fetches in flight", async () => {
    const clock = new FakeClock(START);
    let inFlight = 0;
    let maxInFlight = 0;
    const verifyPolicy = async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return served(body);
    };
    const expected = new Map(Array.from({ length: 20 }, (_, index) => [`d${index}.example`, body]));

    await verifyPolicies(request(clock, { verifyPolicy, expected, concurrency: 3 }));

    expect(maxInFlight).toBe(3);
  });

  it("rejects an interval under 1 ms", async () => {
    const clock = new FakeClock(START);

    await expect(verifyPolicies(request(clock, { intervalMs: 0 }))).rejects.toThrow(
      "verify interval 0 ms is invalid; it must be at least 1 ms",
    );
  });
});
