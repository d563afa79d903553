import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createGitHubClient,
  type GitHubClient,
  type RepositoryRef,
} from "../../src/github/context.js";
import {
  ALERT_LABEL,
  alertMarker,
  raiseAuditAlert,
  resolveAuditAlert,
} from "../../src/github/issues.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { reportMissingShared } from "../support/shared.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

describe.skipIf(!validator)("audit alert issue on the fake API", () => {
  let fake: GitHubFake;
  let client: GitHubClient;
  let repository: RepositoryRef;
  const runUrl = "https://github.example/fleet-owner/mail-policies/actions/runs/7";

  beforeEach(async () => {
    fake = await startGitHubFake();
    client = createGitHubClient("write-token", fake.url);
    repository = { owner: fake.repository.owner, repo: fake.repository.name };
  });

  afterEach(async () => {
    expect(fake.invalidRequests).toEqual([]);
    await fake.close();
  });

  const issues = () => [...fake.repository.issues.values()];

  test("failure opens labelled issue", async () => {
    const result = await raiseAuditAlert(
      client,
      repository,
      "audit",
      "Audit failed",
      "2 errors",
      runUrl,
    );
    expect(result.action).toBe("created");
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.labels).toEqual([ALERT_LABEL]);
    expect(issues()[0]?.body.startsWith(alertMarker("audit"))).toBe(true);
  });

  test("second failure updates same issue", async () => {
    const first = await raiseAuditAlert(
      client,
      repository,
      "audit",
      "Audit failed",
      "2 errors",
      runUrl,
    );
    const second = await raiseAuditAlert(
      client,
      repository,
      "audit",
      "Audit failed",
      "3 errors",
      runUrl,
    );
    expect(second).toEqual({ number: first.number, action: "updated" });
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.body).toContain("3 errors");
  });

  test("shards keep separate issues", async () => {
    await raiseAuditAlert(
      client,
      repository,
      "audit:shard-1-of-2",
      "Audit failed 1/2",
      "a",
      runUrl,
    );
    await raiseAuditAlert(
      client,
      repository,
      "audit:shard-2-of-2",
      "Audit failed 2/2",
      "b",
      runUrl,
    );
    expect(issues()).toHaveLength(2);
  });

  test("pass closes open issue", async () => {
    const raised = await raiseAuditAlert(client, repository, "audit", "Audit failed", "x", runUrl);
    const resolved = await resolveAuditAlert(client, repository, "audit", runUrl);
    expect(resolved).toEqual({ number: raised.number, action: "closed" });
    expect(fake.repository.issues.get(raised.number)?.state).toBe("closed");
    expect(fake.repository.commentsOn(raised.number)[0]?.body).toContain(runUrl);
  });

  test("pass without issue does nothing", async () => {
    const resolved = await resolveAuditAlert(client, repository, "audit", runUrl);
    expect(resolved.action).toBe("none");
    expect(fake.requests.every((request) => request.method === "GET")).toBe(true);
  });

  test("issue without marker ignored", async () => {
    fake.repository.addIssue({
      title: "Discuss the audit",
      body: "by hand",
      labels: [ALERT_LABEL],
    });
    const result = await raiseAuditAlert(client, repository, "audit", "Audit failed", "x", runUrl);
    expect(result.action).toBe("created");
  });

  test("long audit cut to issue limit", async () => {
    const markdown = "| d.example | error |\n".repeat(10_000);
    await raiseAuditAlert(client, repository, "audit", "Audit failed", markdown, runUrl);
    const body = issues()[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain(runUrl);
  });
});
