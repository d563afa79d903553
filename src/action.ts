/**
 * The GitHub Action entry point (action.yml runs dist/index.js, built from this file).
 *
 * It reads the inputs, masks the secrets, runs the same command function as the CLI,
 * then publishes the outcome: annotations, the job summary, the promotion pull request,
 * outputs, the sticky plan comment on pull requests and, for the scheduled audit, the
 * alert issue. Only this file and src/cli.ts read the environment.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as core from "@actions/core";
import { runCommand } from "./commands/index.js";
import type { CommandOptions, CommandOutcome, Secrets } from "./commands/types.js";
import { annotateConfigErrors } from "./github/annotations.js";
import {
  type ActionContext,
  createGitHubClient,
  type GitHubClient,
  readActionContext,
} from "./github/context.js";
import { isPermissionError } from "./github/errors.js";
import {
  type ActionInputs,
  PLAN_CHECKSUM_FROM_PULL_REQUEST,
  readActionInputs,
  SECRET_INPUTS,
} from "./github/inputs.js";
import { raiseAuditAlert, resolveAuditAlert } from "./github/issues.js";
import { deriveOutputs } from "./github/outputs.js";
import { planCommentKey, planPointer, renderPlanComment } from "./github/plan-comment.js";
import { publishPromotion } from "./github/promotion.js";
import { findReviewedPlan } from "./github/reviewed-plan.js";
import { composeStickyBody, stickyMarker, upsertStickyComment } from "./github/sticky-comment.js";
import { renderJobSummary } from "./github/summary.js";
import { formatShard } from "./plan/shard.js";

/** Environment variables whose values are masked in the log when passed to the step. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSPHRASE|API_KEY|PRIVATE_KEY/i;

/** Values shorter than this are not masked: masking "1" would hide every digit 1 in the log. */
const MIN_MASKED_LENGTH = 6;

async function main(): Promise<void> {
  const inputs = readActionInputs((name) => core.getInput(name));
  const secrets = collectSecrets(inputs, process.env);
  const context = readActionContext(process.env);
  const client = inputs.githubToken
    ? createGitHubClient(inputs.githubToken, context.apiUrl)
    : undefined;
  const label = inputs.shard
    ? `${inputs.command} (shard ${formatShard(inputs.shard)})`
    : inputs.command;
  core.info(
    `mta-sts-gitops: command=${inputs.command} config=${inputs.config} event=${context.eventName}`,
  );

  const bound = await resolvePlanChecksum(inputs, context, client);
  const options: CommandOptions = {
    root: context.workspace,
    configPath: inputs.config,
    force: inputs.force,
    failOn: inputs.failOn,
    secrets,
    now: () => new Date(),
    log: (line) => core.info(line),
  };
  if (inputs.domains.length > 0) {
    options.domains = inputs.domains;
  }
  if (inputs.shard) {
    options.shard = inputs.shard;
  }
  if (bound.checksum) {
    options.planChecksum = bound.checksum;
  }

  let outcome: CommandOutcome;
  try {
    outcome = await runCommand(inputs.command, options);
  } catch (error) {
    // A scheduled audit that cannot run at all must alert as loudly as one that fails.
    if (inputs.command === "audit" && inputs.alertIssue && client) {
      const crash: CommandOutcome = {
        exitCode: 1,
        configErrors: [],
        summaryMarkdown: `The audit could not run: ${describeError(error)}\n`,
        text: "",
        outputs: {},
      };
      await publishAuditAlert(crash, inputs, label, context, client);
    }
    throw error;
  }

  const counts = annotateConfigErrors(outcome.configErrors, core, context.workspace);
  if (counts.omitted > 0) {
    core.info(`annotations: shown=${counts.annotated} summary-only=${counts.omitted}`);
  }

  const summary = renderJobSummary({
    title: `mta-sts-gitops ${label}`,
    sharded: inputs.shard !== undefined,
    body: outcome.summaryMarkdown,
    configErrors: outcome.configErrors,
    root: context.workspace,
    omittedAnnotations: counts.omitted,
  });
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(summary).write();
  } else {
    core.info(
      "job-summary: skipped, GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner)",
    );
  }

  let pullNumber = bound.pullNumber;
  if (inputs.command === "promote" && outcome.promotion) {
    pullNumber = await publishPromotionPullRequest(outcome, context, client);
  }
  writeOutputs(outcome, inputs, context, pullNumber);

  if (inputs.command === "plan" && inputs.comment && context.pullRequest) {
    await publishPlanComment(outcome, inputs, context, client);
  }
  if (inputs.command === "audit" && inputs.alertIssue) {
    await publishAuditAlert(outcome, inputs, label, context, client);
  }

  if (outcome.exitCode === 1) {
    core.setFailed(
      `mta-sts-gitops ${label} failed. The job summary lists what failed: ${context.runUrl}`,
    );
  }
}

