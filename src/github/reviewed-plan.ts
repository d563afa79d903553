/**
 * The plan a reviewer approved: the checksum in the plan comment of the pull request
 * whose merge produced the commit being applied. Apply passes it on as `planChecksum`,
 * so it refuses to run when the live state no longer yields the reviewed plan.
 */

import type { GitHubClient, RepositoryRef } from "./context.js";
import { parsePlanCommentMetadata } from "./plan-comment.js";
import { findStickyComments, stickyMarker } from "./sticky-comment.js";

/**
 * Closed pull requests searched for the merge commit, most recently updated first.
 * NOTE: after more than this many other pull requests were closed or updated, a merged
 * pull request falls out of the window. Apply then fails with the "no merged pull
 * request" error, and a re-run with an explicit `plan-checksum` input works.
 */
export const MERGED_PULL_SEARCH_LIMIT = 100;

export interface ReviewedPlan {
  pullNumber: number;
  checksum: string;
}

/**
 * Finds the pull request merged as `sha` and returns the checksum from its plan comment
 * (`commentKey` selects the shard). Throws with the reason and the fix when there is
 * no such pull request, no comment, or the comment was for an older head commit.
 */
export async function findReviewedPlan(
  client: GitHubClient,
  repository: RepositoryRef,
  sha: string,
  commentKey: string,
): Promise<ReviewedPlan> {
  const pulls = await client.rest.pulls.list({
    ...repository,
    state: "closed",
    sort: "updated",
    direction: "desc",
    per_page: MERGED_PULL_SEARCH_LIMIT,
  });

  const merged = pulls.data.find((pull) => pull.merged_at && pull.merge_commit_sha === sha);
  if (!merged) {
    throw new Error(
      `No merged pull request produced commit ${sha}, so there is no reviewed plan to bind to. Push changes through a pull request, or set the plan-checksum input explicitly.`,
    );
  }

  const comments = await findStickyComments(
    client,
    { ...repository, issueNumber: merged.number },
    stickyMarker(commentKey),
  );
  const metadata = comments[0] ? parsePlanCommentMetadata(comments[0].body) : null;
  if (!metadata) {
    throw new Error(
      `Pull request #${merged.number} has no plan comment with a checksum (key "${commentKey}"). Re-run its plan job, or set the plan-checksum input explicitly.`,
    );
  }

  if (metadata.headSha !== merged.head.sha) {
    throw new Error(
      `The plan comment on pull request #${merged.number} is for commit ${metadata.headSha}, but the pull request was merged at ${merged.head.sha}: the last pushed changes were never planned. Re-run the plan job on the pull request, or set the plan-checksum input explicitly.`,
    );
  }

  return { pullNumber: merged.number, checksum: metadata.checksum };
}
