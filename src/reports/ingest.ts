/**
 * Ingestion: reads TLS-RPT reports from the configured sources, adds the new ones to the
 * monthly summaries under reports/summaries, and quarantines what cannot be read, with
 * the reason, while the rest of the batch goes on.
 */

import path from "node:path";
import { decodeInput } from "./decode/input.js";
import { parseReportJson } from "./decode/json.js";
import { DEFAULT_LIMITS, type IngestLimits } from "./limits.js";
import { normalizeReport } from "./model/normalize-report.js";
import type { PolicyResult, TlsRptReport } from "./model/report.js";
import { createPolicyIdLookup, type KnownPolicies } from "./policy-ids.js";
import { type QuarantinedInput, UnreadableInputError, writeQuarantine } from "./quarantine.js";
import { openFileSource } from "./sources/files.js";
import { openImapSource } from "./sources/imap.js";
import type { OpenedSource, ReportSource, SourceItem } from "./sources/types.js";
import { type PolicyIdLookup, reportKey } from "./summary/month.js";
import { SummaryStore, UNATTRIBUTED, type WrittenSummary } from "./summary/store.js";

export { type DigestOptions, renderDigest } from "./digest.js";
export type { KnownPolicies } from "./policy-ids.js";
export type { ReportSource } from "./sources/types.js";

/** Options of one ingestion run; relative paths are resolved against `root`. */
export interface IngestOptions {
  root: string;
  sources: ReportSource[];
  summariesDir: string;
  quarantineDir: string;
  /** Live policies per domain, to name the policy id a report saw; the current one first. */
  knownPolicies?: KnownPolicies;
  /** The run's clock, for flagging reports dated in the future. */
  now?: Date;
  log?: (line: string) => void;
  limits?: Partial<IngestLimits>;
}

/** Run totals. `read` is the sum of the other three. */
export interface IngestCounts {
  read: number;
  new: number;
  duplicate: number;
  quarantined: number;
}

/** One report the run read. */
export interface IngestedReport {
  origin: string;
  organization: string;
  reportId: string;
  day: string;
  /** Policy domains the report was filed under ("_unattributed" when none is known). */
  domains: string[];
  status: "new" | "duplicate";
  warnings: string[];
}

/** The outcome of a run. */
export interface IngestResult {
  counts: IngestCounts;
  /** Summary files whose content changed. */
  summaries: WrittenSummary[];
  /** Domains that received new reports, sorted. */
  domains: string[];
  reports: IngestedReport[];
  quarantined: QuarantinedInput[];
}

const DAY_MS = 86_400_000;

function describeSource(source: ReportSource): string {
  switch (source.type) {
    case "directory":
      return source.path;
    case "files":
      return `${source.paths.length} files`;
    case "imap":
      return `imap://${source.user}@${source.host}:${source.port}/${source.folder}`;
  }
}

async function openSource(
  source: ReportSource,
  root: string,
  limits: IngestLimits,
): Promise<OpenedSource> {
  switch (source.type) {
    case "directory":
      return openFileSource([path.resolve(root, source.path)], limits);
    case "files":
      return openFileSource(
        source.paths.map((file) => path.resolve(root, file)),
        limits,
      );
    case "imap":
      return openImapSource(source, limits);
  }
}

/** One ingestion run's state. */
class IngestRun {
  readonly counts: IngestCounts = { read: 0, new: 0, duplicate: 0, quarantined: 0 };
  readonly reports: IngestedReport[] = [];
  readonly quarantined: QuarantinedInput[] = [];
  readonly written: WrittenSummary[] = [];
  private readonly store: SummaryStore;
  private readonly lookupPolicyId: PolicyIdLookup;
  private readonly log: (line: string) => void;

  constructor(
    summariesDir: string,
    private readonly quarantineDir: string,
    private readonly limits: IngestLimits,
    private readonly now: Date,
    knownPolicies: KnownPolicies,
    log: ((line: string) => void) | undefined,
  ) {
    this.store = new SummaryStore(summariesDir);
    this.lookupPolicyId = createPolicyIdLookup(knownPolicies);
    this.log = log ?? (() => undefined);
  }

  async quarantine(
    origin: string,
    bytes: Uint8Array | null,
    error: UnreadableInputError,
  ): Promise<void> {
    const entry = await writeQuarantine(this.quarantineDir, origin, bytes, error);
    this.quarantined.push(entry);
    this.counts.quarantined += 1;
    this.log(
      `ingest: quarantined origin=${origin} reason=${error.code} detail=${JSON.stringify(error.message)}`,
    );
  }

