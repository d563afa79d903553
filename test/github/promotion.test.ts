import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { PromotionOutcome } from "../../src/commands/types.js";
import {
  createGitHubClient,
  type GitHubClient,
  type RepositoryRef,
} from "../../src/github/context.js";
import { PROMOTION_BRANCH, PROMOTION_LABEL, publishPromotion } from "../../src/github/promotion.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

const runUrl = "https://github.example/fleet-owner/mail-policies/actions/runs/9";

function promotion(domains: string[]): PromotionOutcome {
  return {
    domains,
    files: domains.map((domain) => ({
      path: `domains/${domain}.yaml`,
      content: `domain: ${domain}\nmta_sts:\n  mode: enforce\n`,
    })),
    markdown: `| domain | clean days |\n| --- | --- |\n${domains.map((domain) => `| ${domain} | 7 |`).join("\n")}\n`,
  };
}

describe.skipIf(!validator)("publishPromotion on the fake API", () => {
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

  const openPulls = () =>
    [...fake.repository.issues.values()].filter((issue) => issue.pull && issue.state === "open");

  test("first promotion opens pull request", async () => {
    const result = await publishPromotion(client, repository, promotion(["a.example"]), runUrl);
    expect(result.action).toBe("created");
    expect(openPulls()).toHaveLength(1);
    expect(openPulls()[0]?.title).toBe("Promote 1 domain to MTA-STS enforce");
    expect(openPulls()[0]?.labels).toEqual([PROMOTION_LABEL]);
    expect(openPulls()[0]?.body).toContain(runUrl);
    expect(fake.repository.readFile(PROMOTION_BRANCH, "domains/a.example.yaml")).toContain(
      "mode: enforce",
    );
  });

  test("next day updates same pull request", async () => {
    const first = await publishPromotion(client, repository, promotion(["a.example"]), runUrl);
    const second = await publishPromotion(
      client,
      repository,
      promotion(["a.example", "b.example"]),
      runUrl,
    );
    expect(second).toEqual({ number: first.number, action: "updated" });
    expect(openPulls()).toHaveLength(1);
    expect(openPulls()[0]?.title).toBe("Promote 2 domains to MTA-STS enforce");
    expect(fake.repository.readFile(PROMOTION_BRANCH, "domains/b.example.yaml")).toContain(
      "mode: enforce",
    );
  });

  test("no promotion closes stale pull request", async () => {
    const first = await publishPromotion(client, repository, promotion(["a.example"]), runUrl);
    const result = await publishPromotion(client, repository, promotion([]), runUrl);
    expect(result).toEqual({ number: 0, action: "closed" });
    expect(openPulls()).toEqual([]);
    expect(fake.repository.commentsOn(first.number)[0]?.body).toContain(
      "No domain passes the promotion gate",
    );
  });

  test("no promotion and no pull request writes nothing", async () => {
    const result = await publishPromotion(client, repository, promotion([]), runUrl);
    expect(result).toEqual({ number: 0, action: "none" });
    expect(fake.requests.every((request) => request.method === "GET")).toBe(true);
  });
});
