/**
 * Route types and the Cloudflare v4 response envelope: `{ success, errors, messages,
 * result, result_info }`, with the page arithmetic of the real list endpoints.
 */
import type { FakeAccount } from "./state.js";

export interface FakeRequest {
  method: string;
  /** Path after `/client/v4`. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  /** JSON body, ignored when `raw` is set. */
  json?: unknown;
  raw?: { contentType: string; body: Buffer };
  headers?: Record<string, string>;
  /** Ids of the zones whose DNS records or custom domains the request changed. */
  changedZones?: string[];
}

export interface RouteContext {
  account: FakeAccount;
  /** Loads an uploaded module the way the Workers runtime would, to reject one that fails. */
  checkModule(
    versionId: string,
    modules: Array<{ name: string; content: Buffer }>,
    main: string,
  ): Promise<string | null>;
}

export interface Route {
  method: string;
  /** The path template as the OpenAPI description writes it, e.g. `/zones/{zone_id}/dns_records`. */
  template: string;
  handle(request: FakeRequest, context: RouteContext): FakeResponse | Promise<FakeResponse>;
}

export interface ApiMessage {
  code: number;
  message: string;
}

export function ok(result: unknown, resultInfo?: unknown): FakeResponse {
  const json: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo !== undefined) json.result_info = resultInfo;
  return { status: 200, json };
}

export function fail(status: number, ...errors: ApiMessage[]): FakeResponse {
  return { status, json: { success: false, errors, messages: [], result: null } };
}

/**
 * Cuts one page out of `items` as the v4 list endpoints do: `page` from 1, `per_page`
 * up to the endpoint's maximum, and an empty page (not an error) past the last one.
 */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  limits: { defaultPerPage: number; maxPerPage: number },
): { result: T[]; result_info: Record<string, number> } {
  const page = Math.max(1, Math.floor(Number(query.get("page") ?? "1")) || 1);
  const requested = Math.floor(Number(query.get("per_page") ?? String(limits.defaultPerPage)));
  const perPage = Math.min(limits.maxPerPage, Math.max(1, requested || limits.defaultPerPage));
  const result = items.slice((page - 1) * perPage, page * perPage);

  return {
    result,
    result_info: {
      page,
      per_page: perPage,
      count: result.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    },
  };
}
