/**
 * The few calls of the PowerDNS Authoritative HTTP API (v1) that the provider needs:
 * list zones, read RRsets, and PATCH RRsets. Authentication is the static key in the
 * `X-API-Key` header. Errors come back as JSON `{"error": "..."}`, except that
 * PowerDNS 4.7.3 sends 401 and 404 as plain text ("Unauthorized", "Not Found").
 */

import { z } from "zod";

const zoneSummarySchema = z.object({
  /** Opaque id that PowerDNS guarantees to be safe inside a URL path. */
  id: z.string().min(1),
  /** Zone name with the trailing dot, e.g. "example.com.". */
  name: z.string().min(1),
  kind: z.string().optional(),
});

const recordSchema = z.object({
  content: z.string(),
  disabled: z.boolean().default(false),
});

const rrsetSchema = z.object({
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().nonnegative(),
  records: z.array(recordSchema),
});

const zoneSchema = z.object({
  rrsets: z.array(rrsetSchema).default([]),
});

const errorBodySchema = z.object({ error: z.string() });

export type PowerDnsZoneSummary = z.infer<typeof zoneSummarySchema>;
export type PowerDnsRrset = z.infer<typeof rrsetSchema>;

/** One entry of a PATCH body. REPLACE sets the whole RRset; DELETE removes it. */
export type PowerDnsRrsetChange =
  | {
      name: string;
      type: string;
      ttl: number;
      changetype: "REPLACE";
      records: { content: string; disabled: boolean }[];
    }
  | { name: string; type: string; changetype: "DELETE" };

/** A failed API call: the HTTP status (null when no response arrived) and PowerDNS's own message. */
export class PowerDnsApiError extends Error {
  readonly status: number | null;
  readonly apiMessage: string;

  constructor(status: number | null, apiMessage: string, options?: ErrorOptions) {
    super(status === null ? apiMessage : `HTTP ${status}: ${apiMessage}`, options);
    this.name = "PowerDnsApiError";
    this.status = status;
    this.apiMessage = apiMessage;
  }
}

export interface PowerDnsClientOptions {
  /** Base URL of the PowerDNS webserver, e.g. "http://127.0.0.1:8081"; a trailing "/api/v1" is accepted. */
  apiUrl: string;
  serverId: string;
  apiKey: string;
  /** Maximum time in ms for one request, including reading the body. */
  timeoutMs: number;
}

export interface PowerDnsClient {
  readonly baseUrl: string;
  listZones(): Promise<PowerDnsZoneSummary[]>;
  /**
   * Returns the RRsets of a zone. With `name`, it requests only the RRsets at that owner
   * name, a filter that 4.7.3 honours and older releases may ignore.
   */
  getRrsets(zoneId: string, name?: string): Promise<PowerDnsRrset[]>;
  patchRrsets(zoneId: string, rrsets: PowerDnsRrsetChange[]): Promise<void>;
}

/** Checks `apiUrl` and returns it without trailing slashes or a trailing "/api/v1". */
export function normalizeApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch (error) {
    throw new Error(
      `invalid PowerDNS apiUrl "${apiUrl}": expected the webserver base URL, e.g. http://127.0.0.1:8081`,
      { cause: error },
    );
  }

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`invalid PowerDNS apiUrl "${apiUrl}": the scheme must be http or https`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new Error(
      "invalid PowerDNS apiUrl: it contains credentials; pass the API key through apiKey instead",
    );
  }

  return url.href.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
}

export function createPowerDnsClient(options: PowerDnsClientOptions): PowerDnsClient {
  const baseUrl = normalizeApiUrl(options.apiUrl);
  const serverUrl = `${baseUrl}/api/v1/servers/${encodeURIComponent(options.serverId)}`;

  /** Removes the key from text the server sent back, in case a proxy echoes request headers. */
  const redact = (text: string) =>
    options.apiKey === "" ? text : text.split(options.apiKey).join("***");

  async function request(method: string, url: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          "X-API-Key": options.apiKey,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new PowerDnsApiError(null, describeFetchFailure(error, options.timeoutMs), {
        cause: error,
      });
    }

    const text = await response.text();
    if (!response.ok) {
      throw new PowerDnsApiError(response.status, redact(errorMessage(text)));
    }
    if (text === "") {
      return null;
    }

    try {
      return JSON.parse(text);
    } catch (error) {
      throw new PowerDnsApiError(
        response.status,
        `the response is not JSON: ${text.slice(0, 200)}`,
        {
          cause: error,
        },
      );
    }
  }

  return {
    baseUrl,

    async listZones() {
      const body = await request("GET", `${serverUrl}/zones?dnssec=false`);
      return parseBody(z.array(zoneSummarySchema), body, "zone list");
    },

    async getRrsets(zoneId, name) {
      const query = name === undefined ? "" : `?rrset_name=${encodeURIComponent(name)}`;
      const body = await request("GET", `${serverUrl}/zones/${zoneId}${query}`);
      return parseBody(zoneSchema, body, `zone ${zoneId}`).rrsets;
    },

    async patchRrsets(zoneId, rrsets) {
      await request("PATCH", `${serverUrl}/zones/${zoneId}`, { rrsets });
    },
  };
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown, description: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "the top level"}`;
    throw new PowerDnsApiError(
      200,
      `unexpected ${description} response${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

function errorMessage(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      return parsed.data.error;
    }
  } catch {
    // Plain-text error bodies ("Unauthorized", "Not Found") are returned as they are.
  }
  return text.trim().slice(0, 500) || "(empty response body)";
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no response within ${timeoutMs} ms`;
  }

  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return `the request failed: ${detail}`;
}
