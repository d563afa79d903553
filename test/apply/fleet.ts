/** Builders shared by the apply tests: declared domains, seeded live state, and plan-then-apply. */

import { applyPlan } from "../../src/apply/apply.js";
import type { ApplyOptions, ApplyResult } from "../../src/apply/types.js";
import type { DomainConfig } from "../../src/config/index.js";
import { planChecksum } from "../../src/plan/checksum.js";
import { formatTime } from "../../src/plan/horizon.js";
import { type PlanDomainOptions, planDomain } from "../../src/plan/plan-domain.js";
import type { Plan } from "../../src/plan/types.js";
import { formatPolicyId } from "../../src/sts/id.js";
import { type Policy, renderPolicy } from "../../src/sts/policy.js";
import { renderStsRecord, renderTlsRptRecord } from "../../src/sts/txt.js";
import type { MemoryWorld } from "../support/memory-providers.js";

export const START = "2026-12-04T10:00:00Z";
export const DAY_MS = 86_400_000;

/** Builds a declared domain on the memory providers "dns" and "host", in mode testing. */
export function declare(domain: string, overrides: Partial<DomainConfig> = {}): DomainConfig {
  return {
    domain,
    file: `domains/${domain}.yaml`,
    state: "present",
    mtaSts: { mode: "testing", mx: [`mx.${domain}`], maxAge: 604_800 },
    tlsRpt: { rua: [`mailto:tlsrpt@${domain}`] },
    dns: "dns",
    policyHost: "host",
    promotion: {} as DomainConfig["promotion"],
    enforceOverride: null,
    ...overrides,
  };
}

/** Renders the body the planner publishes for the declaration. */
export function declaredBody(desired: DomainConfig): string {
  return renderPolicy(policyOf(desired));
}

function policyOf(desired: DomainConfig): Policy {
  return { mode: desired.mtaSts.mode, mx: desired.mtaSts.mx, maxAge: desired.mtaSts.maxAge };
}

export interface SeedInput {
  /** The policy served since `at`; defaults to the declared one. */
  policy?: Policy;
  /** Time of the publication, which is also the id; ms since the epoch. */
  at: number;
  /** The TLS-RPT destinations published; defaults to the declared ones, null for none. */
  rua?: string[] | null;
}

/** Sets the live state of a domain as if an earlier run had published it at `at`. */
export function seedDomain(world: MemoryWorld, desired: DomainConfig, input: SeedInput): void {
  const domain = desired.domain;
  const body = renderPolicy(input.policy ?? policyOf(desired));
  world.host(desired.policyHost).seed(domain, body, input.at);

  const dns = world.dns(desired.dns);
  dns.seed(`_mta-sts.${domain}`, [renderStsRecord(formatPolicyId(new Date(input.at)))]);
  const rua = input.rua === undefined ? (desired.tlsRpt?.rua ?? null) : input.rua;
  if (rua !== null) dns.seed(`_smtp._tls.${domain}`, [renderTlsRptRecord(rua)]);
}

/** Plans every declared domain against the memory providers' state at the world's time. */
export function planWorld(
  world: MemoryWorld,
  declared: DomainConfig[],
  options: Omit<PlanDomainOptions, "now"> = {},
): Plan {
  const now = world.clock.now();
  const domains = declared.map((desired) =>
    planDomain(desired, world.observeMemory(desired), { ...options, now }),
  );
  return { generatedAt: formatTime(now), domains, checksum: planChecksum(domains) };
}

export interface WorldRun {
  result: ApplyResult;
  log: string[];
}

/** Applies `plan` on the memory providers with a 60 s deadline polled every 10 s. */
export async function applyWorld(
  world: MemoryWorld,
  plan: Plan,
  overrides: Partial<ApplyOptions> = {},
): Promise<WorldRun> {
  const log: string[] = [];
  const result = await applyPlan({
    plan,
    dnsProviders: new Map(world.dnsProviders),
    policyHosts: new Map(world.policyHosts),
    verifyPolicy: world.verifyPolicy,
    clock: world.clock,
    verifyTimeoutMs: 60_000,
    verifyIntervalMs: 10_000,
    log: (line) => log.push(line),
    ...overrides,
  });
  return { result, log };
}

/** Plans the declarations and applies the plan: one loop of the GitOps workflow. */
export async function planAndApply(
  world: MemoryWorld,
  declared: DomainConfig[],
  overrides: Partial<ApplyOptions> = {},
): Promise<WorldRun & { plan: Plan }> {
  const plan = planWorld(world, declared);
  return { plan, ...(await applyWorld(world, plan, overrides)) };
}
