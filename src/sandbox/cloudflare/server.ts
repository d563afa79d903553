/**
 * A fake Cloudflare API on 127.0.0.1 for the Cloudflare DNS provider and Worker host, used
 * by the tests, the offline demo and the benchmark.
 *
 * The caller may pass `validateRequest`, which checks each request against an API
 * description (the tests pass one built from Cloudflare's OpenAPI subset). A request with
 * problems gets a 400 that lists them and is recorded in `invalidRequests()`. Without a
 * validator the fake checks only the token and its own routes (`validating` is false).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { dnsRoutes } from "./dns-routes.js";
import {
  type ApiMessage,
  type FakeRequest,
  type FakeResponse,
  fail,
  type Route,
} from "./respond.js";
import { FakeAccount, hexId } from "./state.js";
import { workerRoutes } from "./worker-routes.js";
import { type FetchHandler, WorkerRuntime } from "./worker-runtime.js";

const BASE_PATH = "/client/v4";

/** One request as the fake received it, in the form a validator checks. */
export interface ApiRequest {
  method: string;
  /** The path after `/client/v4`, without the query string. */
  path: string;
  query: URLSearchParams;
  /** The Content-Type header as sent, or null. */
  contentType: string | null;
  /** The raw body, or null when the request had none. */
  body: string | null;
}

/** A reason a request does not match the API description. */
export interface RequestProblem {
  /** The part of the request that is invalid: "operation", "path", "query" or "body". */
  in: string;
  /** JSON pointer into that part, or the parameter name. */
  at: string;
  message: string;
}

/** Checks one request and returns its problems; an empty list accepts it. */
export type RequestValidator = (request: ApiRequest) => RequestProblem[];

export interface CloudflareFakeOptions {
  token?: string;
  accountId?: string;
  validateRequest?: RequestValidator;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** "METHOD /template" of the matched route, e.g. "GET /zones", or null. */
  route: string | null;
  query: URLSearchParams;
  body: unknown;
  status: number;
  problems: RequestProblem[];
}

/** A response the fake sends instead of handling a request, e.g. a 429 with Retry-After. */
export interface Injection {
  /** "METHOD /template" to match, or every route when absent. */
  route?: string;
  status: number;
  /** How many requests get it, 1 by default. */
  times?: number;
  /** Retry-After header in seconds. */
  retryAfter?: number;
  errors?: ApiMessage[];
}

/** A change the fake accepted: the route and the zones whose DNS records or custom domains changed. */
export interface FakeChange {
  route: string;
  zoneIds: string[];
}