/**
 * Masks every secret before anything else is logged and collects them for the command.
 * Provider secrets named in the configuration arrive as environment variables of the
 * step, so the command receives the environment by name; GitHub masks values that come
 * from `secrets.*` itself, and this masks names that look secret as well.
 */
function collectSecrets(inputs: ActionInputs, env: NodeJS.ProcessEnv): Secrets {
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (value) {
      core.setSecret(value);
    }
  }

  const byEnvName: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith("INPUT_")) {
      continue;
    }
    byEnvName[name] = value;
    if (SECRET_NAME.test(name) && value.length >= MIN_MASKED_LENGTH) {
      core.setSecret(value);
    }
  }

  const secrets: Secrets = { byEnvName };
  if (inputs.githubToken) {
    secrets.githubToken = inputs.githubToken;
  }
  if (inputs.cloudflareApiToken) {
    secrets.cloudflareApiToken = inputs.cloudflareApiToken;
  }
  if (inputs.powerdnsApiKey) {
    secrets.powerdnsApiKey = inputs.powerdnsApiKey;
  }
  return secrets;
}

/** Turns `plan-checksum: pull-request` into the checksum of the merged pull request's plan. */
async function resolvePlanChecksum(
  inputs: ActionInputs,
  context: ActionContext,
  client: GitHubClient | undefined,
): Promise<{ checksum?: string; pullNumber?: number }> {
  if (inputs.planChecksum !== PLAN_CHECKSUM_FROM_PULL_REQUEST) {
    return inputs.planChecksum ? { checksum: inputs.planChecksum } : {};
  }
  if (!client) {
    throw new Error(
      `Input "plan-checksum: ${PLAN_CHECKSUM_FROM_PULL_REQUEST}" needs the github-token input to read the pull request.`,
    );
  }

  const reviewed = await findReviewedPlan(
    client,
    context.repository,
    context.sha,
    planCommentKey(inputs.shard),
  );
  core.info(`reviewed-plan: pull=${reviewed.pullNumber} checksum=${reviewed.checksum}`);
  return { checksum: reviewed.checksum, pullNumber: reviewed.pullNumber };
}

function writeOutputs(
  outcome: CommandOutcome,
  inputs: ActionInputs,
  context: ActionContext,
  boundPull: number | undefined,
): void {
  let planFile: string | undefined;
  if (outcome.plan) {
    const suffix = inputs.shard ? `-shard-${inputs.shard.index}-of-${inputs.shard.count}` : "";
    planFile = path.join(context.tempDir, `mta-sts-gitops-plan${suffix}.json`);
    mkdirSync(context.tempDir, { recursive: true });
    writeFileSync(planFile, `${JSON.stringify(outcome.plan, null, 2)}\n`);
  }

  const { outputs, planJsonOmitted } = deriveOutputs(outcome, planFile);
  const pullNumber = boundPull ?? context.pullRequest?.number;
  if (pullNumber !== undefined && outputs["pull-request-number"] === undefined) {
    outputs["pull-request-number"] = String(pullNumber);
  }
  if (planJsonOmitted) {
    core.warning(
      `The plan is too large for the plan-json output (GitHub allows 1 MB of outputs per job); read it from the file in the plan-file output: ${planFile}`,
    );
  }

  for (const [name, value] of Object.entries(outputs)) {
    core.setOutput(name, value);
  }
}

