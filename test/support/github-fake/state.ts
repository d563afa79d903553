/**
 * In-memory state of the fake GitHub API: one repository with its issues, pull
 * requests, comments, labels and a small Git object store. Tests seed it through these
 * methods and read it back to check what the Action wrote.
 */

import { createHash } from "node:crypto";

export interface FakeUser {
  login: string;
  type: "User" | "Bot";
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  /** Set for pull requests, which share the issue numbering. */
  pull?: FakePullFields;
}

export interface FakePullFields {
  head: string;
  headSha: string;
  headRepository: string;
  base: string;
  draft: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  requestedReviewers: string[];
}

export interface FakeTreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
}

export interface FakeCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export const BOT_USER: FakeUser = { login: "github-actions[bot]", type: "Bot" };

/** A fixed clock, so responses are reproducible; each write moves it one second on. */
const EPOCH = Date.parse("2026-01-05T10:00:00Z");

export class FakeRepository {
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch: string;

  readonly issues = new Map<number, FakeIssue>();
  readonly comments = new Map<number, FakeComment>();
  readonly refs = new Map<string, string>();
  readonly commits = new Map<string, FakeCommit>();
  readonly trees = new Map<string, FakeTreeEntry[]>();
  readonly blobs = new Map<string, string>();

  private nextIssueNumber = 1;
  private nextCommentId = 1000;
  private ticks = 0;

  constructor(fullName: string, defaultBranch = "main") {
    const [owner, name] = fullName.split("/");
    if (!owner || !name) {
      throw new Error(`Invalid repository "${fullName}": expected "owner/name".`);
    }
    this.owner = owner;
    this.name = name;
    this.defaultBranch = defaultBranch;

    const tree = this.storeTree([]);
    const root = this.storeCommit({ tree, parents: [], message: "Initial commit" });
    this.refs.set(`refs/heads/${defaultBranch}`, root);
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** Returns the next timestamp of the fake clock. */
  now(): string {
    this.ticks += 1;
    return new Date(EPOCH + this.ticks * 1000).toISOString().replace(/\.000Z$/, "Z");
  }

  addIssue(fields: {
    title: string;
    body?: string;
    labels?: string[];
    user?: FakeUser;
  }): FakeIssue {
    const time = this.now();
    const issue: FakeIssue = {
      number: this.nextIssueNumber++,
      title: fields.title,
      body: fields.body ?? "",
      state: "open",
      stateReason: null,
      labels: [...(fields.labels ?? [])],
      user: fields.user ?? BOT_USER,
      createdAt: time,
      updatedAt: time,
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  /** Adds an open pull request; `headRepository` other than this one makes it a fork's. */
  addPullRequest(fields: {
    title: string;
    head: string;
    base?: string;
    body?: string;
    headSha?: string;
    headRepository?: string;
    user?: FakeUser;
  }): FakeIssue {
    const issue = this.addIssue({
      title: fields.title,
      body: fields.body ?? "",
      user: fields.user ?? { login: "octocat", type: "User" },
    });
    issue.pull = {
      head: fields.head,
      headSha: fields.headSha ?? fakeSha(`head:${fields.head}:${issue.number}`),
      headRepository: fields.headRepository ?? this.fullName,
      base: fields.base ?? this.defaultBranch,
      draft: false,
      mergedAt: null,
      mergeCommitSha: null,
      requestedReviewers: [],
    };
    return issue;
  }

  /** Marks a pull request merged as `mergeCommitSha`. */
  mergePullRequest(number: number, mergeCommitSha: string): void {
    const issue = this.requirePull(number);
    const time = this.now();
    issue.state = "closed";
    issue.updatedAt = time;
    issue.pull!.mergedAt = time;
    issue.pull!.mergeCommitSha = mergeCommitSha;
  }

  addComment(issueNumber: number, body: string, user: FakeUser = BOT_USER): FakeComment {
    const time = this.now();
    const comment: FakeComment = {
      id: this.nextCommentId++,
      issueNumber,
      body,
      user,
      createdAt: time,
      updatedAt: time,
    };
    this.comments.set(comment.id, comment);
    return comment;
  }

  /** Lists the comments on one issue or pull request, oldest first. */
  commentsOn(issueNumber: number): FakeComment[] {
    return [...this.comments.values()].filter((comment) => comment.issueNumber === issueNumber);
  }

  requirePull(number: number): FakeIssue {
    const issue = this.issues.get(number);
    if (!issue?.pull) {
      throw new Error(`Pull request #${number} is not in the fake repository.`);
    }
    return issue;
  }

  storeBlob(content: string): string {
    const sha = gitObjectSha("blob", content);
    this.blobs.set(sha, content);
    return sha;
  }

  storeTree(entries: FakeTreeEntry[]): string {
    // Git orders tree entries by path bytes; these paths are ASCII, so code units compare the same.
    const sorted = [...entries].sort((a, b) => Number(a.path > b.path) - Number(a.path < b.path));
    const sha = gitObjectSha(
      "tree",
      sorted.map((entry) => `${entry.mode} ${entry.path} ${entry.sha}`).join("\n"),
    );
    this.trees.set(sha, sorted);
    return sha;
  }

  storeCommit(fields: Omit<FakeCommit, "sha">): string {
    const sha = gitObjectSha(
      "commit",
      `${fields.tree}\n${fields.parents.join(",")}\n${fields.message}`,
    );
    this.commits.set(sha, { sha, ...fields });
    return sha;
  }

  /** Returns the text of `path` in the tree of the commit a branch points to, or null. */
  readFile(branch: string, path: string): string | null {
    const sha = this.refs.get(`refs/heads/${branch}`);
    const commit = sha ? this.commits.get(sha) : undefined;
    const entry = commit
      ? this.trees.get(commit.tree)?.find((item) => item.path === path)
      : undefined;
    return entry ? (this.blobs.get(entry.sha) ?? null) : null;
  }
}

/** Returns a SHA-1 in the form Git uses for an object of `type` with `content`. */
export function gitObjectSha(type: string, content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`${type} ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Returns a stable 40-hex-digit id derived from `seed`, for commits the fake never stores. */
export function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}