  async processItem(item: SourceItem): Promise<void> {
    if (item.bytes === null) {
      this.counts.read += 1;
      const error = new UnreadableInputError(
        "too-large",
        `input is ${item.size} bytes, over the size limit; it was not read`,
      );
      await this.quarantine(item.origin, null, error);
      return;
    }

    const decoded = await decodeInput(
      item.bytes,
      item.origin,
      item.fileName,
      this.limits,
      item.gunzipped,
    );
    for (const failure of decoded.failures) {
      this.counts.read += 1;
      await this.quarantine(failure.origin, failure.bytes, failure.error);
    }

    for (const found of decoded.reports) {
      this.counts.read += 1;
      let report: TlsRptReport;
      try {
        const parsed = parseReportJson(found.payload, this.limits.maxJsonDepth);
        const envelope =
          parsed.warnings.length === 0
            ? found.envelope
            : { ...found.envelope, warnings: [...found.envelope.warnings, ...parsed.warnings] };
        report = normalizeReport(parsed.value, found.payload, envelope);
      } catch (error) {
        if (!(error instanceof UnreadableInputError)) {
          throw error;
        }
        await this.quarantine(found.unit.origin, found.unit.bytes, error);
        continue;
      }
      this.storeReport(report, found.unit.origin);
    }
  }

  /** Whether each day seen so far is after the run's date; reports share few days. */
  private readonly futureDays = new Map<string, boolean>();

  private isFutureDay(day: string): boolean {
    let future = this.futureDays.get(day);
    if (future === undefined) {
      future = Date.parse(`${day}T00:00:00Z`) > this.now.getTime() + DAY_MS;
      this.futureDays.set(day, future);
    }
    return future;
  }

  private storeReport(report: TlsRptReport, origin: string): void {
    if (this.isFutureDay(report.day)) {
      report.warnings.push(
        `report is dated ${report.day}, after the run's date ${this.now.toISOString().slice(0, 10)}`,
      );
    }

    const byDomain = new Map<string, PolicyResult[]>();
    for (const policy of report.policies) {
      const domain = policy.policyDomain ?? UNATTRIBUTED;
      const policies = byDomain.get(domain);
      if (policies === undefined) {
        byDomain.set(domain, [policy]);
      } else {
        policies.push(policy);
      }
    }
    if (byDomain.size === 0) {
      byDomain.set(report.envelopeDomain ?? UNATTRIBUTED, []);
    }

    const month = report.day.slice(0, 7);
    const key = reportKey(report.organizationName, report.reportId);
    let added = false;
    for (const [domain, policies] of byDomain) {
      const summary = this.store.get(domain, month);
      if (summary.hasReport(report.organizationName, report.reportId, key)) {
        continue;
      }
      if (policies.length === 0) {
        summary.addReportRecord(report, key);
      } else {
        summary.addReport(report, policies, this.lookupPolicyId, key);
      }
      added = true;
    }

    const status = added ? "new" : "duplicate";
    this.counts[status] += 1;
    this.reports.push({
      origin,
      organization: report.organizationName,
      reportId: report.reportId,
      day: report.day,
      domains: byDomain.size === 1 ? [...byDomain.keys()] : [...byDomain.keys()].sort(),
      status,
      warnings: report.warnings,
    });
  }

  saveSummaries(): void {
    this.written.push(...this.store.save());
  }
}

/**
 * Ingests every source in order. After each source the summaries are written, and only
 * then does the source receive the inputs that were handled (IMAP moves them). A crash
 * therefore never loses a report, because at worst the next run reads it again as a
 * duplicate.
 */
export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const started = Date.now();
  const limits: IngestLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? (() => undefined);
  const run = new IngestRun(
    path.resolve(options.root, options.summariesDir),
    path.resolve(options.root, options.quarantineDir),
    limits,
    options.now ?? new Date(),
    options.knownPolicies ?? new Map(),
    options.log,
  );

  for (const source of options.sources) {
    const before = { ...run.counts };
    const opened = await openSource(source, options.root, limits);
    try {
      // Origins only: keeping the items would keep every input's bytes until the end.
      const handled: string[] = [];
      for await (const item of opened.items()) {
        await run.processItem(item);
        handled.push(item.origin);
      }
      run.saveSummaries();
      await opened.finish(handled);
    } finally {
      await opened.close();
    }

    log(
      `ingest: source=${describeSource(source)} read=${run.counts.read - before.read} new=${run.counts.new - before.new} duplicate=${run.counts.duplicate - before.duplicate} quarantined=${run.counts.quarantined - before.quarantined}`,
    );
  }

  const domains = [
    ...new Set(
      run.reports.filter((report) => report.status === "new").flatMap((report) => report.domains),
    ),
  ].sort();
  log(
    `ingest: done read=${run.counts.read} new=${run.counts.new} duplicate=${run.counts.duplicate} quarantined=${run.counts.quarantined} summaries_written=${run.written.length} seconds=${((Date.now() - started) / 1000).toFixed(2)}`,
  );

  return {
    counts: run.counts,
    summaries: run.written,
    domains,
    reports: run.reports,
    quarantined: run.quarantined,
  };
}
