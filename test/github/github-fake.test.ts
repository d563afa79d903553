import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

describe.skipIf(!validator)("GitHub fake", () => {
  let fake: GitHubFake;
  let pull: number;

  beforeEach(async () => {
    fake = await startGitHubFake();
    pull = fake.repository.addPullRequest({ title: "t", head: "feature" }).number;
  });

  afterEach(async () => {
    await fake.close();
  });

  const call = (method: string, path: string, body?: unknown, token = "write-token") =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: {
        authorization: `token ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const repoPath = () => `/repos/${fake.repository.fullName}`;

  test("invalid body caught and rejected", async () => {
    const response = await call("POST", `${repoPath()}/issues/${pull}/comments`, { body: 42 });
    expect(response.status).toBe(422);
    expect(fake.invalidRequests).toHaveLength(1);
    expect(fake.invalidRequests[0]?.problems).toEqual([
      { in: "body", at: "/body", message: "must be string" },
    ]);
    expect(fake.repository.commentsOn(pull)).toEqual([]);
  });

  test("missing required body field caught", async () => {
    const response = await call("POST", `${repoPath()}/pulls`, { title: "no head or base" });
    expect(response.status).toBe(422);
    expect(fake.invalidRequests[0]?.operationId).toBe("pulls/create");
  });

  test("unknown query parameter caught", async () => {
    const response = await call("GET", `${repoPath()}/issues/${pull}/comments?sort=created`);
    expect(response.status).toBe(422);
    expect(fake.invalidRequests[0]?.problems[0]?.message).toBe('unknown query parameter "sort"');
  });

  test("undocumented path caught", async () => {
    const response = await call("GET", `${repoPath()}/commits/abc/pulls`);
    expect(response.status).toBe(404);
    expect(fake.invalidRequests[0]?.problems[0]?.in).toBe("operation");
  });

  test("valid request recorded as valid", async () => {
    const response = await call("POST", `${repoPath()}/issues/${pull}/comments`, { body: "hi" });
    expect(response.status).toBe(201);
    expect(fake.invalidRequests).toEqual([]);
    expect(fake.requests[0]?.operationId).toBe("issues/create-comment");
  });

  test("pages linked like GitHub", async () => {
    for (let i = 0; i < 45; i += 1) fake.repository.addComment(pull, `c${i}`);

    const first = await call("GET", `${repoPath()}/issues/${pull}/comments?per_page=20`);
    const link = first.headers.get("link") ?? "";
    expect(((await first.json()) as unknown[]).length).toBe(20);
    expect(link).toContain('page=2>; rel="next"');
    expect(link).toContain('page=3>; rel="last"');

    const last = await call("GET", `${repoPath()}/issues/${pull}/comments?per_page=20&page=3`);
    expect(((await last.json()) as unknown[]).length).toBe(5);
    expect(last.headers.get("link")).not.toContain('rel="next"');
  });

  test("per_page capped at 100", async () => {
    for (let i = 0; i < 130; i += 1) fake.repository.addComment(pull, `c${i}`);
    const response = await call("GET", `${repoPath()}/issues/${pull}/comments?per_page=500`);
    expect(((await response.json()) as unknown[]).length).toBe(100);
  });

  test("unknown token gets 401", async () => {
    const response = await call("GET", `${repoPath()}/pulls`, undefined, "nope");
    expect(response.status).toBe(401);
  });

  test("read-only token cannot write", async () => {
    const response = await call(
      "POST",
      `${repoPath()}/issues/${pull}/comments`,
      { body: "x" },
      "read-token",
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      "Resource not accessible by integration",
    );
  });

  test("read-only token can read", async () => {
    const response = await call(
      "GET",
      `${repoPath()}/issues/${pull}/comments`,
      undefined,
      "read-token",
    );
    expect(response.status).toBe(200);
  });

  test("comment over 65536 characters rejected", async () => {
    const response = await call("POST", `${repoPath()}/issues/${pull}/comments`, {
      body: "é".repeat(65_537),
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toContain(
      "body is too long (maximum is 65536 characters)",
    );
  });

  test("other repository not found", async () => {
    const response = await call("GET", "/repos/someone/else/pulls");
    expect(response.status).toBe(404);
  });
});
