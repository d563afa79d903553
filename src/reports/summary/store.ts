/**
 * Reads and writes the monthly summary files. The files are the only state between runs
 * (a fresh CI clone has nothing else), so each file also stores the keys of the reports
 * counted in it. File access is synchronous because the files are small, a run touches
 * each at most twice, and ingestion has nothing to do while it waits. Writing 150 files
 * through fs/promises, eight at a time while the next one was rendered, measured no
 * faster on the 2-core test machine (bench/ingest.ts).
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MonthSummary } from "./month.js";
import { renderSummaryFile } from "./render.js";
import { type MonthSummaryFile, monthSummaryFileSchema } from "./schema.js";

/** Folder for reports whose policy domain is unknown; normalizePolicyDomain rejects names starting with "_". */
export const UNATTRIBUTED = "_unattributed";

/** A summary file that changed on disk. */
export interface WrittenSummary {
  domain: string;
  month: string;
  path: string;
}

/** Raised when a committed summary file cannot be read; nothing is written then. */
export class SummaryFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SummaryFileError";
  }
}

/** Path of the summary file of `domain` for `month` (YYYY-MM). */
export function summaryPath(dir: string, domain: string, month: string): string {
  return path.join(dir, domain, `${month}.json`);
}

interface Loaded {
  summary: MonthSummary;
  originalText: string | null;
}

/** Parses and checks the text of a summary file. */
export function parseSummaryFile(text: string, file: string): MonthSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SummaryFileError(
      `summary file ${file} is not valid JSON (${(error as Error).message}); restore it from git`,
      { cause: error },
    );
  }

  const checked = monthSummaryFileSchema.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".")}: ${issue.message}`;
    throw new SummaryFileError(
      `summary file ${file} does not match the summary format${where}; restore it from git`,
    );
  }

  // The raw value, not zod's copy: zod drops keys named "__proto__", which a sender can
  // put into an organisation name; JSON.parse kept them as plain own properties.
  return MonthSummary.fromFile(raw as MonthSummaryFile);
}

/** The summary files of one run, loaded on first use and written once at the end. */
export class SummaryStore {
  private readonly loaded = new Map<string, Loaded>();
  private readonly createdDirs = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Returns the summary of `domain` for `month`, read from disk the first time. */
  get(domain: string, month: string): MonthSummary {
    const key = `${domain}/${month}`;
    const cached = this.loaded.get(key);
    if (cached !== undefined) {
      return cached.summary;
    }

    const file = summaryPath(this.dir, domain, month);
    let text: string | null = null;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new SummaryFileError(
          `cannot read summary file ${file}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }

    const summary = text === null ? new MonthSummary(domain, month) : parseSummaryFile(text, file);
    if (summary.domain !== domain || summary.month !== month) {
      throw new SummaryFileError(
        `summary file ${file} contains domain ${summary.domain} and month ${summary.month}; move it to ${summaryPath(this.dir, summary.domain, summary.month)}`,
      );
    }
    this.loaded.set(key, { summary, originalText: text });
    return summary;
  }

  /**
   * Writes every summary whose canonical text differs from what was read, each through a
   * temporary file and a rename, so a crash leaves either the old or the new file.
   */
  save(): WrittenSummary[] {
    const written: WrittenSummary[] = [];
    const keys = [...this.loaded.keys()].sort();

    for (const key of keys) {
      const loaded = this.loaded.get(key)!;
      const { summary } = loaded;
      if (summary.reports.size === 0) {
        continue;
      }
      const text = renderSummaryFile(summary);
      if (text === loaded.originalText) {
        continue;
      }

      const file = summaryPath(this.dir, summary.domain, summary.month);
      const dir = path.dirname(file);
      if (!this.createdDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.createdDirs.add(dir);
      }
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, text);
      renameSync(temporary, file);

      loaded.originalText = text;
      written.push({ domain: summary.domain, month: summary.month, path: file });
    }
    return written;
  }
}
