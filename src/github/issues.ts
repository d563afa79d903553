/**
 * The audit alert: one open issue per audit (per shard when sharded) while the
 * scheduled audit fails, found by its label and hidden marker, updated on each failing
 * run and closed when the audit passes.
 */

import type { GitHubClient, RepositoryRef } from "./context.js";
import { truncateMarkdown, utf16Length } from "./truncate.js";

/** GitHub limits an issue body to 65,536 characters, as it does a comment. */
const ISSUE_BODY_MAX_CHARACTERS = 65_536;

export const ALERT_LABEL = "mta-sts-audit";

/** Returns the hidden first line of an alert issue; `key` separates shards ("audit", "audit:shard-1-of-4"). */
export function alertMarker(key: string): string {
  return `<!-- mta-sts-gitops:alert:${key} -->`;
}

export interface AlertIssueResult {
  number: number;
  action: "created" | "updated" | "closed" | "none";
}

/** Opens the alert issue, or updates the body of the open one. */
export async function raiseAuditAlert(
  client: GitHubClient,
  repository: RepositoryRef,
  key: string,
  title: string,
  markdown: string,
  runUrl: string,
): Promise<AlertIssueResult> {
  const note = `\n> [!NOTE]\n> Cut at GitHub's issue size limit. The full audit is in the [job summary](${runUrl}).\n`;
  const marker = alertMarker(key);
  const limit = ISSUE_BODY_MAX_CHARACTERS - marker.length - 1;
  const body = `${marker}\n${truncateMarkdown(markdown, limit, note, utf16Length)}`;

  const open = await findOpenAlert(client, repository, marker);
  if (open) {
    await client.rest.issues.update({ ...repository, issue_number: open, title, body });
    return { number: open, action: "updated" };
  }

  const created = await client.rest.issues.create({
    ...repository,
    title,
    body,
    labels: [ALERT_LABEL],
  });
  return { number: created.data.number, action: "created" };
}

/** Closes the open alert issue with a comment that links the passing run, if there is one. */
export async function resolveAuditAlert(
  client: GitHubClient,
  repository: RepositoryRef,
  key: string,
  runUrl: string,
): Promise<AlertIssueResult> {
  const open = await findOpenAlert(client, repository, alertMarker(key));
  if (!open) {
    return { number: 0, action: "none" };
  }

  await client.rest.issues.createComment({
    ...repository,
    issue_number: open,
    body: `The audit passes again: ${runUrl}`,
  });
  await client.rest.issues.update({
    ...repository,
    issue_number: open,
    state: "closed",
    state_reason: "completed",
  });
  return { number: open, action: "closed" };
}

async function findOpenAlert(
  client: GitHubClient,
  repository: RepositoryRef,
  marker: string,
): Promise<number | null> {
  const issues = await client.paginate(client.rest.issues.listForRepo, {
    ...repository,
    state: "open",
    labels: ALERT_LABEL,
    per_page: 100,
  });
  // The issues API lists pull requests too; an alert is never one.
  const alert = issues.find(
    (issue) => !issue.pull_request && (issue.body ?? "").startsWith(marker),
  );
  return alert ? alert.number : null;
}
