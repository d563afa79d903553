import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DomainConfig } from "../../src/config/index.js";
import { readLiveState } from "../../src/plan/live.js";
import { loadDayEvidence, windowDays } from "../../src/promote/evidence.js";
import { evaluateGate } from "../../src/promote/gate.js";
import { runIngest } from "../../src/reports/ingest.js";
import { buildReportJson, type SampleFailure } from "../../src/sandbox/sample-reports.js";
import { declared, observed, policyBody } from "../plan/observed.js";

const now = new Date("2026-12-04T06:00:00Z");
const domain = "example.com";
const mx = ["mx.example.com"];

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gate-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function promotion(overrides: Partial<DomainConfig["promotion"]> = {}): DomainConfig["promotion"] {
  return {
    minDaysInTesting: 7,
    windowDays: 7,
    minReportingOrganizations: 2,
    minSessions: 10,
    minCertificateDays: 14,
    blockingResultTypes: [
      "starttls-not-supported",
      "certificate-host-mismatch",
      "certificate-expired",
      "certificate-not-trusted",
      "validation-failure",
      "sts-policy-invalid",
      "sts-webpki-invalid",
      "sts-policy-fetch-error",
    ],
    ...overrides,
  };
}

/** Ingests one report per organisation and day, with optional failures on given days. */
async function ingestWeek(options: {
  organizations: string[];
  days: string[];
  failures?: Record<string, SampleFailure[]>;
}): Promise<string> {
  const inbox = path.join(dir, "inbox");
  const summaries = path.join(dir, "summaries");
  const { mkdir } = await import("node:fs/promises");
  await mkdir(inbox, { recursive: true });
  for (const organization of options.organizations) {
    for (const day of options.days) {
      const report = buildReportJson({
        organizationName: organization,
        contactInfo: `tlsrpt@${organization}`,
        reportId: `${organization}-${day}`,
        day,
        policyDomain: domain,
        mode: "testing",
        mx,
        maxAge: 604800,
        successful: 20,
        failures: options.failures?.[`${organization} ${day}`] ?? [],
      });
      await writeFile(path.join(inbox, `${organization}-${day}.json`), JSON.stringify(report));
    }
  }
  await runIngest({
    root: dir,
    sources: [{ type: "directory", path: inbox }],
    summariesDir: summaries,
    quarantineDir: path.join(dir, "quarantine"),
    now,
  });
  return summaries;
}

function liveTesting(id = "20261120T000000Z") {
  return readLiveState(
    observed(domain, {
      mx,
      sts: [[`v=STSv1; id=${id};`]],
      policy: policyBody("testing", mx, 604800),
    }),
  );
}

async function evaluate(summaries: string, live = liveTesting(), settings = promotion()) {
  const desired = declared(domain, {
    mtaSts: { mode: "enforce", mx, maxAge: 604800 },
    promotion: settings,
  });
  const days = windowDays(now, settings.windowDays);
  return evaluateGate(desired, live, await loadDayEvidence(summaries, domain, days), now);
}

describe("promotion gate", () => {
  const week = windowDays(now, 7);

  it("clean week passes", async () => {
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
    });
    const result = await evaluate(summaries);
    expect(result.reasons).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.checks.map((check) => check.name)).toEqual([
      "unchanged testing policy",
      "daily reports",
      "reporting organisations",
      "sessions",
      "blocking failures",
      "live state",
    ]);
  });

  it("window is the seven whole days before today", () => {
    expect(week).toEqual([
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
    ]);
  });

  it("missing day blocks", async () => {
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week.slice(1),
    });
    const result = await evaluate(summaries);
    expect(result.passed).toBe(false);
    expect(result.reasons).toEqual([
      "daily reports: no reports for the current policy on 2026-11-27",
    ]);
  });

  it("one organisation blocks", async () => {
    const summaries = await ingestWeek({ organizations: ["google.com"], days: week });
    const result = await evaluate(summaries);
    expect(result.reasons).toEqual(["reporting organisations: 1 (google.com); need 2"]);
  });

  it("certificate failure on a current MX blocks", async () => {
    const failure = {
      resultType: "certificate-expired",
      receivingMxHostname: "mx.example.com",
      failedSessionCount: 1,
    };
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
      failures: { [`google.com ${week[3]}`]: [failure] },
    });
    const result = await evaluate(summaries);
    expect(result.reasons).toEqual([
      "blocking failures: certificate-expired: 1 failed sessions on 1 days",
    ]);
  });

  it("failure on an unrelated MX does not block", async () => {
    const failure = {
      resultType: "starttls-not-supported",
      receivingMxHostname: "old-mx.example.net",
      failedSessionCount: 4,
    };
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
      failures: { [`google.com ${week[3]}`]: [failure] },
    });
    expect((await evaluate(summaries)).passed).toBe(true);
  });

  it("single fetch error is transient", async () => {
    const failure = {
      resultType: "sts-policy-fetch-error",
      receivingMxHostname: "mx.example.com",
      failedSessionCount: 1,
    };
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
      failures: { [`google.com ${week[2]}`]: [failure] },
    });
    expect((await evaluate(summaries)).passed).toBe(true);
  });

  it("repeated fetch errors block", async () => {
    const failure = {
      resultType: "sts-policy-fetch-error",
      receivingMxHostname: "mx.example.com",
      failedSessionCount: 1,
    };
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
      failures: { [`google.com ${week[2]}`]: [failure], [`google.com ${week[4]}`]: [failure] },
    });
    expect((await evaluate(summaries)).reasons).toEqual([
      "blocking failures: sts-policy-fetch-error: 2 failed sessions on 2 days",
    ]);
  });

  it("policy published days ago blocks", async () => {
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
    });
    const result = await evaluate(summaries, liveTesting("20261201T000000Z"));
    expect(result.reasons).toEqual([
      "unchanged testing policy: id 20261201T000000Z published 3 days ago (need 7)",
    ]);
  });

  it("served enforce policy is not a candidate", async () => {
    const summaries = await ingestWeek({
      organizations: ["google.com", "microsoft.com"],
      days: week,
    });
    const live = readLiveState(
      observed(domain, {
        mx,
        sts: [["v=STSv1; id=20261120T000000Z;"]],
        policy: policyBody("enforce", mx, 604800),
      }),
    );
    const result = await evaluate(summaries, live);
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.name).toBe("served policy");
  });
});
