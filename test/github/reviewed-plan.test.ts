import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createGitHubClient,
  type GitHubClient,
  type RepositoryRef,
} from "../../src/github/context.js";
import {
  parsePlanCommentMetadata,
  planCommentKey,
  renderPlanComment,
} from "../../src/github/plan-comment.js";
import { findReviewedPlan } from "../../src/github/reviewed-plan.js";
import { stickyMarker } from "../../src/github/sticky-comment.js";
import type { Plan } from "../../src/plan/types.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { fakeSha } from "../support/github-fake/state.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

const plan: Plan = { generatedAt: "2026-01-05T10:00:00Z", domains: [], checksum: "sha256-abc123" };

function planComment(headSha: string, key = "plan"): string {
  const markdown = renderPlanComment({
    markdown: "no changes",
    plan,
    headSha,
    configErrorCount: 0,
    runUrl: "u",
  });
  return `${stickyMarker(key)}\n${markdown}`;
}

describe("plan comment metadata", () => {
  test("round trip", () => {
    expect(parsePlanCommentMetadata(planComment("a".repeat(40)))).toEqual({
      checksum: "sha256-abc123",
      headSha: "a".repeat(40),
    });
  });

  test("comment without plan has none", () => {
    const markdown = renderPlanComment({
      markdown: "errors",
      headSha: "b",
      configErrorCount: 2,
      runUrl: "u",
    });
    expect(parsePlanCommentMetadata(markdown)).toBeNull();
  });

  test("shard keys differ", () => {
    expect(planCommentKey()).toBe("plan");
    expect(planCommentKey({ index: 2, count: 4 })).toBe("plan:shard-2-of-4");
  });
});

describe.skipIf(!validator)("findReviewedPlan on the fake API", () => {
  let fake: GitHubFake;
  let client: GitHubClient;
  let repository: RepositoryRef;
  const mergeSha = fakeSha("merge");

  beforeEach(async () => {
    fake = await startGitHubFake();
    client = createGitHubClient("read-token", fake.url);
    repository = { owner: fake.repository.owner, repo: fake.repository.name };
  });

  afterEach(async () => {
    expect(fake.invalidRequests).toEqual([]);
    await fake.close();
  });

  test("checksum of merged pull request", async () => {
    const pull = fake.repository.addPullRequest({ title: "t", head: "change" });
    fake.repository.addComment(pull.number, planComment(pull.pull!.headSha));
    fake.repository.mergePullRequest(pull.number, mergeSha);

    const reviewed = await findReviewedPlan(client, repository, mergeSha, "plan");
    expect(reviewed).toEqual({ pullNumber: pull.number, checksum: "sha256-abc123" });
  });

  test("shard reads its own comment", async () => {
    const pull = fake.repository.addPullRequest({ title: "t", head: "change" });
    fake.repository.addComment(pull.number, planComment(pull.pull!.headSha, "plan:shard-1-of-2"));
    fake.repository.mergePullRequest(pull.number, mergeSha);

    await expect(findReviewedPlan(client, repository, mergeSha, "plan")).rejects.toThrow(
      /no plan comment/,
    );
    const reviewed = await findReviewedPlan(client, repository, mergeSha, "plan:shard-1-of-2");
    expect(reviewed.checksum).toBe("sha256-abc123");
  });

  test("direct push has no reviewed plan", async () => {
    await expect(findReviewedPlan(client, repository, mergeSha, "plan")).rejects.toThrow(
      /No merged pull request produced commit/,
    );
  });

  test("plan for older head rejected", async () => {
    const pull = fake.repository.addPullRequest({ title: "t", head: "change" });
    fake.repository.addComment(pull.number, planComment(fakeSha("older head")));
    fake.repository.mergePullRequest(pull.number, mergeSha);

    await expect(findReviewedPlan(client, repository, mergeSha, "plan")).rejects.toThrow(
      /the last pushed changes were never planned/,
    );
  });
});
