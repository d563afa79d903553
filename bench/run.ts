/**
 * `npm run bench`: the figures recorded in docs/benchmarks.md. Each part runs in a child
 * process of its own, one after another, so the parts neither share the CPU nor add to
 * each other's peak RSS. Every part talks only to servers on loopback.
 */

import { spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";

/** Runs bench/<name>.ts and returns the JSON object it prints last. */
function runPart(name: string, args: string[]): Record<string, unknown> {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const result = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`bench/${name}.ts failed with exit code ${result.status}`);
  }

  const output = result.stdout.trimEnd();
  const start = output.lastIndexOf("\n{") + 1;
  return JSON.parse(output.slice(start)) as Record<string, unknown>;
}

function line(label: string, value: unknown): void {
  console.log(`  ${label.padEnd(42)} ${String(value)}`);
}

function fixed(value: unknown, digits: number): string {
  return Number(value).toFixed(digits);
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(
  `machine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)}`,
);

console.log(
  "\nplan: 1,000 generated domains against the loopback world (world in another process)",
);
const plan = runPart("plan", ["1000"]);
line("time", `${fixed(plan.seconds, 2)} s (target under 10 s)`);
line("domains per second", fixed(plan.domainsPerSecond, 1));
line("peak RSS of the planning process", `${fixed(plan.peakRssMb, 0)} MB (target under 300 MB)`);
line(
  "DNS queries",
  `${plan.dnsQueries} (${fixed(Number(plan.dnsQueries) / Number(plan.domains), 1)} per domain)`,
);
line("HTTPS fetches", plan.httpsFetches);

console.log("\napply: Cloudflare API calls for 1,000 changed domains (fake API on loopback)");
const cloudflare = runPart("cloudflare", ["1000"]);
line("API calls", cloudflare.calls);
line("zone list calls", cloudflare.zoneListCalls);
line("Worker calls once per run", cloudflare.workerRunCalls);
line("calls per changed domain, zone listing excluded", cloudflare.callsPerChangedDomain);
line(
  "calls per changed domain, per-run calls excluded",
  `${cloudflare.domainCallsPerChangedDomain} (target at most 3)`,
);
line("calls by route", JSON.stringify(cloudflare.callsByRoute));
line("changes in the plan after apply", cloudflare.changesAfterApply);
line("rate limit", cloudflare.rateLimit);

console.log("\ningest: 10,000 generated reports (JSON, gzip and e-mail)");
const ingest = runPart("ingest", []);
line("reports per second", fixed(ingest.reportsPerSecond, 0));
line("raw gunzip + JSON.parse per second", fixed(ingest.rawPerSecond, 0));
line("ratio to raw speed", `${fixed(ingest.ratio, 2)} (target at least 0.5)`);
line("peak RSS of the ingesting process", `${fixed(ingest.peakRssMb, 0)} MB (target under 400 MB)`);
