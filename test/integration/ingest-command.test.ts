import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/index.js";
import { loadProject } from "../../src/config/index.js";
import { EXAMPLE_POLICY_ID, exampleFleetWorld } from "../../src/sandbox/example-fleet.js";
import { buildReportJson } from "../../src/sandbox/sample-reports.js";
import { startWorld, type World } from "../../src/sandbox/world.js";
import { repoRoot } from "../support/shared.js";

let world: World;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ingest-command-"));
  await cp(path.join(repoRoot, "domains"), path.join(root, "domains"), { recursive: true });
  await cp(path.join(repoRoot, "mta-sts-gitops.yaml"), path.join(root, "mta-sts-gitops.yaml"));
  await cp(path.join(repoRoot, "schemas"), path.join(root, "schemas"), { recursive: true });

  const loaded = await loadProject(root);
  if (!loaded.ok) throw new Error("the copied example fleet must validate");
  world = await startWorld({ domains: exampleFleetWorld(loaded.project.domains) });

  const report = buildReportJson({
    organizationName: "Google Inc.",
    contactInfo: "smtp-tls-reporting@google.com",
    reportId: "2026-12-03T00:00:00Z_contoso-mail.example",
    day: "2026-12-03",
    policyDomain: "contoso-mail.example",
    mode: "testing",
    mx: ["*.mail.protection.outlook.com"],
    maxAge: 604800,
    successful: 12,
    failures: [],
  });
  await mkdir(path.join(root, "reports", "inbox"), { recursive: true });
  await writeFile(path.join(root, "reports", "inbox", "google.json"), JSON.stringify(report));
});

afterAll(async () => {
  await world?.close();
  await rm(root, { recursive: true, force: true });
});

describe("ingest command", () => {
  it("names the live policy id a report saw", async () => {
    const outcome = await runCommand("ingest", {
      root,
      force: false,
      failOn: "error",
      secrets: {},
      now: () => new Date("2026-12-04T06:00:00Z"),
      log: () => {},
      observe: world.observe,
    });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text).toBe("ingest: 1 read, 1 new, 0 duplicate, 0 quarantined\n");

    const file = path.join(root, "reports", "summaries", "contoso-mail.example", "2026-12.json");
    const summary = JSON.parse(await readFile(file, "utf8"));
    const policies = summary.days["2026-12-03"].sts.policies;
    expect(policies).toHaveLength(1);
    expect(policies[0].policy_id).toBe(EXAMPLE_POLICY_ID);
    expect(policies[0].successful_sessions).toBe(12);
  });
});
