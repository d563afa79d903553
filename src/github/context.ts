/**
 * The workflow run the Action executes in, read from the variables GitHub sets for
 * every step (https://docs.github.com/actions/reference/variables-reference) and from
 * the event payload at GITHUB_EVENT_PATH. The caller passes the environment, so only
 * the entry point touches `process.env`.
 */

import { readFileSync } from "node:fs";
import { getOctokit } from "@actions/github";

/** A repository named as in its URL. */
export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** The pull request of a `pull_request` event. */
export interface PullRequestRef {
  number: number;
  headSha: string;
  /** `owner/name` of the repository the head branch lives in. */
  headRepository: string;
  /** True when the head branch lives in another repository, so GITHUB_TOKEN is read-only. */
  fromFork: boolean;
}

export interface ActionContext {
  eventName: string;
  repository: RepositoryRef;
  sha: string;
  workspace: string;
  apiUrl: string;
  /** Link to the run's summary page, where GitHub shows every step's job summary. */
  runUrl: string;
  /** Directory for files that outlive the step but not the job. */
  tempDir: string;
  pullRequest?: PullRequestRef;
}

/** Octokit with the REST methods and pagination, as `@actions/github` builds it. */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** Events whose payload carries `pull_request`. */
const PULL_REQUEST_EVENTS = new Set(["pull_request", "pull_request_target"]);

/**
 * Reads the run context from `env`. Throws when GITHUB_REPOSITORY is missing or
 * malformed, because every API call needs it.
 */
export function readActionContext(env: Record<string, string | undefined>): ActionContext {
  const repository = parseRepository(env.GITHUB_REPOSITORY ?? "");
  const serverUrl = env.GITHUB_SERVER_URL ?? "https://github.com";
  const runId = env.GITHUB_RUN_ID ?? "";
  const attempt = env.GITHUB_RUN_ATTEMPT;
  const runPath = `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${runId}`;

  const context: ActionContext = {
    eventName: env.GITHUB_EVENT_NAME ?? "",
    repository,
    sha: env.GITHUB_SHA ?? "",
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    runUrl: attempt && attempt !== "1" ? `${runPath}/attempts/${attempt}` : runPath,
    tempDir: env.RUNNER_TEMP ?? env.TMPDIR ?? "/tmp",
  };

  if (PULL_REQUEST_EVENTS.has(context.eventName) && env.GITHUB_EVENT_PATH) {
    context.pullRequest = readPullRequest(env.GITHUB_EVENT_PATH, repository);
  }

  return context;
}

/** Creates an Octokit client for `apiUrl` (GitHub Enterprise Server and tests use other URLs). */
export function createGitHubClient(token: string, apiUrl: string): GitHubClient {
  return getOctokit(token, { baseUrl: apiUrl });
}

function parseRepository(value: string): RepositoryRef {
  const [owner, repo, ...rest] = value.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `Invalid GITHUB_REPOSITORY "${value}": expected "owner/name". GitHub sets it in every workflow run.`,
    );
  }
  return { owner, repo };
}

interface PullRequestPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; repo?: { full_name?: string } | null };
  };
}

function readPullRequest(eventPath: string, repository: RepositoryRef): PullRequestRef | undefined {
  let payload: PullRequestPayload;
  try {
    payload = JSON.parse(readFileSync(eventPath, "utf8")) as PullRequestPayload;
  } catch (cause) {
    throw new Error(`Failed to read the event payload at GITHUB_EVENT_PATH "${eventPath}"`, {
      cause,
    });
  }

  const pull = payload.pull_request;
  if (!pull || typeof pull.number !== "number") {
    return undefined;
  }

  const ownRepository = `${repository.owner}/${repository.repo}`;
  // A deleted fork leaves head.repo null; its token is read-only all the same.
  const headRepository = pull.head?.repo?.full_name ?? "";
  return {
    number: pull.number,
    headSha: pull.head?.sha ?? "",
    headRepository,
    fromFork: headRepository.toLowerCase() !== ownRepository.toLowerCase(),
  };
}
