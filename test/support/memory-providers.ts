/**
 * In-memory DNS provider and policy host for apply tests. They model what is served as
 * well as what is stored: a published body becomes visible at the policy URL after a
 * configurable delay, or never. Every write is recorded on one timeline with the fake
 * clock's time. A TXT write also records the body served at that moment.
 */

import type { ApplyClock } from "../../src/apply/types.js";
import type { DomainConfig } from "../../src/config/index.js";
import type {
  DnsLookup,
  MxRecord,
  ObservedDomain,
  PolicyFetch,
  TxtStrings,
} from "../../src/observe/types.js";
import type {
  DnsProvider,
  HostedPolicy,
  ManagedTxt,
  PolicyHost,
  TxtWrite,
} from "../../src/providers/types.js";
import { splitTxtValue } from "../../src/sts/txt.js";

/** A clock whose `sleep` advances the time at once, so tests never wait. */
export class FakeClock implements ApplyClock {
  private time: number;
  /** Every duration passed to `sleep`, in order. */
  readonly sleeps: number[] = [];

  constructor(start: string) {
    this.time = Date.parse(start);
  }

  now(): Date {
    return new Date(this.time);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

export type TimelineEvent =
  | { seq: number; at: number; type: "publish"; host: string; domain: string; body: string }
  | { seq: number; at: number; type: "withdraw"; host: string; domain: string }
  | { seq: number; at: number; type: "fetch"; domain: string; body: string | null }
  | {
      seq: number;
      at: number;
      type: "write-txt";
      provider: string;
      domain: string;
      name: string;
      values: string[] | null;
      /** The body visible at the policy URL when the record was written. */
      served: string | null;
      /** The latest body the policy host stores for the domain at that moment. */
      stored: string | null;
    };

type NewEvent = TimelineEvent extends infer E
  ? E extends TimelineEvent
    ? Omit<E, "seq" | "at">
    : never
  : never;

/** The shared record of every write and fetch, in the order they happened. */
export class Timeline {
  readonly events: TimelineEvent[] = [];

  constructor(private readonly clock: FakeClock) {}

  push(event: NewEvent): void {
    this.events.push({
      ...event,
      seq: this.events.length,
      at: this.clock.now().getTime(),
    } as TimelineEvent);
  }

  of(domain: string): TimelineEvent[] {
    return this.events.filter((event) => event.domain === domain);
  }
}

interface Version {
  body: string | null;
  storedAt: number;
  visibleAt: number;
}

/** What the policy URL of a domain serves at one moment. */
export interface ServedPolicy {
  body: string;
  /** When the body was stored, as a Last-Modified header would report it. */
  storedAt: number;
}

export interface MemoryHostOptions {
  name: string;
  bulkPublish?: boolean;
  /** Time in ms from publishing to being served; Infinity means never. Default 0. */
  delayMs?: number;
  /** Rewrites a body as the host serves it, e.g. CRLF to LF. */
  encode?: (body: string) => string;
}

/** A policy host whose published bodies become visible after `delayMs`. */
export class MemoryPolicyHost implements PolicyHost {
  readonly name: string;
  readonly type = "memory";
  readonly capabilities: { bulkPublish: boolean };
  publishCalls = 0;
  withdrawCalls = 0;
  /** Per-domain publication delay that overrides `delayMs`. */
  readonly delays = new Map<string, number>();
  /** Errors thrown by publish or withdraw when the call includes the domain. */
  readonly failures = new Map<string, Error>();
  private readonly versions = new Map<string, Version[]>();

  constructor(
    private readonly options: MemoryHostOptions,
    private readonly clock: FakeClock,
    private readonly timeline: Timeline,
  ) {
    this.name = options.name;
    this.capabilities = { bulkPublish: options.bulkPublish ?? false };
  }

  /** Serves `body` for `domain` since `at`, as if published before the test began. */
  seed(domain: string, body: string, at: number): void {
    this.versionsOf(domain).push({ body, storedAt: at, visibleAt: at });
  }

  async list(): Promise<Map<string, string>> {
    const bodies = new Map<string, string>();
    for (const domain of this.versions.keys()) {
      const body = this.stored(domain);
      if (body !== null) bodies.set(domain, body);
    }
    return bodies;
  }

  async publish(policies: HostedPolicy[]): Promise<void> {
    this.throwIfFailing(policies.map((policy) => policy.domain));
    this.publishCalls += 1;

    const now = this.clock.now().getTime();
    for (const policy of policies) {
      const delay = this.delays.get(policy.domain) ?? this.options.delayMs ?? 0;
      this.versionsOf(policy.domain).push({
        body: policy.body,
        storedAt: now,
        visibleAt: now + delay,
      });
      this.timeline.push({
        type: "publish",
        host: this.name,
        domain: policy.domain,
        body: policy.body,
      });
    }
  }

  async withdraw(domains: string[]): Promise<void> {
    this.throwIfFailing(domains);
    this.withdrawCalls += 1;

    const now = this.clock.now().getTime();
    for (const domain of domains) {
      this.versionsOf(domain).push({ body: null, storedAt: now, visibleAt: now });
      this.timeline.push({ type: "withdraw", host: this.name, domain });
    }
  }

  /** Returns the latest stored body, whether or not it is visible yet. */
  stored(domain: string): string | null {
    const versions = this.versions.get(domain) ?? [];
    return versions.at(-1)?.body ?? null;
  }

  /** Returns what https://mta-sts.<domain>/.well-known/mta-sts.txt serves now, or null for 404. */
  served(domain: string): ServedPolicy | null {
    const now = this.clock.now().getTime();
    const visible = (this.versions.get(domain) ?? []).filter((version) => version.visibleAt <= now);
    const latest = visible.at(-1);
    if (!latest || latest.body === null) return null;

    const body = this.options.encode ? this.options.encode(latest.body) : latest.body;
    return { body, storedAt: latest.storedAt };
  }

  /** Tells whether the host has ever stored anything for the domain. */
  knows(domain: string): boolean {
    return this.versions.has(domain);
  }

  private versionsOf(domain: string): Version[] {
    const versions = this.versions.get(domain) ?? [];
    this.versions.set(domain, versions);
    return versions;
  }

  private throwIfFailing(domains: string[]): void {
    for (const domain of domains) {
      const error = this.failures.get(domain);
      if (error) throw error;
    }
  }
}

/** A DNS provider that keeps the managed TXT record sets in a map. */
export class MemoryDns implements DnsProvider {
  readonly name: string;
  readonly type = "memory";
  readonly capabilities = { batchWrites: true, cnameAware: false };
  writeCalls = 0;
  /** Errors thrown by writeTxt for the domain. */
  readonly failures = new Map<string, Error>();
  private readonly records = new Map<string, string[]>();

  constructor(
    name: string,
    private readonly timeline: Timeline,
    private readonly policyAt: (domain: string) => { served: string | null; stored: string | null },
  ) {
    this.name = name;
  }

  /** Sets a record set before the test begins, without a timeline entry. */
  seed(name: string, values: string[]): void {
    this.records.set(name, values);
  }

  values(name: string): string[] {
    return this.records.get(name) ?? [];
  }

  async readTxt(domain: string): Promise<ManagedTxt> {
    return { sts: this.values(`_mta-sts.${domain}`), tlsRpt: this.values(`_smtp._tls.${domain}`) };
  }

  async writeTxt(domain: string, writes: TxtWrite[]): Promise<void> {
    const error = this.failures.get(domain);
    if (error) throw error;
    this.writeCalls += 1;

    const policy = this.policyAt(domain);
    for (const write of writes) {
      if (write.values === null) {
        this.records.delete(write.name);
      } else {
        this.records.set(write.name, [...write.values]);
      }
      this.timeline.push({
        type: "write-txt",
        provider: this.name,
        domain,
        name: write.name,
        values: write.values,
        served: policy.served,
        stored: policy.stored,
      });
    }
  }
}

export interface MemoryWorldOptions {
  start: string;
  dns?: string[];
  hosts?: MemoryHostOptions[];
}

/** The providers, clock and timeline of one test, and the views of them that apply and the planner read. */
export class MemoryWorld {
  readonly clock: FakeClock;
  readonly timeline: Timeline;
  readonly dnsProviders = new Map<string, MemoryDns>();
  readonly policyHosts = new Map<string, MemoryPolicyHost>();
  /** MX hosts per domain; a domain not listed has `mx.<domain>`. */
  readonly mx = new Map<string, string[]>();

  constructor(options: MemoryWorldOptions) {
    this.clock = new FakeClock(options.start);
    this.timeline = new Timeline(this.clock);
    for (const name of options.dns ?? ["dns"]) {
      this.dnsProviders.set(
        name,
        new MemoryDns(name, this.timeline, (domain) => this.policyAt(domain)),
      );
    }
    for (const host of options.hosts ?? [{ name: "host" }]) {
      this.policyHosts.set(host.name, new MemoryPolicyHost(host, this.clock, this.timeline));
    }
  }

  dns(name = "dns"): MemoryDns {
    return this.dnsProviders.get(name)!;
  }

  host(name = "host"): MemoryPolicyHost {
    return this.policyHosts.get(name)!;
  }

  /** Provider writes of every kind so far: TXT writes, publishes and withdrawals. */
  writeCount(): number {
    let count = 0;
    for (const dns of this.dnsProviders.values()) count += dns.writeCalls;
    for (const host of this.policyHosts.values()) count += host.publishCalls + host.withdrawCalls;
    return count;
  }

  /** Returns the host that serves the domain: the first one that ever stored a body for it. */
  hostOf(domain: string): MemoryPolicyHost | null {
    for (const host of this.policyHosts.values()) {
      if (host.knows(domain)) return host;
    }
    return null;
  }

  served(domain: string): ServedPolicy | null {
    return this.hostOf(domain)?.served(domain) ?? null;
  }

  private policyAt(domain: string): { served: string | null; stored: string | null } {
    const host = this.hostOf(domain);
    return { served: host?.served(domain)?.body ?? null, stored: host?.stored(domain) ?? null };
  }

  /** Fetches the policy as a sender would see it now; the `verifyPolicy` of apply. */
  verifyPolicy = async (domain: string): Promise<PolicyFetch> => {
    const served = this.served(domain);
    this.timeline.push({ type: "fetch", domain, body: served?.body ?? null });
    return policyFetch(domain, served);
  };

  /** Turns the providers' state into the observation `observe/` would report for the domain. */
  observeMemory(desired: DomainConfig): ObservedDomain {
    const domain = desired.domain;
    const dns = this.dns(desired.dns);
    const exchanges = this.mx.get(domain) ?? [`mx.${domain}`];
    const mx: MxRecord[] = exchanges.map((exchange, index) => ({
      preference: 10 * (index + 1),
      exchange,
    }));

    return {
      domain,
      mx: lookup(domain, "MX", mx),
      stsTxt: lookup(`_mta-sts.${domain}`, "TXT", dns.values(`_mta-sts.${domain}`).map(toStrings)),
      tlsRptTxt: lookup(
        `_smtp._tls.${domain}`,
        "TXT",
        dns.values(`_smtp._tls.${domain}`).map(toStrings),
      ),
      policy: policyFetch(domain, this.served(domain)),
    };
  }
}

function toStrings(value: string): TxtStrings {
  return splitTxtValue(value);
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

function policyFetch(domain: string, served: ServedPolicy | null): PolicyFetch {
  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  if (served === null) {
    return { ok: false, url, reason: "status", detail: "HTTP 404", status: 404 };
  }
  return {
    ok: true,
    url,
    contentType: "text/plain",
    body: served.body,
    address: "127.0.0.1:443",
    lastModified: new Date(served.storedAt).toUTCString(),
  };
}
