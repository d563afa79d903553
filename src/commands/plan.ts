import { createProgress } from "../observe/progress.js";
import type { ObservedDomain } from "../observe/types.js";
import { planCounts, planExitCode, planObserved } from "../plan/plan-fleet.js";
import { renderPlanJson } from "../plan/render-json.js";
import { renderPlanMarkdown } from "../plan/render-markdown.js";
import { renderPlanText } from "../plan/render-text.js";
import type { Plan } from "../plan/types.js";
import { createPromotionGate, loadGateEvidence } from "../promote/gate.js";
import { createRunObserver, type RunObserver } from "./observer.js";
import { type LoadedProject, loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

export interface PlannedRun {
  loaded: Extract<LoadedProject, { ok: true }>;
  plan: Plan;
  /** The observations the plan was computed from, in the order of `loaded.domains`. */
  observations: ObservedDomain[];
  run: RunObserver;
}

/** Observes and plans the selected domains; the caller closes the observer. */
export async function computePlan(
  options: CommandOptions,
  loaded: Extract<LoadedProject, { ok: true }>,
): Promise<PlannedRun> {
  const started = Date.now();
  const run = await createRunObserver(loaded.project.config.observe, options.observe);
  const observer = run.observer;
  const progress = options.progress
    ? createProgress({ ...options.progress, label: "observing", unit: "domains" })
    : null;

  try {
    const now = options.now();
    const evidence = await loadGateEvidence(loaded.project, loaded.domains, now);
    const observations = await observer.observeFleet(
      loaded.domains.map((domain) => domain.domain),
      { onProgress: (done, total) => progress?.update(done, total) },
    );
    const plan = planObserved(loaded.domains, observations, {
      now,
      promotionGate: createPromotionGate(evidence, now),
    });
    const stats = observer.stats();
    const counts = planCounts(plan);
    options.log(
      `plan: domains=${counts.domains} changes=${counts.changes} errors=${counts.errors} dns_queries=${stats.dnsQueries} https_fetches=${stats.httpsFetches} seconds=${((Date.now() - started) / 1000).toFixed(1)}`,
    );
    return { loaded, plan, observations, run };
  } catch (error) {
    observer.close();
    throw error;
  } finally {
    progress?.finish();
  }
}

/** Formats a plan for the requested output. */
export function formatPlan(plan: Plan, options: CommandOptions): string {
  switch (options.format ?? "text") {
    case "json":
      return renderPlanJson(plan);
    case "markdown":
      return renderPlanMarkdown(plan);
    default:
      return renderPlanText(plan, { color: options.color ?? false });
  }
}

/** Outputs shared by plan, audit and apply. */
export function planOutputs(plan: Plan): Record<string, string> {
  const counts = planCounts(plan);
  return {
    changes: String(counts.changes),
    "plan-json": renderPlanJson(plan),
    "plan-checksum": plan.checksum,
    errors: String(counts.errors),
    warnings: String(counts.warnings),
  };
}

/** `plan`: what differs between the declarations and the live state, and what would change. */
export async function runPlan(options: CommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const { plan, run } = await computePlan(options, loaded);
  run.observer.close();

  return {
    exitCode: planExitCode(plan, options.failOn),
    configErrors: loaded.warnings,
    plan,
    summaryMarkdown: renderPlanMarkdown(plan),
    text: formatPlan(plan, options),
    outputs: planOutputs(plan),
  };
}
