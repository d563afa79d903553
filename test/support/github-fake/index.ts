/**
 * A fake of the GitHub REST API on 127.0.0.1 for the Action's tests.
 *
 * Every request is validated against GitHub's OpenAPI description (the subset the
 * product calls) before it reaches a handler. An invalid request gets GitHub's 422 or 404
 * and is recorded in `invalidRequests`, so each suite can assert that it saw none.
 * Tokens are checked like GitHub does for GITHUB_TOKEN: unknown ones get 401, and
 * read-only ones (pull requests from forks) get 403 on every write.
 */

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenApiValidator, type RequestProblem } from "../openapi.js";
import { sharedPath } from "../shared.js";
import { FakeHttpError, type FakeRequest, HANDLERS } from "./routes.js";
import { BOT_USER, FakeRepository, type FakeUser } from "./state.js";

export { FakeRepository } from "./state.js";

/** Location of GitHub's OpenAPI subset inside the shared folder. */
export const GITHUB_OPENAPI_SUBSET = "vendor-api/github-openapi-subset.json";

export interface TokenGrant {
  user: FakeUser;
  access: "read" | "write";
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  operationId: string | null;
  status: number;
  problems: RequestProblem[];
  body: unknown;
}

export interface GitHubFake {
  /** Base URL for GITHUB_API_URL, e.g. http://127.0.0.1:40123. */
  url: string;
  repository: FakeRepository;
  requests: RecordedRequest[];
  /** Requests that failed validation against the OpenAPI description. */
  invalidRequests: RecordedRequest[];
  /** Grants `token` the given access; `write-token` (write) and `read-token` (read) exist from the start. */
  grant(token: string, grant: TokenGrant): void;
  close(): Promise<void>;
}

export interface GitHubFakeOptions {
  /** `owner/name` of the repository the fake serves. */
  repository?: string;
}

let cachedValidator: OpenApiValidator | undefined;
let cachedMultiSegment: Set<string> | undefined;

/**
 * Returns the validator for GitHub's OpenAPI subset, or null when the shared folder is
 * absent (suites then skip with `reportMissingShared`).
 */
export function loadGitHubValidator(): OpenApiValidator | null {
  if (cachedValidator) return cachedValidator;
  const file = sharedPath(GITHUB_OPENAPI_SUBSET);
  if (!file) return null;
  cachedValidator = OpenApiValidator.fromFile(file);
  cachedMultiSegment = readMultiSegmentParameters(file);
  return cachedValidator;
}

/**
 * Names of the path parameters GitHub's description marks `x-multi-segment` (a Git ref,
 * a commit SHA, a file path): only these may contain "/". The shared validator lets the
 * last parameter of any template span slashes, which would let `GET /repos/o/r/anything`
 * pass as `repos/get`, so the fake rejects a slash in every other parameter.
 */
function readMultiSegmentParameters(file: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (record["x-multi-segment"] === true && typeof record.name === "string") {
      names.add(record.name);
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(JSON.parse(readFileSync(file, "utf8")));
  return names;
}

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const validator = loadGitHubValidator();
  const multiSegment = cachedMultiSegment;
  if (!validator || !multiSegment) {
    throw new Error(`The GitHub fake needs ${GITHUB_OPENAPI_SUBSET} in the shared folder.`);
  }

  const repository = new FakeRepository(options.repository ?? "fleet-owner/mail-policies");
  const tokens = new Map<string, TokenGrant>([
    ["write-token", { user: BOT_USER, access: "write" }],
    ["read-token", { user: BOT_USER, access: "read" }],
  ]);
  const requests: RecordedRequest[] = [];
  const invalidRequests: RecordedRequest[] = [];

  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing).catch((error: unknown) => {
      send(outgoing, 500, { message: `fake GitHub API failed: ${(error as Error).message}` });
    });
  });

  let baseUrl = "";
  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? "/", baseUrl);
    const check = validator.check({
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      contentType: incoming.headers["content-type"] ?? null,
      body: body.length > 0 ? body : null,
    });

    for (const [name, value] of Object.entries(check.pathParams)) {
      if (value.includes("/") && !multiSegment.has(name)) {
        check.problems.push({
          in: "operation",
          at: url.pathname,
          message: `no operation matches the path: path parameter "${name}" would be "${value}"`,
        });
      }
    }

    const record: RecordedRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: url.search,
      operationId: check.operationId,
      status: 0,
      problems: check.problems,
      body: check.body,
    };
    requests.push(record);

    const reply = (status: number, json?: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      send(outgoing, status, json, headers);
    };

    if (check.problems.length > 0) {
      invalidRequests.push(record);
      const unknownOperation = check.problems.some((problem) => problem.in === "operation");
      reply(unknownOperation ? 404 : 422, {
        message: unknownOperation ? "Not Found" : "Validation Failed",
        errors: check.problems,
      });
      return;
    }

    const grant = tokens.get(readToken(incoming.headers.authorization));
    if (!grant) {
      reply(401, { message: "Bad credentials" });
      return;
    }
    if (grant.access === "read" && record.method !== "GET") {
      reply(403, { message: "Resource not accessible by integration" });
      return;
    }
    const { owner, repo } = check.pathParams;
    if (`${owner}/${repo}`.toLowerCase() !== repository.fullName.toLowerCase()) {
      reply(404, { message: "Not Found" });
      return;
    }

    const handler = check.operationId ? HANDLERS[check.operationId] : undefined;
    if (!handler) {
      reply(501, { message: `The fake does not implement ${check.operationId}.` });
      return;
    }

    const request: FakeRequest = {
      params: check.pathParams,
      body: (check.body ?? {}) as Record<string, unknown>,
      url,
      user: grant.user,
      render: { repository, apiUrl: baseUrl, webUrl: "https://github.example" },
    };
    try {
      const response = handler(request);
      reply(response.status, response.body, response.headers);
    } catch (error) {
      if (!(error instanceof FakeHttpError)) throw error;
      reply(error.status, {
        message: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
        documentation_url: "https://docs.github.com/rest",
      });
    }
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: baseUrl,
    repository,
    requests,
    invalidRequests,
    grant: (token, grant) => tokens.set(token, grant),
    close: () => closeServer(server),
  };
}

/** Accepts both forms Octokit sends: `token X` and `Bearer X`. */
function readToken(header: string | undefined): string {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? "");
  return match?.[1] ?? "";
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    incoming.on("error", reject);
  });
}

function send(
  outgoing: ServerResponse,
  status: number,
  json?: unknown,
  headers?: Record<string, string>,
): void {
  const text = json === undefined || status === 204 ? "" : JSON.stringify(json);
  outgoing.writeHead(status, {
    ...(text ? { "content-type": "application/json; charset=utf-8" } : {}),
    "x-github-api-version-selected": "2022-11-28",
    ...headers,
  });
  outgoing.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
