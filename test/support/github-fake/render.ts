/**
 * JSON bodies of the fake's responses: the fields of GitHub's objects that Octokit
 * callers read, not every field GitHub sends.
 */

import type { FakeComment, FakeIssue, FakeRepository, FakeUser } from "./state.js";

export interface RenderContext {
  repository: FakeRepository;
  /** Base URL of the fake API, e.g. http://127.0.0.1:40123. */
  apiUrl: string;
  /** Web URL the objects link to; GitHub's is https://github.com. */
  webUrl: string;
}

export function userJson(user: FakeUser): Record<string, unknown> {
  return { login: user.login, id: loginId(user.login), type: user.type };
}

export function commentJson(context: RenderContext, comment: FakeComment): Record<string, unknown> {
  const { repository, apiUrl, webUrl } = context;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${apiUrl}/repos/${repository.fullName}/issues/comments/${comment.id}`,
    html_url: `${webUrl}/${repository.fullName}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${apiUrl}/repos/${repository.fullName}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function issueJson(context: RenderContext, issue: FakeIssue): Record<string, unknown> {
  const { repository, apiUrl, webUrl } = context;
  const kind = issue.pull ? "pull" : "issues";
  const json: Record<string, unknown> = {
    id: issue.number + 500_000,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    labels: issue.labels.map((name) => ({ id: loginId(name), name })),
    user: userJson(issue.user),
    url: `${apiUrl}/repos/${repository.fullName}/issues/${issue.number}`,
    html_url: `${webUrl}/${repository.fullName}/${kind}/${issue.number}`,
    comments: repositoryCommentCount(repository, issue.number),
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.state === "closed" ? issue.updatedAt : null,
  };
  if (issue.pull) {
    json.pull_request = {
      url: `${apiUrl}/repos/${repository.fullName}/pulls/${issue.number}`,
      html_url: `${webUrl}/${repository.fullName}/pull/${issue.number}`,
    };
  }
  return json;
}

export function pullJson(context: RenderContext, issue: FakeIssue): Record<string, unknown> {
  const { repository, apiUrl, webUrl } = context;
  const pull = issue.pull!;
  const [headOwner] = pull.headRepository.split("/");
  return {
    id: issue.number + 900_000,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    draft: pull.draft,
    user: userJson(issue.user),
    url: `${apiUrl}/repos/${repository.fullName}/pulls/${issue.number}`,
    html_url: `${webUrl}/${repository.fullName}/pull/${issue.number}`,
    labels: issue.labels.map((name) => ({ id: loginId(name), name })),
    head: {
      ref: pull.head,
      sha: pull.headSha,
      label: `${headOwner}:${pull.head}`,
      repo: { full_name: pull.headRepository },
    },
    base: {
      ref: pull.base,
      label: `${repository.owner}:${pull.base}`,
      repo: { full_name: repository.fullName },
    },
    requested_reviewers: pull.requestedReviewers.map((login) => userJson({ login, type: "User" })),
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.state === "closed" ? issue.updatedAt : null,
  };
}

function repositoryCommentCount(repository: FakeRepository, issueNumber: number): number {
  return repository.commentsOn(issueNumber).length;
}

/** Derives a stable numeric id from a login or label name. */
function loginId(name: string): number {
  let hash = 7;
  for (const char of name) {
    hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  }
  return hash + 1;
}
