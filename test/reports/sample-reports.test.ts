/** The synthetic sample reports of the demo fleet. */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sniffContent } from "../../src/reports/decode/sniff.js";
import { writeSampleReports } from "../../src/sandbox/sample-reports.js";
import { createWorkspace, type Workspace } from "./helpers.js";

let workspace: Workspace;

beforeEach(async () => {
  workspace = await createWorkspace();
});

afterEach(async () => {
  await workspace.cleanup();
});

const NOW = new Date("2025-06-10T08:00:00Z");
const FLEET = ["contoso-mail.example", "tailspin-toys.example", "northwind-traders.example"];

describe("writeSampleReports", () => {
  it("writes gzip, e-mail and JSON inputs", async () => {
    const files = await writeSampleReports(path.join(workspace.root, "inbox"), FLEET, NOW);
    const kinds = await Promise.all(files.map(async (file) => sniffContent(await readFile(file))));
    expect(files).toHaveLength(11);
    expect(new Set(kinds)).toEqual(new Set(["gzip", "email", "json"]));
  });

  it("ingests without warnings, with one failing day", async () => {
    const files = await writeSampleReports(path.join(workspace.root, "inbox"), FLEET, NOW);
    const result = await workspace.ingestFiles(files, { now: NOW });

    expect(result.counts).toEqual({ read: 11, new: 11, duplicate: 0, quarantined: 0 });
    expect(result.reports.flatMap((report) => report.warnings)).toEqual([]);
    expect(result.domains).toEqual([...FLEET].sort());

    const failing = await workspace.typeDay("tailspin-toys.example", "2025-06-08", "sts");
    expect(failing?.failures_by_result_type).toEqual({ "certificate-expired": 6 });
    const clean = await workspace.typeDay("tailspin-toys.example", "2025-06-09", "sts");
    expect(clean?.failed_sessions).toBe(0);
  });
});
