/**
 * The offline demo (`npm run demo`): starts the loopback world, plans the example
 * fleet in domains/ against it and prints the plan. No traffic leaves 127.0.0.1.
 */

import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "../commands/index.js";
import type { CommandOptions } from "../commands/types.js";
import { loadProject } from "../config/index.js";
import { exampleFleetWorld, exampleMxHosts } from "./example-fleet.js";
import { recordedDeploymentsWorld } from "./real-deployments.js";
import { startWorld } from "./world.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function heading(text: string): void {
  process.stdout.write(`\n${"=".repeat(78)}\n${text}\n${"=".repeat(78)}\n\n`);
}

async function main(): Promise<number> {
  const loaded = await loadProject(root);
  if (!loaded.ok) {
    for (const error of loaded.errors)
      process.stderr.write(`${error.file}:${error.line}: ${error.message}\n`);
    return 1;
  }

  const domains = [...exampleFleetWorld(loaded.project.domains), ...recordedDeploymentsWorld()];
  const mx = exampleMxHosts(domains);
  const world = await startWorld({ domains, mxHosts: mx.valid, expiredMxHosts: mx.expired });

  try {
    const options: CommandOptions = {
      root,
      force: false,
      failOn: "error",
      secrets: {},
      now: () => new Date(),
      log: () => {},
      color: process.stdout.isTTY === true && !process.env.NO_COLOR,
      observe: world.observe,
    };

    heading(
      `plan: ${loaded.project.domains.length} example domains against the loopback world (DNS ${world.dns.endpoint}, HTTPS ${world.https.endpoint})`,
    );
    const plan = await runCommand("plan", options);
    process.stdout.write(plan.text);
    process.stdout.write(
      `\n(plan exit code ${plan.exitCode}: 0 in sync, 2 changes pending, 1 errors)\n`,
    );
    return 0;
  } finally {
    await world.close();
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
