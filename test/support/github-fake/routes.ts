/**
 * Handlers of the fake GitHub API, keyed by the operationId of GitHub's OpenAPI
 * description. The server finds the operation by validating the request, so a request
 * reaches a handler only through an operation GitHub documents.
 */

import { paginate } from "./pagination.js";
import { commentJson, issueJson, pullJson, type RenderContext } from "./render.js";
import type { FakeIssue, FakeTreeEntry, FakeUser } from "./state.js";

export interface FakeRequest {
  params: Record<string, string>;
  body: Record<string, unknown>;
  url: URL;
  user: FakeUser;
  render: RenderContext;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An error response in GitHub's shape: `{ message, documentation_url, errors? }`. */
export class FakeHttpError extends Error {
  readonly status: number;
  readonly errors: unknown[] | undefined;

  constructor(status: number, message: string, errors?: unknown[]) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** GitHub's limit for issue, pull request and comment bodies, in characters. */
export const BODY_MAX_CHARACTERS = 65_536;

type Handler = (request: FakeRequest) => FakeResponse;

function ok(body: unknown, status = 200, headers?: Record<string, string>): FakeResponse {
  return headers ? { status, body, headers } : { status, body };
}

function page<T>(request: FakeRequest, items: T[], toJson: (item: T) => unknown): FakeResponse {
  const { items: selected, link } = paginate(items, request.url);
  return ok(selected.map(toJson), 200, link ? { link } : undefined);
}

function notFound(): never {
  throw new FakeHttpError(404, "Not Found");
}

function issueOf(request: FakeRequest, key = "issue_number"): FakeIssue {
  const issue = request.render.repository.issues.get(Number(request.params[key]));
  return issue ?? notFound();
}

function pullOf(request: FakeRequest): FakeIssue {
  const issue = issueOf(request, "pull_number");
  return issue.pull ? issue : notFound();
}

/** GitHub counts characters (code points) for body limits, not UTF-16 units or bytes. */
function checkBodyLength(resource: string, body: unknown): void {
  if (typeof body === "string" && [...body].length > BODY_MAX_CHARACTERS) {
    throw new FakeHttpError(422, "Validation Failed", [
      {
        resource,
        code: "custom",
        field: "body",
        message: `body is too long (maximum is ${BODY_MAX_CHARACTERS} characters)`,
      },
    ]);
  }
}

function labelNames(body: Record<string, unknown>): string[] {
  const labels = Array.isArray(body.labels) ? body.labels : [];
  return labels.map((label) =>
    typeof label === "string" ? label : String((label as { name?: unknown }).name ?? ""),
  );
}

const issues: Record<string, Handler> = {
  "issues/list-for-repo": (request) => {
    const state = request.url.searchParams.get("state") ?? "open";
    const requiredLabels = (request.url.searchParams.get("labels") ?? "")
      .split(",")
      .filter(Boolean);
    const all = [...request.render.repository.issues.values()].filter(
      (issue) =>
        (state === "all" || issue.state === state) &&
        requiredLabels.every((label) => issue.labels.includes(label)),
    );
    return page(request, all, (issue) => issueJson(request.render, issue));
  },

  "issues/create": (request) => {
    checkBodyLength("Issue", request.body.body);
    const issue = request.render.repository.addIssue({
      title: String(request.body.title),
      body: typeof request.body.body === "string" ? request.body.body : "",
      labels: labelNames(request.body),
      user: request.user,
    });
    return ok(issueJson(request.render, issue), 201);
  },

  "issues/get": (request) => ok(issueJson(request.render, issueOf(request))),

  "issues/update": (request) => {
    const issue = issueOf(request);
    checkBodyLength("Issue", request.body.body);
    if (typeof request.body.title === "string") issue.title = request.body.title;
    if (typeof request.body.body === "string") issue.body = request.body.body;
    if (request.body.state === "open" || request.body.state === "closed") {
      issue.state = request.body.state;
      issue.stateReason =
        typeof request.body.state_reason === "string" ? request.body.state_reason : null;
    }
    if (Array.isArray(request.body.labels)) issue.labels = labelNames(request.body);
    issue.updatedAt = request.render.repository.now();
    return ok(issueJson(request.render, issue));
  },

  "issues/list-comments": (request) => {
    const issue = issueOf(request);
    const comments = request.render.repository.commentsOn(issue.number);
    return page(request, comments, (comment) => commentJson(request.render, comment));
  },

  "issues/create-comment": (request) => {
    const issue = issueOf(request);
    checkBodyLength("IssueComment", request.body.body);
    const comment = request.render.repository.addComment(
      issue.number,
      String(request.body.body),
      request.user,
    );
    issue.updatedAt = comment.createdAt;
    return ok(commentJson(request.render, comment), 201);
  },

  "issues/get-comment": (request) => {
    const comment = request.render.repository.comments.get(Number(request.params.comment_id));
    return ok(commentJson(request.render, comment ?? notFound()));
  },

  "issues/update-comment": (request) => {
    const comment = request.render.repository.comments.get(Number(request.params.comment_id));
    if (!comment) notFound();
    checkBodyLength("IssueComment", request.body.body);
    comment.body = String(request.body.body);
    comment.updatedAt = request.render.repository.now();
    return ok(commentJson(request.render, comment));
  },

  "issues/delete-comment": (request) => {
    const id = Number(request.params.comment_id);
    if (!request.render.repository.comments.delete(id)) notFound();
    return { status: 204 };
  },

  "issues/list-labels-on-issue": (request) => {
    const issue = issueOf(request);
    return page(request, issue.labels, (name) => ({ name }));
  },

  "issues/add-labels": (request) => {
    const issue = issueOf(request);
    for (const name of labelNames(request.body)) {
      if (!issue.labels.includes(name)) issue.labels.push(name);
    }
    return ok(issue.labels.map((name) => ({ name })));
  },

  "issues/set-labels": (request) => {
    const issue = issueOf(request);
    issue.labels = labelNames(request.body);
    return ok(issue.labels.map((name) => ({ name })));
  },

  "issues/remove-all-labels": (request) => {
    issueOf(request).labels = [];
    return { status: 204 };
  },
};

const pulls: Record<string, Handler> = {
  "pulls/list": (request) => {
    const query = request.url.searchParams;
    const state = query.get("state") ?? "open";
    const head = query.get("head");
    const base = query.get("base");
    const sort = query.get("sort") ?? "created";
    const direction = query.get("direction") ?? (sort === "created" ? "desc" : "asc");

    const selected = [...request.render.repository.issues.values()].filter((issue) => {
      if (!issue.pull) return false;
      if (state !== "all" && issue.state !== state) return false;
      if (base && issue.pull.base !== base) return false;
      if (head) {
        const [owner, branch] = head.includes(":") ? head.split(":") : [undefined, head];
        const headOwner = issue.pull.headRepository.split("/")[0];
        if (branch !== issue.pull.head || (owner !== undefined && owner !== headOwner))
          return false;
      }
      return true;
    });

    const key = sort === "updated" ? "updatedAt" : "createdAt";
    selected.sort(
      (a, b) => Number(a[key] > b[key]) - Number(a[key] < b[key]) || a.number - b.number,
    );
    if (direction === "desc") selected.reverse();
    return page(request, selected, (issue) => pullJson(request.render, issue));
  },

  "pulls/create": (request) => {
    const repository = request.render.repository;
    const head = String(request.body.head);
    const base = String(request.body.base);
    checkBodyLength("PullRequest", request.body.body);
    const headSha = repository.refs.get(`refs/heads/${head}`);
    if (!headSha || !repository.refs.has(`refs/heads/${base}`)) {
      throw new FakeHttpError(422, "Validation Failed", [
        { resource: "PullRequest", field: headSha ? "base" : "head", code: "invalid" },
      ]);
    }
    const duplicate = [...repository.issues.values()].some(
      (issue) => issue.state === "open" && issue.pull?.head === head && issue.pull.base === base,
    );
    if (duplicate) {
      throw new FakeHttpError(422, "Validation Failed", [
        {
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${repository.owner}:${head}.`,
        },
      ]);
    }

    const issue = repository.addPullRequest({
      title: String(request.body.title),
      head,
      base,
      body: typeof request.body.body === "string" ? request.body.body : "",
      headSha,
      user: request.user,
    });
    issue.pull!.draft = request.body.draft === true;
    return ok(pullJson(request.render, issue), 201);
  },

  "pulls/get": (request) => ok(pullJson(request.render, pullOf(request))),

  "pulls/update": (request) => {
    const issue = pullOf(request);
    checkBodyLength("PullRequest", request.body.body);
    if (typeof request.body.title === "string") issue.title = request.body.title;
    if (typeof request.body.body === "string") issue.body = request.body.body;
    if (request.body.state === "open" || request.body.state === "closed")
      issue.state = request.body.state;
    if (typeof request.body.base === "string") issue.pull!.base = request.body.base;
    issue.updatedAt = request.render.repository.now();
    return ok(pullJson(request.render, issue));
  },

  "pulls/list-requested-reviewers": (request) => {
    const pull = pullOf(request).pull!;
    return ok({
      users: pull.requestedReviewers.map((login) => ({ login, type: "User" })),
      teams: [],
    });
  },

  "pulls/request-reviewers": (request) => {
    const issue = pullOf(request);
    const reviewers = Array.isArray(request.body.reviewers)
      ? request.body.reviewers.map(String)
      : [];
    for (const login of reviewers) {
      if (!issue.pull!.requestedReviewers.includes(login))
        issue.pull!.requestedReviewers.push(login);
    }
    return ok(pullJson(request.render, issue), 201);
  },

  "pulls/remove-requested-reviewers": (request) => {
    const issue = pullOf(request);
    const reviewers = Array.isArray(request.body.reviewers)
      ? request.body.reviewers.map(String)
      : [];
    issue.pull!.requestedReviewers = issue.pull!.requestedReviewers.filter(
      (login) => !reviewers.includes(login),
    );
    return ok(pullJson(request.render, issue));
  },
};

const git: Record<string, Handler> = {
  "git/get-ref": (request) => {
    const ref = `refs/${request.params.ref}`;
    const sha = request.render.repository.refs.get(ref);
    return ok(refJson(request, ref, sha ?? notFound()));
  },

  "git/create-ref": (request) => {
    const repository = request.render.repository;
    const ref = String(request.body.ref);
    const sha = String(request.body.sha);
    if (!/^refs\/[^/]+\/.+/.test(ref)) {
      throw new FakeHttpError(422, `${ref} is not a valid ref name.`);
    }
    if (repository.refs.has(ref)) {
      throw new FakeHttpError(422, "Reference already exists");
    }
    if (!repository.commits.has(sha)) {
      throw new FakeHttpError(422, "Object does not exist");
    }
    repository.refs.set(ref, sha);
    return ok(refJson(request, ref, sha), 201);
  },

  "git/update-ref": (request) => {
    const repository = request.render.repository;
    const ref = `refs/${request.params.ref}`;
    const current = repository.refs.get(ref) ?? notFound();
    const sha = String(request.body.sha);
    if (!repository.commits.has(sha)) {
      throw new FakeHttpError(422, "Object does not exist");
    }
    if (request.body.force !== true && !isAncestor(request, current, sha)) {
      throw new FakeHttpError(422, "Update is not a fast forward");
    }
    repository.refs.set(ref, sha);
    return ok(refJson(request, ref, sha));
  },

  "git/delete-ref": (request) => {
    if (!request.render.repository.refs.delete(`refs/${request.params.ref}`)) {
      throw new FakeHttpError(422, "Reference does not exist");
    }
    return { status: 204 };
  },

  "git/get-commit": (request) => {
    const commit =
      request.render.repository.commits.get(String(request.params.commit_sha)) ?? notFound();
    return ok({
      sha: commit.sha,
      message: commit.message,
      tree: { sha: commit.tree },
      parents: commit.parents.map((sha) => ({ sha })),
    });
  },

  "git/create-commit": (request) => {
    const repository = request.render.repository;
    const tree = String(request.body.tree);
    const parents = Array.isArray(request.body.parents) ? request.body.parents.map(String) : [];
    if (!repository.trees.has(tree) || parents.some((sha) => !repository.commits.has(sha))) {
      throw new FakeHttpError(422, "Tree SHA does not exist");
    }
    const sha = repository.storeCommit({ tree, parents, message: String(request.body.message) });
    return ok(
      {
        sha,
        message: request.body.message,
        tree: { sha: tree },
        parents: parents.map((p) => ({ sha: p })),
      },
      201,
    );
  },

  "git/create-blob": (request) => {
    const encoding = request.body.encoding === "base64" ? "base64" : "utf-8";
    const raw = String(request.body.content);
    const content = encoding === "base64" ? Buffer.from(raw, "base64").toString("utf8") : raw;
    const sha = request.render.repository.storeBlob(content);
    return ok(
      {
        sha,
        url: `${request.render.apiUrl}/repos/${request.render.repository.fullName}/git/blobs/${sha}`,
      },
      201,
    );
  },

  "git/create-tree": (request) => {
    const repository = request.render.repository;
    const entries = new Map<string, FakeTreeEntry>();
    if (typeof request.body.base_tree === "string") {
      const base = repository.trees.get(request.body.base_tree);
      if (!base) throw new FakeHttpError(422, "base_tree is not a valid tree oid");
      for (const entry of base) entries.set(entry.path, entry);
    }

    const items = Array.isArray(request.body.tree)
      ? (request.body.tree as Record<string, unknown>[])
      : [];
    for (const item of items) {
      const path = String(item.path);
      if (item.sha === null) {
        entries.delete(path);
        continue;
      }
      const sha =
        typeof item.content === "string" ? repository.storeBlob(item.content) : String(item.sha);
      entries.set(path, { path, mode: String(item.mode), type: "blob", sha });
    }

    // NOTE: the fake keeps one flat list of full paths per tree; GitHub nests a tree per folder.
    const sha = repository.storeTree([...entries.values()]);
    return ok({ sha, tree: repository.trees.get(sha), truncated: false }, 201);
  },
};

const repos: Record<string, Handler> = {
  "repos/get": (request) => {
    const repository = request.render.repository;
    return ok({
      id: 4242,
      name: repository.name,
      full_name: repository.fullName,
      owner: { login: repository.owner, type: "Organization" },
      private: false,
      default_branch: repository.defaultBranch,
      html_url: `${request.render.webUrl}/${repository.fullName}`,
      allow_auto_merge: false,
    });
  },
};

/** Every implemented operation. The others respond 501, so a test shows what is missing. */
export const HANDLERS: Record<string, Handler> = { ...issues, ...pulls, ...git, ...repos };

function refJson(request: FakeRequest, ref: string, sha: string): Record<string, unknown> {
  const { apiUrl, repository } = request.render;
  return {
    ref,
    url: `${apiUrl}/repos/${repository.fullName}/git/${ref}`,
    object: {
      type: "commit",
      sha,
      url: `${apiUrl}/repos/${repository.fullName}/git/commits/${sha}`,
    },
  };
}

/** True when `ancestor` is reachable from `descendant` through parent links. */
function isAncestor(request: FakeRequest, ancestor: string, descendant: string): boolean {
  const commits = request.render.repository.commits;
  const queue = [descendant];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const sha = queue.shift()!;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    queue.push(...(commits.get(sha)?.parents ?? []));
  }
  return false;
}
