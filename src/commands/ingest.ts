import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Project } from "../config/index.js";
import { readLiveState } from "../plan/live.js";
import { type KnownPolicies, renderDigest, runIngest } from "../reports/ingest.js";
import type { ReportSource } from "../reports/sources/types.js";
import { createRunObserver } from "./observer.js";
import { loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/** Builds the report sources from the configuration, with IMAP credentials from the secrets. */
async function reportSources(
  project: Project,
  byEnvName: Record<string, string>,
): Promise<ReportSource[]> {
  const missing: string[] = [];
  const sources: ReportSource[] = [];
  for (const source of project.config.reports.sources) {
    if (source.type === "directory") {
      sources.push({ type: "directory", path: source.path });
      continue;
    }

    const user = byEnvName[source.userEnv];
    const password = byEnvName[source.passwordEnv];
    if (!user) missing.push(source.userEnv);
    if (!password) missing.push(source.passwordEnv);
    const ca = await Promise.all(source.trustedCaFiles.map((file) => readFile(file, "utf8")));
    sources.push({
      type: "imap",
      host: source.host,
      port: source.port,
      secure: source.tls,
      user: user ?? "",
      password: password ?? "",
      folder: source.folder,
      // NOTE: the IMAP source always moves handled mail; a configured null keeps the
      // default folder name rather than leaving mail where it was.
      processedFolder: source.processedFolder ?? "TLS-RPT-processed",
      ...(ca.length > 0 ? { ca: ca.join("\n") } : {}),
    });
  }
  if (missing.length > 0) {
    throw new Error(
      `the IMAP report source needs the environment variables ${missing.join(", ")}; set them (as repository secrets in the Action)`,
    );
  }
  return sources;
}

/**
 * Reads the live policy and id of each declared domain, so summaries can name the id of
 * the policy a report saw. A domain whose record or policy cannot be read is left out:
 * its reports are still counted, and the promotion gate matches them by content.
 */
async function livePolicies(
  domains: string[],
  project: Project,
  options: CommandOptions,
): Promise<KnownPolicies> {
  const known: KnownPolicies = new Map();
  const run = await createRunObserver(project.config.observe, options.observe);
  try {
    const observations = await run.observer.observeFleet(domains);
    for (const observed of observations) {
      const live = readLiveState(observed);
      if (live.sts.id !== null && observed.policy.ok) {
        known.set(observed.domain, [{ id: live.sts.id, body: observed.policy.body }]);
      }
    }
  } finally {
    run.observer.close();
  }
  options.log(`ingest: live policies known for ${known.size} of ${domains.length} domains`);
  return known;
}

/** `ingest`: reads TLS-RPT reports from the configured sources into the daily summaries. */
export async function runIngestCommand(options: CommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const project = loaded.project;
  const settings = project.config.reports;
  const knownPolicies = await livePolicies(
    loaded.domains.map((domain) => domain.domain),
    project,
    options,
  );
  const result = await runIngest({
    root: project.root,
    sources: await reportSources(project, options.secrets.byEnvName ?? {}),
    summariesDir: settings.summariesDir,
    quarantineDir: settings.quarantineDir,
    now: options.now(),
    log: options.log,
    knownPolicies,
  });

  const digest = await renderDigest({
    summariesDir: path.resolve(project.root, settings.summariesDir),
    domains: loaded.domains.map((domain) => domain.domain),
    now: options.now(),
  });
  const declared = new Set(project.domains.map((domain) => domain.domain));
  const undeclared = result.domains.filter((domain) => !declared.has(domain));
  const notice =
    undeclared.length > 0
      ? `note: reports for domains not declared in domains/: ${undeclared.join(", ")}; their summaries are kept, and no plan or promotion reads them\n`
      : "";

  const counts = result.counts;
  const line = `ingest: ${counts.read} read, ${counts.new} new, ${counts.duplicate} duplicate, ${counts.quarantined} quarantined`;
  return {
    exitCode: 0,
    configErrors: loaded.warnings,
    summaryMarkdown: `${line}\n\n${digest}`,
    text: options.format === "markdown" ? `${line}\n${notice}\n${digest}` : `${line}\n${notice}`,
    outputs: {
      "reports-read": String(counts.read),
      "reports-new": String(counts.new),
      "reports-quarantined": String(counts.quarantined),
    },
  };
}