async function publishPlanComment(
  outcome: CommandOutcome,
  inputs: ActionInputs,
  context: ActionContext,
  client: GitHubClient | undefined,
): Promise<void> {
  const pull = context.pullRequest!;
  if (!client) {
    core.warning(
      "No github-token input, so the plan is only in the job summary, not in a pull request comment.",
    );
    return;
  }
  if (pull.fromFork) {
    core.notice(
      `Pull request #${pull.number} comes from the fork ${pull.headRepository || "(deleted)"}, whose GITHUB_TOKEN is read-only, so the plan is only in the job summary.`,
    );
    return;
  }

  const key = planCommentKey(inputs.shard);
  const marker = stickyMarker(key);
  const markdown = renderPlanComment({
    markdown: outcome.summaryMarkdown,
    ...(outcome.plan ? { plan: outcome.plan } : {}),
    headSha: pull.headSha,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
    configErrorCount: outcome.configErrors.length,
    runUrl: context.runUrl,
  });
  const { body, truncated } = composeStickyBody(marker, markdown, planPointer(context.runUrl));

  try {
    const result = await upsertStickyComment(
      client,
      { ...context.repository, issueNumber: pull.number },
      marker,
      body,
    );
    core.info(
      `sticky-comment: action=${result.action} id=${result.id} pull=${pull.number} truncated=${truncated} duplicates-deleted=${result.deleted.length}`,
    );
    core.setOutput("comment-id", String(result.id));
  } catch (error) {
    if (!isPermissionError(error)) {
      throw new Error(`Failed to write the plan comment on pull request #${pull.number}`, {
        cause: error,
      });
    }
    core.warning(
      `The token cannot comment on pull request #${pull.number} (${(error as Error).message}), so the plan is only in the job summary. Give the job "pull-requests: write".`,
    );
  }
}

/** Returns the number of the open promotion pull request, if one is open after the run. */
async function publishPromotionPullRequest(
  outcome: CommandOutcome,
  context: ActionContext,
  client: GitHubClient | undefined,
): Promise<number | undefined> {
  if (!client) {
    throw new Error("Command promote needs the github-token input to open the pull request.");
  }

  let result: Awaited<ReturnType<typeof publishPromotion>>;
  try {
    result = await publishPromotion(client, context.repository, outcome.promotion!, context.runUrl);
  } catch (error) {
    const hint = isPermissionError(error)
      ? ' Give the job "contents: write" and "pull-requests: write", and enable "Allow GitHub Actions to create and approve pull requests" in the repository settings.'
      : "";
    throw new Error(`Failed to open the promotion pull request.${hint}`, { cause: error });
  }
  core.info(`promotion-pull-request: action=${result.action} number=${result.number}`);
  return result.number > 0 ? result.number : undefined;
}

async function publishAuditAlert(
  outcome: CommandOutcome,
  inputs: ActionInputs,
  label: string,
  context: ActionContext,
  client: GitHubClient | undefined,
): Promise<void> {
  if (!client) {
    throw new Error('Input "alert-issue: true" needs the github-token input to open the issue.');
  }

  const key = inputs.shard ? `audit:shard-${inputs.shard.index}-of-${inputs.shard.count}` : "audit";
  const result =
    outcome.exitCode === 1
      ? await raiseAuditAlert(
          client,
          context.repository,
          key,
          `MTA-STS audit failed: mta-sts-gitops ${label}`,
          outcome.summaryMarkdown,
          context.runUrl,
        )
      : await resolveAuditAlert(client, context.repository, key, context.runUrl);
  core.info(`alert-issue: action=${result.action} number=${result.number}`);
  if (result.number > 0) {
    core.setOutput("issue-number", String(result.number));
  }
}

/** Returns the message of an error and of each cause, so a wrapped failure shows its reason. */
function describeError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && messages.length < 5) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages.join(": ") : String(error);
}

main().catch((error: unknown) => {
  core.setFailed(describeError(error));
});
