import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createGitHubClient, type GitHubClient } from "../../src/github/context.js";
import {
  COMMENT_MAX_CHARACTERS,
  composeStickyBody,
  findStickyComments,
  stickyMarker,
  upsertStickyComment,
} from "../../src/github/sticky-comment.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

describe("composeStickyBody", () => {
  const marker = stickyMarker("plan");

  test("short body kept whole", () => {
    const result = composeStickyBody(marker, "hello\n", "see the summary");
    expect(result.body).toBe(`${marker}\nhello\n`);
    expect(result.truncated).toBe(false);
  });

  test("long body cut with pointer", () => {
    const markdown = Array.from(
      { length: 5000 },
      (_, i) => `| d${i}.example | publish-policy |`,
    ).join("\n");
    const result = composeStickyBody(marker, markdown, "Full plan in the job summary.", 10_000);
    expect(result.truncated).toBe(true);
    expect(result.body.length).toBeLessThanOrEqual(10_000);
    expect(result.body.startsWith(marker)).toBe(true);
    expect(result.body.trimEnd().endsWith("Full plan in the job summary.")).toBe(true);
  });

  test("default limit is GitHub's", () => {
    const markdown = "x".repeat(80).concat("\n").repeat(2000);
    const result = composeStickyBody(marker, markdown, "pointer");
    expect(result.body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARACTERS);
    expect(result.body.length).toBeGreaterThan(COMMENT_MAX_CHARACTERS - 200);
  });
});

describe("stickyMarker", () => {
  test.each(["plan", "plan:shard-1-of-4"])("accepts %s", (key) => {
    expect(stickyMarker(key)).toBe(`<!-- mta-sts-gitops:${key} -->`);
  });

  test.each(["", "a--b", "has space", "x-->"])("rejects %j", (key) => {
    expect(() => stickyMarker(key)).toThrow(/Invalid sticky comment key/);
  });
});

describe.skipIf(!validator)("upsertStickyComment on the fake API", () => {
  let fake: GitHubFake;
  let client: GitHubClient;
  let pull: number;
  const marker = stickyMarker("plan");

  beforeEach(async () => {
    fake = await startGitHubFake();
    client = createGitHubClient("write-token", fake.url);
    pull = fake.repository.addPullRequest({
      title: "Add example.org",
      head: "add-example-org",
    }).number;
  });

  afterEach(async () => {
    expect(fake.invalidRequests).toEqual([]);
    await fake.close();
  });

  const target = () => ({
    owner: fake.repository.owner,
    repo: fake.repository.name,
    issueNumber: pull,
  });

  test("first run creates", async () => {
    const result = await upsertStickyComment(client, target(), marker, `${marker}\nfirst`);
    expect(result.action).toBe("created");
    expect(fake.repository.commentsOn(pull).map((comment) => comment.body)).toEqual([
      `${marker}\nfirst`,
    ]);
  });

  test("second run updates in place", async () => {
    const first = await upsertStickyComment(client, target(), marker, `${marker}\nfirst`);
    const second = await upsertStickyComment(client, target(), marker, `${marker}\nsecond`);
    expect(second.action).toBe("updated");
    expect(second.id).toBe(first.id);
    expect(fake.repository.commentsOn(pull)).toHaveLength(1);
    expect(fake.repository.commentsOn(pull)[0]?.body).toBe(`${marker}\nsecond`);
  });

  test("same body sends no update", async () => {
    await upsertStickyComment(client, target(), marker, `${marker}\nsame`);
    const again = await upsertStickyComment(client, target(), marker, `${marker}\nsame`);
    expect(again.action).toBe("unchanged");
    expect(fake.requests.filter((request) => request.method === "PATCH")).toEqual([]);
  });

  test("marker found past the first page", async () => {
    for (let i = 0; i < 230; i += 1) {
      fake.repository.addComment(pull, `comment ${i}`, { login: "reviewer", type: "User" });
    }
    const ours = fake.repository.addComment(pull, `${marker}\nold plan`);

    const result = await upsertStickyComment(client, target(), marker, `${marker}\nnew plan`);
    expect(result).toMatchObject({ action: "updated", id: ours.id });
    const listed = fake.requests.filter(
      (request) => request.operationId === "issues/list-comments",
    );
    expect(listed.map((request) => new URLSearchParams(request.query).get("page") ?? "1")).toEqual([
      "1",
      "2",
      "3",
    ]);
  });

  test("quoted marker is not ours", async () => {
    fake.repository.addComment(pull, `> ${marker}\n> quoted plan`, {
      login: "reviewer",
      type: "User",
    });
    const result = await upsertStickyComment(client, target(), marker, `${marker}\nplan`);
    expect(result.action).toBe("created");
    expect(fake.repository.commentsOn(pull)).toHaveLength(2);
  });

  test("duplicates from a race deleted", async () => {
    const first = fake.repository.addComment(pull, `${marker}\nrun A`);
    const second = fake.repository.addComment(pull, `${marker}\nrun B`);

    const result = await upsertStickyComment(client, target(), marker, `${marker}\nrun C`);
    expect(result.id).toBe(first.id);
    expect(result.deleted).toEqual([second.id]);
    expect(await findStickyComments(client, target(), marker)).toEqual([
      { id: first.id, body: `${marker}\nrun C` },
    ]);
  });

  test("other keys left alone", async () => {
    const shardMarker = stickyMarker("plan:shard-2-of-2");
    fake.repository.addComment(pull, `${shardMarker}\nshard two`);
    await upsertStickyComment(client, target(), marker, `${marker}\nwhole fleet`);
    expect(fake.repository.commentsOn(pull).map((comment) => comment.body)).toEqual([
      `${shardMarker}\nshard two`,
      `${marker}\nwhole fleet`,
    ]);
  });

  test("oversized body rejected before sending", async () => {
    const body = `${marker}\n${"x".repeat(COMMENT_MAX_CHARACTERS)}`;
    await expect(upsertStickyComment(client, target(), marker, body)).rejects.toThrow(
      /over GitHub's 65536/,
    );
    expect(fake.requests).toEqual([]);
  });
});
