/** The ingestion benchmark runs end to end on a small count; its speed is not asserted. */

import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { benchIngest } from "../../bench/ingest.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("benchIngest", () => {
  it("reports consistent figures", async () => {
    const result = await benchIngest({ count: 200 });
    expect(result.reportsPerSecond).toBeGreaterThan(0);
    expect(result.rawPerSecond).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.reportsPerSecond / result.rawPerSecond, 10);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });

  // bench/run.ts runs the script as a child process and parses its last line.
  it("script prints the result as JSON on its last line", async () => {
    const { stdout } = await promisify(execFile)(
      path.join(projectRoot, "node_modules", ".bin", "tsx"),
      ["bench/ingest.ts", "1200"],
      { cwd: projectRoot, timeout: 120_000 },
    );
    const lines = stdout.trimEnd().split("\n");
    const result = JSON.parse(lines.at(-1)!);
    expect(result.count).toBe(1200);
    expect(result.ratio).toBeCloseTo(result.reportsPerSecond / result.rawPerSecond, 10);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(lines.some((line) => line.startsWith("ratio:"))).toBe(true);
  }, 150_000);
});
