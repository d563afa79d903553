import { mapWithConcurrency } from "../observe/pool.js";
import type { MxProbe } from "../observe/types.js";
import { planChecksum } from "../plan/checksum.js";
import { mxProbeFindings } from "../plan/mx-findings.js";
import { planExitCode } from "../plan/plan-fleet.js";
import { renderPlanMarkdown } from "../plan/render-markdown.js";
import type { Plan } from "../plan/types.js";
import { computePlan, formatPlan, planOutputs } from "./plan.js";
import { loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/**
 * `audit`: the plan plus deep live checks. Each unique MX host of the fleet is probed
 * once (STARTTLS, certificate chain and name, expiry, TLS version), and the results
 * are added to every domain that uses the host.
 */
export async function runAudit(options: CommandOptions): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const { plan, observations, run } = await computePlan(options, loaded);
  try {
    const hostsByDomain = new Map(
      observations.map((observed) => [
        observed.domain,
        observed.mx.status === "ok"
          ? [...new Set(observed.mx.records.map((record) => record.exchange))].filter(
              (host) => host !== "." && host !== "",
            )
          : [],
      ]),
    );

    const hosts = [...new Set([...hostsByDomain.values()].flat())].sort();
    const probes = new Map<string, MxProbe>();
    await mapWithConcurrency(hosts, loaded.project.config.observe.concurrency, async (host) => {
      probes.set(host, await run.observer.probeMx(host));
    });
    options.log(`audit: mx_hosts=${hosts.length} smtp_probes=${run.observer.stats().smtpProbes}`);

    const settings = new Map(
      loaded.domains.map((domain) => [domain.domain, domain.promotion.minCertificateDays]),
    );
    const audited: Plan = {
      ...plan,
      domains: plan.domains.map((domain) => {
        const domainProbes = (hostsByDomain.get(domain.domain) ?? []).map(
          (host) => probes.get(host)!,
        );
        const extra = mxProbeFindings(
          domain.domain,
          domainProbes,
          settings.get(domain.domain) ?? 14,
        );
        return { ...domain, findings: [...domain.findings, ...extra] };
      }),
    };
    audited.checksum = planChecksum(audited.domains);

    return {
      exitCode: planExitCode(audited, options.failOn) === 1 ? 1 : 0,
      configErrors: loaded.warnings,
      plan: audited,
      summaryMarkdown: renderPlanMarkdown(audited).replace("## MTA-STS plan", "## MTA-STS audit"),
      text: formatPlan(audited, options),
      outputs: planOutputs(audited),
    };
  } finally {
    run.observer.close();
  }
}
