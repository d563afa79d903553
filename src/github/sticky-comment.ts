/**
 * One pull request comment per purpose, updated in place on every run.
 *
 * The comment starts with a hidden HTML marker. A run lists the pull request's comments
 * (every page), updates the first comment that starts with the marker, and deletes later
 * ones left by an earlier race between two runs. A comment that only quotes the marker
 * does not start with it, so it is never taken for ours.
 */

import type { GitHubClient } from "./context.js";
import { truncateMarkdown, utf16Length } from "./truncate.js";

/**
 * GitHub rejects a comment body over 65,536 characters ("Body is too long (maximum is
 * 65536 characters)"). The body is measured in UTF-16 code units, which are never fewer
 * than characters, so a body that fits here fits there.
 */
export const COMMENT_MAX_CHARACTERS = 65_536;

export interface IssueTarget {
  owner: string;
  repo: string;
  /** Pull request or issue number: pull requests take comments through the issues API. */
  issueNumber: number;
}

export interface StickyCommentResult {
  id: number;
  action: "created" | "updated" | "unchanged";
  /** Ids of duplicate marker comments that were deleted. */
  deleted: number[];
  /** True when the body was cut to fit the comment limit. */
  truncated: boolean;
}

/** Returns the hidden marker for `key`, e.g. `<!-- mta-sts-gitops:plan -->`. */
export function stickyMarker(key: string): string {
  if (!/^[a-z0-9][a-z0-9:._/-]*$/i.test(key) || key.includes("--")) {
    throw new Error(
      `Invalid sticky comment key "${key}": use letters, digits and . _ / : - without "--", because it goes inside an HTML comment.`,
    );
  }
  return `<!-- mta-sts-gitops:${key} -->`;
}

/**
 * Builds the comment body: the marker line, then `markdown`. When that exceeds the
 * limit, the Markdown is cut at a line and `pointer` (a sentence with a link to the
 * full text) is appended.
 */
export function composeStickyBody(
  marker: string,
  markdown: string,
  pointer: string,
  limit: number = COMMENT_MAX_CHARACTERS,
): { body: string; truncated: boolean } {
  const head = `${marker}\n`;
  const note = `\n> [!NOTE]\n> ${pointer}\n`;
  const fitted = truncateMarkdown(markdown, limit - utf16Length(head), note, utf16Length);
  return { body: head + fitted, truncated: fitted !== markdown };
}

/** Lists the comments on the issue that start with `marker`, oldest first, reading every page. */
export async function findStickyComments(
  client: GitHubClient,
  target: IssueTarget,
  marker: string,
): Promise<{ id: number; body: string }[]> {
  const found: { id: number; body: string }[] = [];
  const pages = client.paginate.iterator(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });

  for await (const page of pages) {
    for (const comment of page.data) {
      const body = comment.body ?? "";
      if (body.startsWith(marker)) {
        found.push({ id: comment.id, body });
      }
    }
  }

  return found;
}

/**
 * Creates the comment on the first run and updates it on later ones. `body` must
 * start with `marker` and fit the limit: build it with `composeStickyBody`.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  target: IssueTarget,
  marker: string,
  body: string,
): Promise<Omit<StickyCommentResult, "truncated">> {
  if (!body.startsWith(marker)) {
    throw new Error(`The sticky comment body must start with its marker ${marker}.`);
  }
  if (utf16Length(body) > COMMENT_MAX_CHARACTERS) {
    throw new Error(
      `The sticky comment body has ${utf16Length(body)} characters, over GitHub's ${COMMENT_MAX_CHARACTERS}.`,
    );
  }

  const repository = { owner: target.owner, repo: target.repo };
  const existing = await findStickyComments(client, target, marker);
  const [first, ...duplicates] = existing;

  const deleted: number[] = [];
  for (const duplicate of duplicates) {
    await client.rest.issues.deleteComment({ ...repository, comment_id: duplicate.id });
    deleted.push(duplicate.id);
  }

  if (!first) {
    const created = await client.rest.issues.createComment({
      ...repository,
      issue_number: target.issueNumber,
      body,
    });
    return { id: created.data.id, action: "created", deleted };
  }

  if (first.body === body) {
    return { id: first.id, action: "unchanged", deleted };
  }

  await client.rest.issues.updateComment({ ...repository, comment_id: first.id, body });
  return { id: first.id, action: "updated", deleted };
}
