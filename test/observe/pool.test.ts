import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../../src/observe/pool.js";

/** Resolves after the other queued tasks had a chance to start. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("mapWithConcurrency", () => {
  it("keeps at most the limit in flight", async () => {
    let running = 0;
    let peak = 0;

    await mapWithConcurrency(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
      },
    );

    expect(peak).toBe(4);
  });

  it("returns results in input order", async () => {
    const delays = [5, 1, 3, 0, 2];

    const results = await mapWithConcurrency(delays, 3, async (delay, index) => {
      for (let i = 0; i < delay; i++) {
        await tick();
      }
      return index * 10;
    });

    expect(results).toEqual([0, 10, 20, 30, 40]);
  });

  it("reports progress after each item", async () => {
    const seen: [number, number][] = [];

    await mapWithConcurrency(
      [1, 2, 3],
      2,
      async (item) => item,
      (done, total) => seen.push([done, total]),
    );

    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("rejects with the first error and starts nothing more", async () => {
    const started: number[] = [];

    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 1) {
        throw new Error("task 1 failed");
      }
    });

    await expect(run).rejects.toThrow("task 1 failed");
    expect(started).toEqual([0, 1, 2]);
  });

  it("rejects a concurrency below one", async () => {
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(/at least 1/);
  });
});
