import { describe, expect, it } from "vitest";
import { assertPlanMayRun } from "../../src/apply/guard.js";
import { PlanChecksumMismatchError, TooMuchChangeError } from "../../src/plan/safety.js";
import { MemoryWorld } from "../support/memory-providers.js";
import { DAY_MS, declare, planWorld, START, seedDomain } from "./fleet.js";

const safety = { maxChangeShare: 0.3, minFleetSize: 4 };

/** Plans a fleet of `size` in-sync domains of which the first `changed` get a new max_age. */
function fleetPlan(size: number, changed: number) {
  const world = new MemoryWorld({ start: START });
  const declared = Array.from({ length: size }, (_, index) => declare(`d${index}.example`));
  for (const desired of declared) {
    seedDomain(world, desired, { at: Date.parse(START) - DAY_MS });
  }
  const edited = declared.map((desired, index) =>
    index < changed ? { ...desired, mtaSts: { ...desired.mtaSts, maxAge: 1_209_600 } } : desired,
  );
  return planWorld(world, edited);
}

describe("assertPlanMayRun", () => {
  it("passes a plan under the threshold", () => {
    const plan = fleetPlan(10, 3);
    expect(() => assertPlanMayRun(plan, { force: false, safety })).not.toThrow();
  });

  it("rejects a plan over the threshold", () => {
    const plan = fleetPlan(10, 4);
    expect(() => assertPlanMayRun(plan, { force: false, safety })).toThrow(TooMuchChangeError);
    expect(() => assertPlanMayRun(plan, { force: false, safety })).toThrow(
      "the plan changes 4 of 10 domains (40%), over the 30% safety threshold; review it and run with --force",
    );
  });

  it("force accepts a plan over the threshold", () => {
    const plan = fleetPlan(10, 4);
    expect(() => assertPlanMayRun(plan, { force: true, safety })).not.toThrow();
  });

  it("accepts the reviewed checksum", () => {
    const plan = fleetPlan(3, 1);
    const reviewedChecksum = plan.checksum.toUpperCase();
    expect(() => assertPlanMayRun(plan, { force: false, reviewedChecksum, safety })).not.toThrow();
  });

  it("rejects another checksum even with force", () => {
    const plan = fleetPlan(3, 1);
    const reviewedChecksum = "0".repeat(64);
    const check = () => assertPlanMayRun(plan, { force: true, reviewedChecksum, safety });
    expect(check).toThrow(PlanChecksumMismatchError);
    expect(check).toThrow(
      `the plan computed now (checksum ${plan.checksum}) differs from the reviewed plan`,
    );
  });
});
