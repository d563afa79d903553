import type { DomainConfig } from "../../src/config/index.js";
import type { DnsLookup, MxRecord, ObservedDomain, PolicyFetch } from "../../src/observe/types.js";

/** Builds a declared domain with the defaults of the example fleet. */
export function declared(domain: string, overrides: Partial<DomainConfig> = {}): DomainConfig {
  return {
    domain,
    file: `domains/${domain}.yaml`,
    state: "present",
    mtaSts: { mode: "testing", mx: [`mx.${domain}`], maxAge: 604800 },
    tlsRpt: { rua: [`mailto:tlsrpt@${domain}`] },
    dns: "cloudflare",
    policyHost: "worker",
    promotion: {} as DomainConfig["promotion"],
    enforceOverride: null,
    ...overrides,
  };
}

function lookup<T>(name: string, type: "TXT" | "MX", records: T[]): DnsLookup<T> {
  return {
    name,
    type,
    status: records.length > 0 ? "ok" : "nxdomain",
    records,
    cnameChain: [],
    ttl: records.length > 0 ? 300 : null,
    server: "127.0.0.1:53",
    authoritative: true,
  };
}

export interface ObservedInput {
  mx?: string[];
  sts?: string[][];
  tlsRpt?: string[][];
  policy?: string | PolicyFetch | null;
}

/** Builds an observation from record data, as `observe/` would report it. */
export function observed(domain: string, input: ObservedInput): ObservedDomain {
  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  let policy: PolicyFetch;
  if (input.policy === undefined || input.policy === null) {
    policy = { ok: false, url, reason: "status", detail: "HTTP 404", status: 404 };
  } else if (typeof input.policy === "string") {
    policy = {
      ok: true,
      url,
      contentType: "text/plain",
      body: input.policy,
      address: "127.0.0.1:443",
    };
  } else {
    policy = input.policy;
  }

  const mx: MxRecord[] = (input.mx ?? [`mx.${domain}`]).map((exchange, index) => ({
    preference: 10 * (index + 1),
    exchange,
  }));
  return {
    domain,
    mx: lookup(domain, "MX", mx),
    stsTxt: lookup(`_mta-sts.${domain}`, "TXT", input.sts ?? []),
    tlsRptTxt: lookup(`_smtp._tls.${domain}`, "TXT", input.tlsRpt ?? []),
    policy,
  };
}

/** Renders a policy body with CRLF line endings. */
export function policyBody(mode: string, mx: string[], maxAge: number): string {
  return [
    `version: STSv1`,
    `mode: ${mode}`,
    ...mx.map((pattern) => `mx: ${pattern}`),
    `max_age: ${maxAge}`,
  ]
    .map((line) => `${line}\r\n`)
    .join("");
}
