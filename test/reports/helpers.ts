import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type IngestOptions, type IngestResult, runIngest } from "../../src/reports/ingest.js";
import type { ReportSource } from "../../src/reports/sources/types.js";
import type { MonthSummaryFile, PolicyTypeDayFile } from "../../src/reports/summary/schema.js";

/** test/fixtures inside this repository. */
export const fixturesDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
);

/** Path of a file under test/fixtures/reports. */
export function reportFixture(name: string): string {
  return path.join(fixturesDir, "reports", name);
}

/** Path of a case file copied byte-exact into test/fixtures/cases. */
export function caseFixture(name: string): string {
  return path.join(fixturesDir, "cases", name);
}

/** A temporary repository root with its summaries and quarantine folders. */
export interface Workspace {
  root: string;
  summariesDir: string;
  quarantineDir: string;
  ingest(sources: ReportSource[], options?: Partial<IngestOptions>): Promise<IngestResult>;
  ingestFiles(paths: string[], options?: Partial<IngestOptions>): Promise<IngestResult>;
  /** Parsed summary file; throws when it does not exist. */
  summary(domain: string, month: string): Promise<MonthSummaryFile>;
  /** The entry of one day and policy type, or undefined. */
  typeDay(domain: string, day: string, policyType: string): Promise<PolicyTypeDayFile | undefined>;
  /** Every file under the summaries folder with its text, sorted by path. */
  snapshot(): Promise<Map<string, string>>;
  cleanup(): Promise<void>;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listFiles(full)));
    } else {
      files.push(full);
    }
  }
  return files.sort();
}

/** Creates a workspace in a new temporary folder; call cleanup() when done. */
export async function createWorkspace(): Promise<Workspace> {
  const root = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-reports-"));
  const summariesDir = path.join(root, "reports", "summaries");
  const quarantineDir = path.join(root, "reports", "quarantine");

  const ingest = (sources: ReportSource[], options: Partial<IngestOptions> = {}) =>
    runIngest({
      root,
      sources,
      summariesDir: "reports/summaries",
      quarantineDir: "reports/quarantine",
      now: new Date("2026-06-01T00:00:00Z"),
      ...options,
    });

  const summary = async (domain: string, month: string): Promise<MonthSummaryFile> =>
    JSON.parse(
      await readFile(path.join(summariesDir, domain, `${month}.json`), "utf8"),
    ) as MonthSummaryFile;

  return {
    root,
    summariesDir,
    quarantineDir,
    ingest,
    ingestFiles: (paths, options) => ingest([{ type: "files", paths }], options),
    summary,
    typeDay: async (domain, day, policyType) => {
      const file = await summary(domain, day.slice(0, 7));
      return file.days[day]?.[policyType];
    },
    snapshot: async () => {
      const files = await listFiles(summariesDir);
      const texts = new Map<string, string>();
      for (const file of files) {
        texts.set(path.relative(summariesDir, file), await readFile(file, "utf8"));
      }
      return texts;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Lists the files of the quarantine folder, sorted by name. */
export async function quarantineFiles(workspace: Workspace): Promise<string[]> {
  return (await listFiles(workspace.quarantineDir)).map((file) => path.basename(file));
}
