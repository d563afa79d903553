/**
 * The promotion pull request: the domain files `promote` edited to mode enforce,
 * committed to one branch and proposed in one pull request, updated on later runs.
 */

import type { PromotionOutcome } from "../commands/types.js";
import { commitFilesToBranch } from "./commit-files.js";
import type { GitHubClient, RepositoryRef } from "./context.js";
import { openOrUpdatePullRequest } from "./pulls.js";
import { truncateMarkdown, utf16Length } from "./truncate.js";

/** The branch every promotion pull request comes from, so there is at most one open. */
export const PROMOTION_BRANCH = "mta-sts-gitops/promote";
export const PROMOTION_LABEL = "mta-sts-promotion";

/** GitHub limits a pull request body to 65,536 characters, as it does a comment. */
const PULL_BODY_MAX_CHARACTERS = 65_536;

export interface PromotionResult {
  /** 0 when no pull request is open after the run. */
  number: number;
  action: "created" | "updated" | "unchanged" | "closed" | "none";
}

/**
 * Commits the edited files to the promotion branch and opens or updates its pull request.
 * When no domain passes the gate any more, closes the open promotion pull request with
 * a comment, because its branch would promote domains that no longer qualify.
 */
export async function publishPromotion(
  client: GitHubClient,
  repository: RepositoryRef,
  promotion: PromotionOutcome,
  runUrl: string,
): Promise<PromotionResult> {
  const { data: repo } = await client.rest.repos.get({ ...repository });
  const base = repo.default_branch;

  if (promotion.files.length === 0) {
    return closeStalePromotion(client, repository, base, runUrl);
  }

  const count = promotion.domains.length;
  const title = `Promote ${count} ${count === 1 ? "domain" : "domains"} to MTA-STS enforce`;
  await commitFilesToBranch(client, repository, {
    branch: PROMOTION_BRANCH,
    base,
    message: `${title}\n\nThe clean-week gate passed for: ${promotion.domains.join(", ")}.`,
    files: promotion.files,
  });

  const note = `\n> [!NOTE]\n> Cut at GitHub's size limit. The full evidence is in the [job summary](${runUrl}).\n`;
  const footer = `\n---\nOpened by mta-sts-gitops promote: ${runUrl}\n`;
  const body = truncateMarkdown(
    promotion.markdown + footer,
    PULL_BODY_MAX_CHARACTERS,
    note,
    utf16Length,
  );
  const result = await openOrUpdatePullRequest(client, repository, {
    head: PROMOTION_BRANCH,
    base,
    title,
    body,
    labels: [PROMOTION_LABEL],
  });
  return { number: result.number, action: result.action };
}

async function closeStalePromotion(
  client: GitHubClient,
  repository: RepositoryRef,
  base: string,
  runUrl: string,
): Promise<PromotionResult> {
  const open = await client.rest.pulls.list({
    ...repository,
    state: "open",
    head: `${repository.owner}:${PROMOTION_BRANCH}`,
    base,
    per_page: 100,
  });
  const stale = open.data[0];
  if (!stale) {
    return { number: 0, action: "none" };
  }

  await client.rest.issues.createComment({
    ...repository,
    issue_number: stale.number,
    body: `No domain passes the promotion gate any more, so this pull request is closed. Details: ${runUrl}`,
  });
  await client.rest.pulls.update({ ...repository, pull_number: stale.number, state: "closed" });
  return { number: 0, action: "closed" };
}
