/**
 * Totals for the digest, read from the monthly summary files: per domain, the 7 UTC days
 * before the run and the 7 days before those.
 */

import { readdir, readFile } from "node:fs/promises";
import type { MonthSummary } from "./summary/month.js";
import { parseSummaryFile, summaryPath, UNATTRIBUTED } from "./summary/store.js";

const DAY_MS = 86_400_000;

/** Days in one digest window. */
export const WINDOW_DAYS = 7;

/** Totals over a run of days. */
export interface WindowTotals {
  /** Sessions under MTA-STS policy types (sts, no-policy-found and unknown types). */
  successful: number;
  failed: number;
  /** Sessions under DANE (tlsa), counted apart because they are the same sessions again. */
  tlsaSuccessful: number;
  tlsaFailed: number;
  reports: number;
  failedByOrganization: Map<string, number>;
  failuresByResultType: Map<string, number>;
  organizations: Set<string>;
}

/** One domain's digest figures. */
export interface DomainDigest {
  domain: string;
  current: WindowTotals;
  previous: WindowTotals;
  /** Failed sessions (MTA-STS types) per day, oldest first, over both windows. */
  dailyFailures: { day: string; failed: number }[];
}

function emptyTotals(): WindowTotals {
  return {
    successful: 0,
    failed: 0,
    tlsaSuccessful: 0,
    tlsaFailed: 0,
    reports: 0,
    failedByOrganization: new Map(),
    failuresByResultType: new Map(),
    organizations: new Set(),
  };
}

/** Lists the UTC days of the two windows before `now`, oldest first (14 days). */
export function digestDays(now: Date): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let offset = WINDOW_DAYS * 2; offset >= 1; offset -= 1) {
    days.push(new Date(today - offset * DAY_MS).toISOString().slice(0, 10));
  }
  return days;
}

async function loadMonth(
  summariesDir: string,
  domain: string,
  month: string,
): Promise<MonthSummary | null> {
  const file = summaryPath(summariesDir, domain, month);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return null;
    }
    throw error;
  }
  return parseSummaryFile(text, file);
}

function add(map: Map<string, number>, key: string, amount: number): void {
  if (amount > 0) {
    map.set(key, (map.get(key) ?? 0) + amount);
  }
}

function addDay(
  totals: WindowTotals,
  types: MonthSummary["days"] extends Map<string, infer T> ? T : never,
): number {
  let failedToday = 0;
  for (const [policyType, entry] of types) {
    totals.reports += entry.reports;
    for (const name of entry.organizations.keys()) {
      totals.organizations.add(name);
    }
    if (policyType === "tlsa") {
      totals.tlsaSuccessful += entry.successfulSessions;
      totals.tlsaFailed += entry.failedSessions;
      continue;
    }

    totals.successful += entry.successfulSessions;
    totals.failed += entry.failedSessions;
    failedToday += entry.failedSessions;
    for (const [name, organization] of entry.organizations) {
      add(totals.failedByOrganization, name, organization.failedSessions);
    }
    for (const [resultType, count] of entry.failuresByResultType) {
      add(totals.failuresByResultType, resultType, count);
    }
  }
  return failedToday;
}

/** Reads one domain's figures for the two windows before `now`. */
export async function collectDomainDigest(
  summariesDir: string,
  domain: string,
  now: Date,
): Promise<DomainDigest> {
  const days = digestDays(now);
  const months = new Map<string, MonthSummary | null>();
  for (const month of new Set(days.map((day) => day.slice(0, 7)))) {
    months.set(month, await loadMonth(summariesDir, domain, month));
  }

  const digest: DomainDigest = {
    domain,
    current: emptyTotals(),
    previous: emptyTotals(),
    dailyFailures: [],
  };
  days.forEach((day, index) => {
    const totals = index < WINDOW_DAYS ? digest.previous : digest.current;
    const types = months.get(day.slice(0, 7))?.days.get(day);
    const failed = types === undefined ? 0 : addDay(totals, types);
    digest.dailyFailures.push({ day, failed });
  });
  return digest;
}

/** Lists the domains that have a summary folder, without the unattributed folder. */
export async function listSummaryDomains(summariesDir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(summariesDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return [];
    }
    throw error;
  }
  return entries
    .filter(
      (entry) => entry.isDirectory() && entry.name !== UNATTRIBUTED && !entry.name.startsWith("."),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Counts the unattributed reports whose day falls in the current window. */
export async function countUnattributed(summariesDir: string, now: Date): Promise<number> {
  const days = new Set(digestDays(now).slice(WINDOW_DAYS));
  let count = 0;
  for (const month of new Set([...days].map((day) => day.slice(0, 7)))) {
    const summary = await loadMonth(summariesDir, UNATTRIBUTED, month);
    for (const record of summary?.reports.values() ?? []) {
      count += days.has(record.day) ? 1 : 0;
    }
  }
  return count;
}
