/**
 * The offline demo (`npm run demo`): plans the example fleet in domains/ against the
 * loopback world, then applies the plan through the real Cloudflare providers to a fake
 * Cloudflare API whose zones and Worker the world serves. A second plan shows what apply
 * changed and what it left. Last, it ingests generated TLS-RPT reports and prints the
 * digest. No traffic leaves 127.0.0.1.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ApplyResult, renderApplyText } from "../apply/index.js";
import type { ApplyCommandOptions } from "../commands/apply.js";
import { runCommand } from "../commands/index.js";
import type { CommandOutcome } from "../commands/types.js";
import { loadProject } from "../config/index.js";
import { planCounts } from "../plan/plan-fleet.js";
import type { Plan } from "../plan/types.js";
import { renderDigest, runIngest } from "../reports/ingest.js";
import {
  type CloudflareSandbox,
  cloudflareDomainsOf,
  startExampleFleetSandbox,
  workerHostOf,
} from "./cloudflare/index.js";
import { writeSampleReports } from "./sample-reports.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Example domains that receive generated TLS-RPT reports in the demo. */
const SAMPLE_REPORT_DOMAINS = [
  "contoso-mail.example",
  "tailspin-toys.example",
  "northwind-traders.example",
];

/**
 * How long apply waits for published policies in the demo. The fake's Worker serves a
 * new version at once, so the first fetch normally matches. The short bound keeps a
 * broken setup from waiting the configured 300 s.
 */
const VERIFY_TIMEOUT_MS = 10_000;
const VERIFY_INTERVAL_MS = 500;

interface Phase {
  name: string;
  summary: string;
  seconds: number;
}

function heading(text: string): void {
  process.stdout.write(`\n${"=".repeat(78)}\n${text}\n${"=".repeat(78)}\n\n`);
}

function planSummary(plan: Plan): string {
  const counts = planCounts(plan);
  const heldChanges = plan.domains
    .flatMap((domain) => domain.changes)
    .filter((change) => change.heldReason).length;
  return `${counts.domains} domains: ${counts.inSync} in sync, ${counts.changed} with changes, ${counts.held} held, ${counts.failed} not planned; ${counts.changes} changes (${heldChanges} held), ${counts.errors} errors, ${counts.warnings} warnings`;
}

/** Names the domains on other DNS providers that the plan leaves unchanged, so apply builds no provider for them. */
function untouchedProviders(plan: Plan, onCloudflare: Set<string>, dnsOf: Map<string, string>) {
  return plan.domains
    .filter((domain) => !onCloudflare.has(domain.domain) && domain.changes.length === 0)
    .map((domain) => `${domain.domain} (dns: ${dnsOf.get(domain.domain) ?? "unknown"})`);
}

/** Reads the apply result from JSON output; null when apply refused and printed a message. */
function parseApplyResult(outcome: CommandOutcome): ApplyResult | null {
  try {
    return JSON.parse(outcome.text) as ApplyResult;
  } catch {
    return null;
  }
}

/** Explains what the last plan still shows, so the reader can tell design from failure. */
function explainRemaining(plan: Plan): string[] {
  const lines: string[] = [];
  for (const domain of plan.domains) {
    for (const change of domain.changes) {
      if (!change.heldReason) continue;
      const until = change.heldUntil ? ` until ${change.heldUntil}` : "";
      lines.push(
        `- ${domain.domain}: ${change.kind} is held${until} by design: ${change.heldReason}`,
      );
    }

    if (domain.status === "error") {
      const codes = domain.findings.filter((item) => item.severity === "error");
      lines.push(
        `- ${domain.domain}: not planned (${codes.map((item) => item.code).join(", ")}); apply cannot fix a fault of the zone's servers, so the planted fault stays`,
      );
      continue;
    }

    const unfixable = domain.findings.filter((item) => item.severity === "error");
    if (domain.changes.length === 0 && unfixable.length > 0) {
      lines.push(
        `- ${domain.domain}: ${unfixable.map((item) => item.code).join(", ")} needs a decision in ${domain.file}, not a write by apply: ${unfixable[0]!.hint}`,
      );
    }
  }
  return lines;
}

async function runPlanPhase(
  name: string,
  options: ApplyCommandOptions,
  phases: Phase[],
): Promise<Plan> {
  const started = Date.now();
  const outcome = await runCommand("plan", options);
  process.stdout.write(outcome.text);
  process.stdout.write(
    `\nplan exit code: ${outcome.exitCode} (0 means in sync, 2 changes pending, 1 errors)\n`,
  );
  const plan = outcome.plan!;
  phases.push({ name, summary: planSummary(plan), seconds: (Date.now() - started) / 1000 });
  return plan;
}

