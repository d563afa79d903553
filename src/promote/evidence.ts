import { readFile } from "node:fs/promises";
import type { PolicyTypeDay } from "../reports/summary/month.js";
import { parseSummaryFile, summaryPath } from "../reports/summary/store.js";

/** The sts and no-policy-found totals of one UTC day for one domain. */
export interface DayEvidence {
  /** YYYY-MM-DD */
  day: string;
  sts: PolicyTypeDay | null;
  noPolicyFound: PolicyTypeDay | null;
}

const DAY_MS = 86_400_000;

/** Lists the `count` whole UTC days before `now`, oldest first; today is still being reported. */
export function windowDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days: string[] = [];
  for (let offset = count; offset >= 1; offset -= 1) {
    days.push(new Date(today - offset * DAY_MS).toISOString().slice(0, 10));
  }
  return days;
}

async function readMonth(dir: string, domain: string, month: string) {
  const file = summaryPath(dir, domain, month);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return parseSummaryFile(text, file);
}

/** Loads the committed daily summaries of `domain` for the given days. */
export async function loadDayEvidence(
  summariesDir: string,
  domain: string,
  days: string[],
): Promise<DayEvidence[]> {
  const months = [...new Set(days.map((day) => day.slice(0, 7)))];
  const summaries = await Promise.all(
    months.map((month) => readMonth(summariesDir, domain, month)),
  );
  const byMonth = new Map(months.map((month, index) => [month, summaries[index] ?? null]));

  return days.map((day) => {
    const types = byMonth.get(day.slice(0, 7))?.days.get(day);
    return {
      day,
      sts: types?.get("sts") ?? null,
      noPolicyFound: types?.get("no-policy-found") ?? null,
    };
  });
}
