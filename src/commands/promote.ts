import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { mapWithConcurrency } from "../observe/pool.js";
import type { MxProbe } from "../observe/types.js";
import { readLiveState } from "../plan/live.js";
import { loadDayEvidence, windowDays } from "../promote/evidence.js";
import { evaluateGate } from "../promote/gate.js";
import { type Deferral, type Promotion, renderPromotionMarkdown } from "../promote/render.js";
import { setModeEnforce } from "../promote/yaml-edit.js";
import { computePlan } from "./plan.js";
import { loadForCommand } from "./project.js";
import type { CommandOptions, CommandOutcome } from "./types.js";

/**
 * `promote`: evaluates the clean-week gate for every domain declared and served in
 * mode testing, probes their MX hosts for certificate expiry, and edits the declaration
 * of each domain that passed to mode enforce. The edited files are returned in the
 * outcome for the Action to commit to a pull request; `write` also saves them locally.
 */
export async function runPromote(
  options: CommandOptions & { write?: boolean },
): Promise<CommandOutcome> {
  const loaded = await loadForCommand(options);
  if (!loaded.ok) return loaded.outcome;

  const now = options.now();
  const { observations, run } = await computePlan(options, loaded);
  try {
    const candidates = loaded.domains
      .map((domain, index) => ({ domain, live: readLiveState(observations[index]!) }))
      .filter(
        ({ domain, live }) =>
          domain.state === "present" &&
          domain.mtaSts.mode === "testing" &&
          live.policy.value?.mode === "testing",
      );

    const hosts = [...new Set(candidates.flatMap(({ live }) => live.mxHosts ?? []))].sort();
    const probes = new Map<string, MxProbe>();
    await mapWithConcurrency(hosts, loaded.project.config.observe.concurrency, async (host) => {
      probes.set(host, await run.observer.probeMx(host));
    });

    const promotions: Promotion[] = [];
    const deferrals: Deferral[] = [];
    const files: { path: string; content: string }[] = [];
    for (const { domain, live } of candidates) {
      const days = windowDays(now, domain.promotion.windowDays);
      const evidence = await loadDayEvidence(
        loaded.project.config.reports.summariesDir,
        domain.domain,
        days,
      );
      const domainProbes = new Map((live.mxHosts ?? []).map((host) => [host, probes.get(host)!]));
      const result = evaluateGate(domain, live, evidence, now, domainProbes);
      if (!result.passed) {
        deferrals.push({ domain: domain.domain, reasons: result.reasons });
        continue;
      }

      const absolute = path.join(loaded.project.root, domain.file);
      const content = setModeEnforce(await readFile(absolute, "utf8"), domain.file);
      files.push({ path: domain.file, content });
      promotions.push({ domain: domain.domain, file: domain.file, checks: result.checks });
      if (options.write) await writeFile(absolute, content);
    }

    const markdown = renderPromotionMarkdown(promotions, deferrals);
    options.log(
      `promote: candidates=${candidates.length} promoted=${promotions.length} deferred=${deferrals.length}`,
    );
    return {
      exitCode: 0,
      configErrors: loaded.warnings,
      summaryMarkdown: markdown,
      text: markdown,
      outputs: {
        promotions: String(promotions.length),
        "promoted-domains": promotions.map((item) => item.domain).join(","),
      },
      promotion: { files, markdown, domains: promotions.map((item) => item.domain) },
    };
  } finally {
    run.observer.close();
  }
}
