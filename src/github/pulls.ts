/**
 * Pull requests the tool opens (promotion), kept to one per branch: a later run
 * updates the open pull request instead of opening another.
 */

import type { GitHubClient, RepositoryRef } from "./context.js";

export interface PullRequestRequest {
  /** Branch in this repository with the changes. */
  head: string;
  /** Branch to merge into, usually the default branch. */
  base: string;
  title: string;
  body: string;
  labels?: string[];
  /** Logins asked for review when the pull request is created (not on updates, to avoid repeated requests). */
  reviewers?: string[];
  draft?: boolean;
}

export interface PullRequestResult {
  number: number;
  url: string;
  action: "created" | "updated" | "unchanged";
}

/**
 * Opens a pull request from `head` into `base`, or updates the title and body of the
 * open one, then adds the labels. Returns its number and web URL.
 */
export async function openOrUpdatePullRequest(
  client: GitHubClient,
  repository: RepositoryRef,
  request: PullRequestRequest,
): Promise<PullRequestResult> {
  const open = await client.rest.pulls.list({
    ...repository,
    state: "open",
    head: `${repository.owner}:${request.head}`,
    base: request.base,
    per_page: 100,
  });

  const existing = open.data[0];
  let result: PullRequestResult;
  if (existing) {
    result = { number: existing.number, url: existing.html_url, action: "unchanged" };
    if (existing.title !== request.title || (existing.body ?? "") !== request.body) {
      await client.rest.pulls.update({
        ...repository,
        pull_number: existing.number,
        title: request.title,
        body: request.body,
      });
      result.action = "updated";
    }
  } else {
    const created = await client.rest.pulls.create({
      ...repository,
      head: request.head,
      base: request.base,
      title: request.title,
      body: request.body,
      draft: request.draft ?? false,
    });
    result = { number: created.data.number, url: created.data.html_url, action: "created" };

    if (request.reviewers && request.reviewers.length > 0) {
      await client.rest.pulls.requestReviewers({
        ...repository,
        pull_number: result.number,
        reviewers: request.reviewers,
      });
    }
  }

  if (request.labels && request.labels.length > 0) {
    await client.rest.issues.addLabels({
      ...repository,
      issue_number: result.number,
      labels: request.labels,
    });
  }

  return result;
}
