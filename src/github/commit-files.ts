/**
 * Commits files to a branch through the Git database API, without a local clone.
 *
 * The branch is rebuilt on every run as one commit on top of `base`, so a promotion
 * branch always shows exactly the current proposal and re-running is idempotent.
 * Commits made this way with GITHUB_TOKEN are attributed to github-actions[bot].
 */

import type { GitHubClient, RepositoryRef } from "./context.js";
import { httpStatus } from "./errors.js";

export interface FileContent {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  /** UTF-8 text. */
  content: string;
}

export interface CommitFilesRequest {
  branch: string;
  base: string;
  message: string;
  files: FileContent[];
}

export interface CommitFilesResult {
  /** Commit the branch points to afterwards. */
  sha: string;
  action: "created" | "updated" | "unchanged";
}

/**
 * Creates or moves `branch` to a new commit that applies `files` on top of `base`.
 * Leaves the branch alone when it already has the same files on the same base.
 */
export async function commitFilesToBranch(
  client: GitHubClient,
  repository: RepositoryRef,
  request: CommitFilesRequest,
): Promise<CommitFilesResult> {
  if (request.files.length === 0) {
    throw new Error(`Nothing to commit to branch "${request.branch}": the file list is empty.`);
  }

  const baseRef = await client.rest.git.getRef({ ...repository, ref: `heads/${request.base}` });
  const baseSha = baseRef.data.object.sha;
  const baseCommit = await client.rest.git.getCommit({ ...repository, commit_sha: baseSha });

  const tree = await client.rest.git.createTree({
    ...repository,
    base_tree: baseCommit.data.tree.sha,
    tree: request.files.map((file) => ({
      path: file.path,
      mode: "100644" as const,
      type: "blob" as const,
      content: file.content,
    })),
  });

  const current = await readBranchHead(client, repository, request.branch);
  if (current) {
    const headCommit = await client.rest.git.getCommit({ ...repository, commit_sha: current });
    const sameTree = headCommit.data.tree.sha === tree.data.sha;
    const sameBase = headCommit.data.parents.some((parent) => parent.sha === baseSha);
    if (sameTree && sameBase) {
      return { sha: current, action: "unchanged" };
    }
  }

  const commit = await client.rest.git.createCommit({
    ...repository,
    message: request.message,
    tree: tree.data.sha,
    parents: [baseSha],
  });

  if (current) {
    await client.rest.git.updateRef({
      ...repository,
      ref: `heads/${request.branch}`,
      sha: commit.data.sha,
      force: true,
    });
    return { sha: commit.data.sha, action: "updated" };
  }

  await client.rest.git.createRef({
    ...repository,
    ref: `refs/heads/${request.branch}`,
    sha: commit.data.sha,
  });
  return { sha: commit.data.sha, action: "created" };
}

/** Returns the commit a branch points to, or null when the branch does not exist. */
async function readBranchHead(
  client: GitHubClient,
  repository: RepositoryRef,
  branch: string,
): Promise<string | null> {
  try {
    const ref = await client.rest.git.getRef({ ...repository, ref: `heads/${branch}` });
    return ref.data.object.sha;
  } catch (error) {
    if (httpStatus(error) === 404) {
      return null;
    }
    throw error;
  }
}
