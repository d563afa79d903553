/** The ingestion benchmark runs end to end on a small count; its speed is not asserted. */

import { describe, expect, it } from "vitest";
import { benchIngest } from "../../bench/ingest.js";

describe("benchIngest", () => {
  it("reports consistent figures", async () => {
    const result = await benchIngest({ count: 200 });
    expect(result.reportsPerSecond).toBeGreaterThan(0);
    expect(result.rawPerSecond).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.reportsPerSecond / result.rawPerSecond, 10);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });
});
