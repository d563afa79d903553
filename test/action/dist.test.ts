/**
 * The bundled Action, run as GitHub runs it, against the fake GitHub API and a generated
 * fleet on loopback DNS. Each case runs under every available Node runtime (the current
 * one and Node 24, the runtime action.yml declares).
 */

import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { COMMENT_MAX_CHARACTERS } from "../../src/github/sticky-comment.js";
import type { DnsServer } from "../../src/sandbox/dns-server.js";
import {
  GITHUB_OPENAPI_SUBSET,
  type GitHubFake,
  loadGitHubValidator,
  startGitHubFake,
} from "../support/github-fake/index.js";
import { actionRuntimes } from "../support/node24.js";
import { reportMissingShared } from "../support/shared.js";
import { addInvalidDomains, fleetDomains, startFleetDns, writeFleetWorkspace } from "./fleet.js";
import { type ActionRun, runAction } from "./run-action.js";

const validator = loadGitHubValidator();
if (!validator) reportMissingShared(GITHUB_OPENAPI_SUBSET);

const HEAD_SHA = "1f0c6e9b7a3d5e2c4b6a8d0f1e3c5a7b9d2f4e6a";
/** Domains in the long fleet; enough for a plan far over a comment's 65,536 characters. */
const LONG_FLEET_SIZE = 600;

