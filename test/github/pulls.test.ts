import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { commitFilesToBranch } from "../../src/github/commit-files.js";
import {
  createGitHubClient,
  type GitHubClient,
  type RepositoryRef,
} from "../../src/github/context.js";
import { openOrUpdatePullRequest } from "../../src/github/pulls.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

describe.skipIf(!validator)("promotion pull request on the fake API", () => {
  let fake: GitHubFake;
  let client: GitHubClient;
  let repository: RepositoryRef;

  beforeEach(async () => {
    fake = await startGitHubFake();
    client = createGitHubClient("write-token", fake.url);
    repository = { owner: fake.repository.owner, repo: fake.repository.name };
  });

  afterEach(async () => {
    expect(fake.invalidRequests).toEqual([]);
    await fake.close();
  });

  const files = [
    {
      path: "domains/example.org.yaml",
      content: "domain: example.org\nmta_sts:\n  mode: enforce\n",
    },
  ];
  const commitRequest = {
    branch: "mta-sts-gitops/promote",
    base: "main",
    message: "Promote example.org",
    files,
  };
  const pullRequest = {
    head: "mta-sts-gitops/promote",
    base: "main",
    title: "Promote 1 domain to enforce",
    body: "| domain | days |\n| --- | --- |\n| example.org | 7 |\n",
    labels: ["mta-sts", "promotion"],
    reviewers: ["postmaster"],
  };

  test("commit creates branch", async () => {
    const result = await commitFilesToBranch(client, repository, commitRequest);
    expect(result.action).toBe("created");
    expect(fake.repository.refs.get("refs/heads/mta-sts-gitops/promote")).toBe(result.sha);
    expect(fake.repository.readFile("mta-sts-gitops/promote", "domains/example.org.yaml")).toBe(
      files[0]?.content,
    );
  });

  test("same files leave branch alone", async () => {
    const first = await commitFilesToBranch(client, repository, commitRequest);
    const second = await commitFilesToBranch(client, repository, commitRequest);
    expect(second).toEqual({ sha: first.sha, action: "unchanged" });
  });

  test("new files move branch", async () => {
    const first = await commitFilesToBranch(client, repository, commitRequest);
    const changed = [
      { path: files[0]!.path, content: "domain: example.org\nmta_sts:\n  mode: testing\n" },
    ];
    const second = await commitFilesToBranch(client, repository, {
      ...commitRequest,
      files: changed,
    });
    expect(second.action).toBe("updated");
    expect(second.sha).not.toBe(first.sha);
    expect(fake.repository.readFile("mta-sts-gitops/promote", files[0]!.path)).toContain(
      "mode: testing",
    );
  });

  test("empty file list rejected", async () => {
    await expect(
      commitFilesToBranch(client, repository, { ...commitRequest, files: [] }),
    ).rejects.toThrow(/Nothing to commit to branch "mta-sts-gitops\/promote"/);
  });

  test("first run opens pull request", async () => {
    await commitFilesToBranch(client, repository, commitRequest);
    const result = await openOrUpdatePullRequest(client, repository, pullRequest);
    const stored = fake.repository.requirePull(result.number);
    expect(result.action).toBe("created");
    expect(stored.labels).toEqual(["mta-sts", "promotion"]);
    expect(stored.pull?.requestedReviewers).toEqual(["postmaster"]);
  });

  test("second run updates, not duplicates", async () => {
    await commitFilesToBranch(client, repository, commitRequest);
    const first = await openOrUpdatePullRequest(client, repository, pullRequest);
    const second = await openOrUpdatePullRequest(client, repository, {
      ...pullRequest,
      body: "new evidence",
    });

    expect(second).toMatchObject({ number: first.number, action: "updated" });
    const open = [...fake.repository.issues.values()].filter(
      (issue) => issue.pull && issue.state === "open",
    );
    expect(open).toHaveLength(1);
    expect(open[0]?.body).toBe("new evidence");
  });

  test("reviewers requested once", async () => {
    await commitFilesToBranch(client, repository, commitRequest);
    await openOrUpdatePullRequest(client, repository, pullRequest);
    await openOrUpdatePullRequest(client, repository, { ...pullRequest, body: "again" });
    const requests = fake.requests.filter(
      (request) => request.operationId === "pulls/request-reviewers",
    );
    expect(requests).toHaveLength(1);
  });

  test("unchanged pull request not patched", async () => {
    await commitFilesToBranch(client, repository, commitRequest);
    await openOrUpdatePullRequest(client, repository, pullRequest);
    const again = await openOrUpdatePullRequest(client, repository, pullRequest);
    expect(again.action).toBe("unchanged");
    expect(fake.requests.filter((request) => request.operationId === "pulls/update")).toEqual([]);
  });
});
