import { setTimeout as sleep } from "node:timers/promises";
import {
  type ApplyHooks,
  applyPlan,
  assertPlanMayRun,
  renderApplyMarkdown,
  renderApplyText,
} from "../apply/index.js";
import { renderPlanMarkdown } from "../plan/render-markdown.js";
import { UnsafePlanError } from "../plan/safety.js";
import { createProviders, ProviderSetupError, providersUsedBy } from "../providers/index.js";
import { computePlan, formatPlan, planOutputs } from "./plan.js";
import { loadForCommand } from "./project.js";
import { secretsByEnvName } from "./secrets.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/** Options of `apply` besides the shared ones; the CLI and the Action set none of them. */
export interface ApplyCommandOptions extends CommandOptions {
  /**
   * Replace `safety.verify_timeout_seconds` and `verify_interval_seconds` of the
   * configuration, in milliseconds, so the offline demo and tests wait less than the
   * configuration allows (its minimum is one second).
   */
  verifyTimeoutMs?: number;
  verifyIntervalMs?: number;
  /** Passed to `applyPlan`; tests use them to stop a run between its steps. */
  hooks?: ApplyHooks;
}

function refused(message: string, text: string): CommandOutcome {
  return {
    exitCode: 1,
    configErrors: [],
    summaryMarkdown: `## Apply refused\n\n${message}\n`,
    text: `${text}\napply refused: ${message}\n`,
    outputs: { changes: "0" },
  };
}

/**
 * `apply`: computes the plan from the live state, checks it against the safety
 * threshold and the reviewed checksum, and only then executes it in the safe order.
 */
export async function runApply(options: ApplyCommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const { plan, run } = await computePlan(options, loaded);
  try {
    const config = loaded.project.config;
    const planText = formatPlan(plan, { ...options, format: "text" });

    try {
      assertPlanMayRun(plan, {
        force: options.force,
        ...(options.planChecksum ? { reviewedChecksum: options.planChecksum } : {}),
        safety: config.safety,
      });
    } catch (error) {
      if (error instanceof UnsafePlanError) return refused(error.message, planText);
      throw error;
    }

    let providers: ReturnType<typeof createProviders>;
    try {
      providers = createProviders(
        config,
        { byEnvName: secretsByEnvName(config, options.secrets) },
        {
          log: options.log,
          only: providersUsedBy(plan),
          ...(options.cloudflareApiUrl ? { cloudflareBaseUrl: options.cloudflareApiUrl } : {}),
        },
      );
    } catch (error) {
      if (error instanceof ProviderSetupError) return refused(error.message, planText);
      throw error;
    }

    const result = await applyPlan({
      plan,
      ...providers,
      verifyPolicy: run.fetchPolicy,
      clock: { now: options.now, sleep: (ms) => sleep(ms) },
      verifyTimeoutMs: options.verifyTimeoutMs ?? config.safety.verifyTimeoutSeconds * 1000,
      verifyIntervalMs: options.verifyIntervalMs ?? config.safety.verifyIntervalSeconds * 1000,
      log: options.log,
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });

    const counts = result.counts;
    let exitCode = 0;
    if (counts.pending > 0) exitCode = 2;
    if (counts.failed > 0) exitCode = 1;
    return {
      exitCode,
      configErrors: loaded.warnings,
      plan,
      summaryMarkdown: `${renderPlanMarkdown(plan)}\n${renderApplyMarkdown(result)}`,
      text:
        options.format === "json"
          ? `${JSON.stringify(result, null, 2)}\n`
          : `${formatPlan(plan, options)}\n${renderApplyText(result)}`,
      outputs: {
        ...planOutputs(plan),
        applied: String(counts.applied),
        pending: String(counts.pending),
      },
    };
  } finally {
    run.observer.close();
  }
}