describe.skipIf(!validator).each(actionRuntimes())("dist/index.js on $name", (runtime) => {
  let fake: GitHubFake;
  let dns: DnsServer;
  let workspace: string;
  let pullNumber: number;

  beforeAll(async () => {
    const domains = fleetDomains(6);
    dns = await startFleetDns(domains);
    workspace = writeFleetWorkspace(domains, dns.endpoint);
  });

  afterAll(async () => {
    await dns.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  let started: GitHubFake[] = [];
  const startFake = async (): Promise<GitHubFake> => {
    fake = await startGitHubFake();
    started.push(fake);
    pullNumber = fake.repository.addPullRequest({
      title: "Add fleet",
      head: "add-fleet",
      headSha: HEAD_SHA,
    }).number;
    return fake;
  };

  afterEach(async () => {
    for (const server of started) {
      expect(
        server.invalidRequests,
        "requests invalid against GitHub's OpenAPI description",
      ).toEqual([]);
      await server.close();
    }
    started = [];
  });

  const pullRequestEvent = (headRepository?: string) => ({
    name: "pull_request",
    payload: {
      action: "synchronize",
      number: pullNumber,
      pull_request: {
        number: pullNumber,
        head: {
          ref: "add-fleet",
          sha: HEAD_SHA,
          repo: { full_name: headRepository ?? fake.repository.fullName },
        },
        base: { ref: "main", repo: { full_name: fake.repository.fullName } },
      },
      repository: {
        full_name: fake.repository.fullName,
        name: fake.repository.name,
        owner: { login: fake.repository.owner },
      },
    },
  });

  const run = (
    inputs: Record<string, string>,
    options: {
      root?: string;
      event?: ReturnType<typeof pullRequestEvent>;
      env?: Record<string, string>;
    } = {},
  ): Promise<ActionRun> =>
    runAction({
      node: runtime.bin,
      inputs: { "github-token": "write-token", ...inputs },
      workspace: options.root ?? workspace,
      apiUrl: fake.url,
      repository: fake.repository.fullName,
      event: options.event ?? pullRequestEvent(),
      sha: HEAD_SHA,
      ...(options.env ? { env: options.env } : {}),
    });

  const comments = () => fake.repository.commentsOn(pullNumber);

  test("plan comment created then updated", async () => {
    await startFake();

    const first = await run({ command: "plan" });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(comments()).toHaveLength(1);
    const created = comments()[0]!;
    expect(created.body.startsWith("<!-- mta-sts-gitops:plan -->")).toBe(true);

    const second = await run({ command: "plan" });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.id).toBe(created.id);
    expect(
      fake.requests.filter((request) => request.operationId === "issues/create-comment"),
    ).toHaveLength(1);
    expect(second.stdout).toMatch(/sticky-comment: action=(updated|unchanged) id=\d+/);
  });

  test("plan outputs written", async () => {
    await startFake();
    const result = await run({ command: "plan" });

    expect(result.outputs["exit-code"]).toMatch(/^[02]$/);
    expect(result.outputs["plan-checksum"]).toMatch(/\S{16,}/);
    expect(Number(result.outputs.changes)).toBeGreaterThan(0);
    expect(result.outputs["pull-request-number"]).toBe(String(pullNumber));
    expect(JSON.parse(result.outputs["plan-json"] ?? "{}").checksum).toBe(
      result.outputs["plan-checksum"],
    );
    expect(result.outputs["comment-id"]).toBe(String(comments()[0]?.id));
  });

  test("plan comment carries checksum", async () => {
    await startFake();
    const result = await run({ command: "plan" });
    expect(comments()[0]?.body).toContain(
      `<!-- mta-sts-gitops:plan-checksum=${result.outputs["plan-checksum"]} head=${HEAD_SHA} -->`,
    );
  });

  test("plan job summary written", async () => {
    await startFake();
    const result = await run({ command: "plan" });
    expect(result.summary).toContain(result.outputs["plan-checksum"]);
    for (const domain of fleetDomains(6)) {
      expect(result.summary).toContain(domain);
    }
  });

  test("shard comments kept apart", async () => {
    await startFake();
    await run({ command: "plan", shard: "1/2" });
    await run({ command: "plan", shard: "2/2" });
    await run({ command: "plan", shard: "1/2" });
    const markers = comments().map((comment) => comment.body.split("\n")[0]);
    expect(markers).toEqual([
      "<!-- mta-sts-gitops:plan:shard-1-of-2 -->",
      "<!-- mta-sts-gitops:plan:shard-2-of-2 -->",
    ]);
  });

  test("fork pull request gets no comment", async () => {
    await startFake();
    const result = await run(
      { command: "plan" },
      { event: pullRequestEvent("someone/mail-policies-fork") },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(comments()).toEqual([]);
    expect(fake.requests.filter((request) => request.method !== "GET")).toEqual([]);
    expect(result.annotations.some((annotation) => annotation.message.includes("read-only"))).toBe(
      true,
    );
  });

  test("read-only token warns, not fails", async () => {
    await startFake();
    const result = await run({ command: "plan", "github-token": "read-token" });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(comments()).toEqual([]);
    const warning = result.annotations.find((annotation) => annotation.level === "warning");
    expect(warning?.message).toContain("cannot comment on pull request");
  });

  test("secrets masked", async () => {
    await startFake();
    const result = await run(
      { command: "validate", "cloudflare-api-token": "cf-secret-value-123" },
      {
        env: { TLSRPT_IMAP_PASSWORD: "imap-secret-456", SHORT_TOKEN: "abc" },
      },
    );
    expect(result.masked).toContain("write-token");
    expect(result.masked).toContain("cf-secret-value-123");
    expect(result.masked).toContain("imap-secret-456");
    expect(result.masked).not.toContain("abc");
  });

  test("invalid input fails with its name", async () => {
    await startFake();
    const result = await run({ command: "plan", shard: "5/4" });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toContain('Invalid input "shard"');
    expect(fake.requests).toEqual([]);
  });

  describe("validation errors", () => {
    let root: string;
    let files: string[];

    beforeAll(() => {
      root = writeFleetWorkspace(fleetDomains(2), dns.endpoint);
      files = addInvalidDomains(root, 14);
    });

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test("annotated at file and line", async () => {
      await startFake();
      const result = await run({ command: "validate" }, { root });

      expect(result.exitCode).toBe(1);
      const errors = result.annotations.filter((annotation) => annotation.file);
      expect(errors).toHaveLength(10);
      for (const annotation of errors) {
        expect(files).toContain(annotation.file);
        expect(annotation.line).toBe(3);
        expect(annotation.level).toBe("error");
      }
    });

    test("summary lists all", async () => {
      await startFake();
      const result = await run({ command: "validate" }, { root });
      for (const file of files) {
        expect(result.summary).toContain(`\`${file}:3:`);
      }
      expect(result.summary).toContain("so 4 of these appear only in this table");
      expect(result.outputs["config-errors"]).toBe("14");
    });

    test("failed plan replaces stale comment", async () => {
      await startFake();
      fake.repository.addComment(pullNumber, "<!-- mta-sts-gitops:plan -->\nan older plan");
      const result = await run({ command: "plan" }, { root });
      expect(result.exitCode).toBe(1);
      expect(comments()).toHaveLength(1);
      expect(comments()[0]?.body).toContain("configuration error");
      expect(comments()[0]?.body).not.toContain("an older plan");
    });
  });

  describe("long plan", () => {
    let longDns: DnsServer;
    let root: string;

    beforeAll(async () => {
      const domains = fleetDomains(LONG_FLEET_SIZE);
      longDns = await startFleetDns(domains);
      root = writeFleetWorkspace(domains, longDns.endpoint);
    });

    afterAll(async () => {
      await longDns.close();
      rmSync(root, { recursive: true, force: true });
    });

    test("comment cut with pointer", async () => {
      await startFake();
      const result = await run({ command: "plan" }, { root });
      expect(result.exitCode, result.stderr).toBe(0);

      const body = comments()[0]?.body ?? "";
      expect(result.summary.length).toBeGreaterThan(COMMENT_MAX_CHARACTERS);
      expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARACTERS);
      expect(body).toContain(
        "so it was cut here. The full plan is in the [job summary](https://github.example/",
      );
      expect(result.stdout).toContain("truncated=true");
      expect(result.summary).toContain(fleetDomains(LONG_FLEET_SIZE).at(-1));
    });
  });

  describe("audit alert", () => {
    let auditDns: DnsServer;
    let root: string;
    const domains = fleetDomains(2);

    beforeAll(async () => {
      auditDns = await startFleetDns(domains);
      // RFC 8461 section 3.1: the id is 1 to 32 letters and digits, so this record is invalid.
      auditDns.setRecords(`_mta-sts.${domains[0]}`, { TXT: [["v=STSv1; id=not valid!"]] });
      root = writeFleetWorkspace(domains, auditDns.endpoint);
    });

    afterAll(async () => {
      await auditDns.close();
      rmSync(root, { recursive: true, force: true });
    });

    const scheduleEvent = () =>
      ({ name: "schedule", payload: { schedule: "17 6 * * *" } }) as never;

    test("failed audit opens one issue", async () => {
      await startFake();
      const first = await run(
        { command: "audit", "alert-issue": "true" },
        { root, event: scheduleEvent() },
      );
      const second = await run(
        { command: "audit", "alert-issue": "true" },
        { root, event: scheduleEvent() },
      );

      expect(first.outputs["exit-code"], first.stdout).toBe("1");
      expect(first.exitCode).toBe(1);
      const issues = [...fake.repository.issues.values()].filter((issue) => !issue.pull);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.labels).toEqual(["mta-sts-audit"]);
      expect(issues[0]?.body.startsWith("<!-- mta-sts-gitops:alert:audit -->")).toBe(true);
      expect(second.outputs["issue-number"]).toBe(String(issues[0]?.number));
    });
  });

  describe("apply bound to the merged plan", () => {
    const mergeSha = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";
    const pushEvent = () =>
      ({ name: "push", payload: { ref: "refs/heads/main", after: mergeSha } }) as never;

    test("reads checksum of reviewed plan", async () => {
      await startFake();
      const plan = await run({ command: "plan" });
      fake.repository.mergePullRequest(pullNumber, mergeSha);

      const apply = await runAction({
        node: runtime.bin,
        inputs: { command: "apply", "github-token": "read-token", "plan-checksum": "pull-request" },
        workspace,
        apiUrl: fake.url,
        repository: fake.repository.fullName,
        event: pushEvent(),
        sha: mergeSha,
      });
      expect(apply.stdout).toContain(
        `reviewed-plan: pull=${pullNumber} checksum=${plan.outputs["plan-checksum"]}`,
      );
      expect(apply.outputs["pull-request-number"]).toBe(String(pullNumber));
    });

    test("unplanned head rejected before apply", async () => {
      await startFake();
      fake.repository.addComment(
        pullNumber,
        `<!-- mta-sts-gitops:plan -->\n<!-- mta-sts-gitops:plan-checksum=abc head=${"0".repeat(40)} -->\n`,
      );
      fake.repository.mergePullRequest(pullNumber, mergeSha);

      const apply = await runAction({
        node: runtime.bin,
        inputs: { command: "apply", "github-token": "read-token", "plan-checksum": "pull-request" },
        workspace,
        apiUrl: fake.url,
        repository: fake.repository.fullName,
        event: pushEvent(),
        sha: mergeSha,
      });
      expect(apply.exitCode).toBe(1);
      expect(apply.annotations[0]?.message).toContain("the last pushed changes were never planned");
      expect(apply.stdout).not.toContain("apply:");
    });
  });

  test("promote without candidates opens nothing", async () => {
    await startFake();
    const event = { name: "schedule", payload: { schedule: "41 5 * * *" } } as never;
    const result = await run({ command: "promote" }, { event });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("promotion-pull-request: action=none number=0");
    expect(fake.requests.map((request) => request.operationId)).toEqual([
      "repos/get",
      "pulls/list",
    ]);
  });

  test("push event posts no comment", async () => {
    await startFake();
    const result = await run(
      { command: "validate" },
      { event: { name: "push", payload: { ref: "refs/heads/main" } } as never },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(fake.requests).toEqual([]);
  });
});
