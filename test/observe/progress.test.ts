import { describe, expect, it } from "vitest";
import { createProgress, type ProgressOptions } from "../../src/observe/progress.js";

function setup(overrides: Partial<ProgressOptions> = {}) {
  const written: string[] = [];
  let time = 0;
  const progress = createProgress({
    stream: { write: (text: string) => written.push(text) },
    isTTY: true,
    label: "observing",
    unit: "domains",
    now: () => time,
    ...overrides,
  });
  return {
    progress,
    written,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe("createProgress", () => {
  it("stays quiet during the first second", () => {
    const { progress, written, advance } = setup();

    advance(999);
    progress.update(5, 100);

    expect(written).toEqual([]);
  });

  it("draws the counter after a second", () => {
    const { progress, written, advance } = setup();

    advance(1000);
    progress.update(5, 100);

    expect(written).toEqual(["\r\x1b[2Kobserving 5/100 domains"]);
  });

  it("never writes when the stream is not a terminal", () => {
    const { progress, written, advance } = setup({ isTTY: false });

    advance(5000);
    progress.update(5, 100);
    progress.finish();

    expect(written).toEqual([]);
  });

  it("limits redraws to the interval but draws the last item", () => {
    const { progress, written, advance } = setup();

    advance(1000);
    progress.update(1, 3);
    advance(10);
    progress.update(2, 3);
    advance(10);
    progress.update(3, 3);

    expect(written).toHaveLength(2);
    expect(written[1]).toContain("3/3");
  });

  it("finish clears a drawn line", () => {
    const { progress, written, advance } = setup();

    advance(1000);
    progress.update(1, 2);
    progress.finish();

    expect(written.at(-1)).toBe("\r\x1b[2K");
  });

  it("finish writes nothing when nothing was drawn", () => {
    const { progress, written } = setup();

    progress.update(1, 2);
    progress.finish();

    expect(written).toEqual([]);
  });
});
