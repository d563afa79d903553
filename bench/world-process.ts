/**
 * Serves the benchmark's generated fleet from a separate process, so the figures of the
 * planning process measure the tool and not the servers it talks to. Prints the
 * observation settings as one JSON line, then serves until stdin closes.
 */

import { loadProject } from "../src/config/index.js";
import { healthyDomain } from "../src/sandbox/example-fleet.js";
import { startWorld } from "../src/sandbox/world.js";

const root = process.argv[2];
if (!root) throw new Error("usage: world-process.ts PROJECT_ROOT");

const loaded = await loadProject(root);
if (!loaded.ok) throw new Error(`generated fleet is invalid: ${loaded.errors[0]?.message}`);

// One domain in ten lacks its _mta-sts record, so the plan computes changes as well.
const domains = loaded.project.domains.map((domain, index) => {
  const served = healthyDomain(domain);
  return index % 10 === 0 ? { ...served, sts: null } : served;
});
const world = await startWorld({ domains });
await world.https.prepare();

process.stdout.write(`${JSON.stringify({ observe: world.observe })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  world.close().then(() => process.exit(0));
});