async function runApplyPhase(
  sandbox: CloudflareSandbox,
  options: ApplyCommandOptions,
  phases: Phase[],
): Promise<void> {
  const started = Date.now();
  sandbox.fake.clearRequests();
  const outcome = await runCommand("apply", { ...options, format: "json" });
  const result = parseApplyResult(outcome);
  process.stdout.write(result ? renderApplyText(result) : outcome.text);
  process.stdout.write(
    `\napply exit code: ${outcome.exitCode} (0 means all applied, 2 some pending, 1 failed or refused)\n`,
  );

  const calls = sandbox.fake.count();
  const writes = sandbox.fake.writeCount();
  const counts = result?.counts;
  const summary = counts
    ? `${counts.applied} applied, ${counts.pending} pending, ${counts.held} held, ${counts.failed} failed, ${counts.unchanged} unchanged; ${calls} Cloudflare API calls, ${writes} of them writes`
    : `refused; ${calls} Cloudflare API calls`;
  phases.push({ name: "apply", summary, seconds: (Date.now() - started) / 1000 });
}

/**
 * Ingests generated reports (gzip files, report e-mails and plain JSON) into summaries
 * in a temporary folder, so the demo leaves reports/summaries/ of the repository as it
 * was, and prints the digest the Action puts in its job summary.
 */
async function runIngestPhase(phases: Phase[]): Promise<void> {
  const started = Date.now();
  const folder = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-demo-"));
  try {
    const now = new Date();
    const inbox = path.join(folder, "inbox");
    const summariesDir = path.join(folder, "summaries");
    const files = await writeSampleReports(inbox, SAMPLE_REPORT_DOMAINS, now);
    const result = await runIngest({
      root: folder,
      sources: [{ type: "directory", path: inbox }],
      summariesDir,
      quarantineDir: path.join(folder, "quarantine"),
      now,
    });
    const counts = result.counts;
    const summary = `${files.length} files: ${counts.read} read, ${counts.new} new, ${counts.duplicate} duplicate, ${counts.quarantined} quarantined; ${result.summaries.length} summary files written`;
    process.stdout.write(`${summary}\n\n`);
    process.stdout.write(await renderDigest({ summariesDir, domains: SAMPLE_REPORT_DOMAINS, now }));
    phases.push({ name: "ingest", summary, seconds: (Date.now() - started) / 1000 });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const loaded = await loadProject(root);
  if (!loaded.ok) {
    for (const error of loaded.errors)
      process.stderr.write(`${error.file}:${error.line}: ${error.message}\n`);
    return 1;
  }

  const config = loaded.project.config;
  const worker = workerHostOf(config);
  const onCloudflare = cloudflareDomainsOf(loaded.project);
  const sandbox = await startExampleFleetSandbox(loaded.project);

  try {
    const phases: Phase[] = [];
    const options: ApplyCommandOptions = {
      root,
      // The planted faults change more than safety.max_change_share of this small fleet,
      // and the demo means to apply them all.
      force: true,
      failOn: "error",
      secrets: { byEnvName: { CLOUDFLARE_API_TOKEN: sandbox.fake.token } },
      now: () => new Date(),
      log: () => {},
      color: process.stdout.isTTY === true && !process.env.NO_COLOR,
      observe: sandbox.observe,
      cloudflareApiUrl: sandbox.fake.baseUrl,
      verifyTimeoutMs: VERIFY_TIMEOUT_MS,
      verifyIntervalMs: VERIFY_INTERVAL_MS,
    };

    heading(
      `1. plan: ${loaded.project.domains.length} example domains against the loopback world (DNS ${sandbox.world.dns.endpoint}, HTTPS ${sandbox.world.https.endpoint}); ${onCloudflare.size} of them on a fake Cloudflare (${sandbox.fake.baseUrl})`,
    );
    const before = await runPlanPhase("plan", options, phases);
    const dnsOf = new Map(loaded.project.domains.map((domain) => [domain.domain, domain.dns]));
    const untouched = untouchedProviders(before, onCloudflare, dnsOf);

    heading(
      `2. apply --force: publish to the Worker of policy host "${worker.name}", verify at https://mta-sts.<domain>/ through the fake's edge (${sandbox.bridge.endpoint}), then write TXT records through the Cloudflare API`,
    );
    process.stdout.write(
      "--force: the planted faults change more domains than safety.max_change_share allows.\n",
    );
    if (untouched.length > 0) {
      process.stdout.write(
        `Apply builds only the providers its changes write to, so ${untouched.join(", ")} needs no secret here.\n`,
      );
    }
    process.stdout.write("\n");
    await runApplyPhase(sandbox, options, phases);

    heading("3. plan again: what apply left");
    const after = await runPlanPhase("plan again", options, phases);
    const remaining = explainRemaining(after);
    if (remaining.length > 0) {
      process.stdout.write(
        `\nWhat the second plan still shows, and why apply does not change it:\n${remaining.join("\n")}\n`,
      );
    }

    heading("4. ingest: TLS-RPT reports for three example domains, then the digest");
    await runIngestPhase(phases);

    heading("summary");
    for (const [index, phase] of phases.entries()) {
      process.stdout.write(
        `${index + 1}. ${phase.name.padEnd(11)} ${phase.summary} (${phase.seconds.toFixed(1)} s)\n`,
      );
    }
    return 0;
  } finally {
    await sandbox.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
