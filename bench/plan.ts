/**
 * Plans a generated fleet against the loopback world and measures it: domains per
 * second, peak RSS, and the DNS queries and HTTPS fetches the plan needed. The fleet is
 * written as YAML files, so loading and validation are part of the measured run.
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runCommand } from "../src/commands/index.js";
import type { ObserveOverrides } from "../src/commands/types.js";

export interface PlanBenchResult {
  domains: number;
  seconds: number;
  domainsPerSecond: number;
  peakRssMb: number;
  dnsQueries: number;
  httpsFetches: number;
  exitCode: number;
}

const PRESETS = ["google-workspace", "microsoft-365"];

/** Writes a project of `count` domains: testing and enforce, two presets, one zone each. */
async function writeFleet(root: string, count: number): Promise<void> {
  await mkdir(path.join(root, "domains"), { recursive: true });
  await writeFile(
    path.join(root, "mta-sts-gitops.yaml"),
    [
      "version: 1",
      "dns_providers:",
      "  cloudflare: { type: cloudflare, api_token_env: CLOUDFLARE_API_TOKEN }",
      "policy_hosts:",
      "  worker: { type: cloudflare-worker, account_id: 023e105f4ecef8ad9ca31a8372d0c353, script_name: bench, api_token_env: CLOUDFLARE_API_TOKEN }",
      "observe:",
      "  resolvers: [127.0.0.1:53]",
      "  concurrency: 64",
      "safety: { max_change_share: 1, min_fleet_size: 10 }",
      "",
    ].join("\n"),
  );

  const files = [];
  for (let index = 0; index < count; index += 1) {
    const domain = `fleet-${String(index).padStart(4, "0")}.bench.example`;
    const mode = index % 3 === 0 ? "enforce" : "testing";
    files.push(
      writeFile(
        path.join(root, "domains", `${domain}.yaml`),
        [
          `domain: ${domain}`,
          "mta_sts:",
          `  mode: ${mode}`,
          `  mx_presets: [${PRESETS[index % PRESETS.length]}]`,
          "  max_age: 1209600",
          "tls_rpt:",
          `  rua: [mailto:tlsrpt@${domain}]`,
          "dns: cloudflare",
          "policy_host: worker",
          "",
        ].join("\n"),
      ),
    );
  }
  await Promise.all(files);
}

/** Starts the world for the fleet at `root` in a child process; resolves with its settings. */
async function startWorldProcess(
  root: string,
): Promise<{ observe: ObserveOverrides; stop: () => void }> {
  const script = fileURLToPath(new URL("./world-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, root], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  const { observe } = JSON.parse(line) as { observe: ObserveOverrides };
  return { observe, stop: () => child.stdin.end() };
}

/** Plans `count` generated domains (default 1,000) against the loopback world. */
export async function benchPlan(options: { count?: number } = {}): Promise<PlanBenchResult> {
  const count = options.count ?? 1000;
  const root = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-bench-"));
  try {
    await writeFleet(root, count);
    const world = await startWorldProcess(root);

    try {
      let log = "";
      const rssBefore = process.resourceUsage().maxRSS;
      const started = process.hrtime.bigint();
      const outcome = await runCommand("plan", {
        root,
        force: false,
        failOn: "error",
        secrets: {},
        now: () => new Date(),
        log: (line) => {
          log = line;
        },
        observe: { ...world.observe, concurrency: 64 },
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stat = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(log)?.[1] ?? 0);

      return {
        domains: outcome.plan?.domains.length ?? 0,
        seconds,
        domainsPerSecond: count / seconds,
        peakRssMb: Math.max(rssBefore, process.resourceUsage().maxRSS) / 1024,
        dnsQueries: stat("dns_queries"),
        httpsFetches: stat("https_fetches"),
        exitCode: outcome.exitCode,
      };
    } finally {
      world.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchPlan({ count: Number(process.argv[2] ?? 1000) });
  console.log(JSON.stringify(result, null, 2));
}