/** A write request (any method but GET) that passed validation, before the fake handles it. */
export interface IncomingWrite {
  /** "METHOD /template" of the matched route. */
  route: string;
  params: Record<string, string>;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

export interface CloudflareFake {
  /** The API root to give the SDK, e.g. http://127.0.0.1:40000/client/v4. */
  readonly baseUrl: string;
  readonly token: string;
  readonly accountId: string;
  readonly account: FakeAccount;
  /** True when the fake checks every request with `validateRequest`. */
  readonly validating: boolean;
  readonly requests: RecordedRequest[];
  /** Requests received for a route ("METHOD /template"), or all requests. */
  count(route?: string): number;
  /** Requests received with any method but GET, so a test can assert that a run wrote nothing. */
  writeCount(): number;
  /** Requests that failed validation. */
  invalidRequests(): RecordedRequest[];
  inject(injection: Injection): void;
  /** Forgets recorded requests, so a test can count the calls of one step. */
  clearRequests(): void;
  /** The fetch handler of the Worker that `hostname` routes to through a custom domain, or null. */
  handlerFor(hostname: string): Promise<FetchHandler | null>;
  /** Sets the function called after every change the fake accepts. Null removes it. */
  onChange(listener: ((change: FakeChange) => void) | null): void;
  /**
   * Sets a function that runs before the fake handles each valid write; the request
   * waits for it. Tests use it to read the live state at the moment a write arrives.
   * Null removes it.
   */
  onBeforeWrite(listener: ((write: IncomingWrite) => Promise<void>) | null): void;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...dnsRoutes, ...workerRoutes];

export async function startCloudflareFake(
  options: CloudflareFakeOptions = {},
): Promise<CloudflareFake> {
  const token = options.token ?? `fake-token-${hexId()}`;
  const account = new FakeAccount(options.accountId ?? hexId(), options.now);
  const validate = options.validateRequest ?? null;

  const runtime = new WorkerRuntime();
  const requests: RecordedRequest[] = [];
  let changeListener: ((change: FakeChange) => void) | null = null;
  let writeListener: ((write: IncomingWrite) => Promise<void>) | null = null;
  const injections: Array<Injection & { remaining: number }> = [];
  const context = {
    account,
    checkModule: (
      versionId: string,
      modules: Array<{ name: string; content: Buffer }>,
      main: string,
    ) => runtime.check(versionId, modules, main),
  };

  const takeInjection = (route: string | null): Injection | null => {
    const index = injections.findIndex(
      (injection) => injection.route === undefined || injection.route === route,
    );
    const injection = injections[index];
    if (!injection) return null;
    injection.remaining--;
    if (injection.remaining <= 0) injections.splice(index, 1);
    return injection;
  };

  const handle = async (incoming: http.IncomingMessage, rawBody: string): Promise<FakeResponse> => {
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const method = (incoming.method ?? "GET").toUpperCase();
    const path = url.pathname.startsWith(BASE_PATH)
      ? url.pathname.slice(BASE_PATH.length) || "/"
      : url.pathname;
    const matched = matchRoute(method, path);
    const route = matched ? `${method} ${matched.route.template}` : null;
    const record: RecordedRequest = {
      method,
      path,
      route,
      query: url.searchParams,
      body: undefined,
      status: 0,
      problems: [],
    };
    requests.push(record);

    const respond = (response: FakeResponse): FakeResponse => {
      record.status = response.status;
      return response;
    };

    if (incoming.headers.authorization !== `Bearer ${token}`) {
      return respond(fail(403, { code: 10000, message: "Authentication error" }));
    }

    if (validate) {
      record.problems = validate({
        method,
        path,
        query: url.searchParams,
        contentType: incoming.headers["content-type"] ?? null,
        body: rawBody === "" ? null : rawBody,
      });
      if (record.problems.length > 0) {
        const message = record.problems
          .map((problem) => `${problem.in} ${problem.at}: ${problem.message}`)
          .join("; ");
        return respond(
          fail(400, {
            code: 10001,
            message: `request does not match the API description: ${message}`,
          }),
        );
      }
    }

    let body: unknown;
    if (rawBody !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return respond(fail(400, { code: 6007, message: "Malformed JSON in request body" }));
      }
    }
    record.body = body;

    const injected = takeInjection(route);
    if (injected) {
      const headers: Record<string, string> =
        injected.retryAfter !== undefined ? { "retry-after": String(injected.retryAfter) } : {};
      const errors = injected.errors ?? [defaultInjectedError(injected.status)];
      return respond({ ...fail(injected.status, ...errors), headers });
    }

    if (!matched || route === null) {
      return respond(fail(404, { code: 7000, message: "No route for that URI" }));
    }
    const request: FakeRequest = {
      method,
      path,
      query: url.searchParams,
      params: matched.params,
      body,
    };
    if (method !== "GET") await writeListener?.({ route, params: request.params, body });

    const response = await matched.route.handle(request, context);
    if (method !== "GET" && response.status < 300) {
      changeListener?.({ route, zoneIds: response.changedZones ?? [] });
    }
    return respond(response);
  };

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      handle(incoming, Buffer.concat(chunks).toString("utf8"))
        .catch((error: Error) =>
          fail(500, { code: 10002, message: `fake failed: ${error.message}` }),
        )
        .then((response) => send(outgoing, response));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    token,
    accountId: account.accountId,
    account,
    validating: validate !== null,
    requests,
    count: (route) =>
      route === undefined
        ? requests.length
        : requests.filter((request) => request.route === route).length,
    writeCount: () => requests.filter((request) => request.method !== "GET").length,
    invalidRequests: () => requests.filter((request) => request.problems.length > 0),
    inject: (injection) => injections.push({ ...injection, remaining: injection.times ?? 1 }),
    clearRequests: () => requests.splice(0, requests.length),
    handlerFor: async (hostname) => {
      const domain = account.customDomains.find(
        (candidate) => candidate.hostname === hostname.toLowerCase(),
      );
      const worker = domain ? account.worker(domain.service) : undefined;
      const version = worker ? account.deployedVersion(worker) : undefined;
      if (!version) return null;
      return runtime.load(version.id, version.modules, version.mainModule);
    },
    onChange: (listener) => {
      changeListener = listener;
    },
    onBeforeWrite: (listener) => {
      writeListener = listener;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}

function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const segments = path.split("/");
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.template.split("/");
    if (template.length !== segments.length) continue;

    const params: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const value = segments[index] ?? "";
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (!name) return part === value;
      params[name] = decodeURIComponent(value);
      return value !== "";
    });
    if (matches) return { route, params };
  }
  return null;
}

function defaultInjectedError(status: number): ApiMessage {
  if (status === 429)
    return { code: 971, message: "Please wait and consider throttling your request speed" };
  if (status >= 500) return { code: 10002, message: "An unknown error has occurred" };
  return { code: 1000, message: "Injected error" };
}

function send(outgoing: http.ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let body: Buffer;
  if (response.raw) {
    headers["content-type"] = response.raw.contentType;
    body = response.raw.body;
  } else {
    headers["content-type"] = "application/json";
    body = Buffer.from(JSON.stringify(response.json ?? null));
  }
  headers["content-length"] = String(body.length);
  outgoing.writeHead(response.status, headers);
  outgoing.end(body);
}
