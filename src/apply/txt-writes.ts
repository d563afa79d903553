import type { Change, ChangeKind } from "../plan/types.js";
import type { DnsProvider, TxtWrite } from "../providers/types.js";
import { newPolicyId, parsePolicyIdTime } from "../sts/id.js";
import { mapConcurrent } from "./concurrency.js";
import type { DomainRun } from "./domain-run.js";
import { errorMessage } from "./log.js";
import type { StepStatus } from "./types.js";

const TXT_KINDS: ReadonlySet<ChangeKind> = new Set([
  "set-sts-record",
  "delete-sts-record",
  "set-tlsrpt-record",
  "delete-tlsrpt-record",
]);

/** The version tag that makes a TXT value one of ours at each managed name. */
function versionTag(kind: ChangeKind): string {
  return kind === "set-sts-record" || kind === "delete-sts-record" ? "v=STSv1" : "v=TLSRPTv1";
}

/**
 * Returns the other TXT values at the name, which the write keeps. Senders ignore
 * values that do not start with the version tag (RFC 8461 section 3.1, RFC 8460
 * section 3), and the tool does not own them, so a write replaces only its records.
 */
function foreignValues(change: Change): string[] {
  if (change.before === null) return [];
  const tag = versionTag(change.kind);
  return change.before.split("\n").filter((text) => text !== "" && !text.startsWith(tag));
}

function policyIds(texts: string | null): string[] {
  const ids: string[] = [];
  for (const text of texts?.split("\n") ?? []) {
    const match = /(?:^|;)\s*id=([A-Za-z0-9]+)/.exec(text);
    if (match?.[1]) ids.push(match[1]);
  }
  return ids;
}

/**
 * Moves the planned id to the time of the write when it is one of ours and earlier.
 * The planner dates the policy from our id (the cache horizon of a retirement starts
 * there), so the id must not predate the moment senders could first see it. A plan
 * computed before a long verification, or reviewed days earlier, would otherwise carry
 * an id older than the publication.
 */
export function stampPolicyId(record: string, before: string | null, now: Date): string {
  const planned = policyIds(record)[0];
  if (planned === undefined) return record;

  const plannedTime = parsePolicyIdTime(planned);
  const nowSecond = Math.floor(now.getTime() / 1000) * 1000;
  if (plannedTime === null || plannedTime.getTime() >= nowSecond) return record;

  const id = newPolicyId(now, [...policyIds(before), planned]);
  return record.replace(`id=${planned}`, `id=${id}`);
}

/** Returns why the `_mta-sts` write must not run yet, or null when it may. */
function stsGate(run: DomainRun): { status: StepStatus; detail: string } | null {
  const publish = run.find("publish-policy");
  if (!publish) return null;

  if (publish.heldReason) {
    return {
      status: "held",
      detail: `waits for the held policy change (${publish.heldReason}); _mta-sts left as it was`,
    };
  }
  if (run.policy === "verified") return null;
  if (run.policy === "pending") {
    return {
      status: "pending",
      detail: "waits until the published policy is served; _mta-sts left as it was",
    };
  }
  return { status: "skipped", detail: "the policy was not published; _mta-sts left as it was" };
}

interface PlannedWrite {
  change: Change;
  write: TxtWrite;
  detail: string;
}

function plannedWrite(change: Change, now: Date): PlannedWrite {
  const keptValues = foreignValues(change);
  const keptNote = keptValues.length > 0 ? `, kept ${keptValues.length} other TXT value(s)` : "";

  if (change.after === null) {
    const values = keptValues.length > 0 ? keptValues : null;
    return { change, write: { name: change.target, values }, detail: `deleted${keptNote}` };
  }

  const value =
    change.kind === "set-sts-record"
      ? stampPolicyId(change.after, change.before, now)
      : change.after;
  const restamped = value !== change.after ? ` (planned ${JSON.stringify(change.after)})` : "";
  return {
    change,
    write: { name: change.target, values: [...keptValues, value] },
    detail: `wrote ${JSON.stringify(value)}${restamped}${keptNote}`,
  };
}

/**
 * Collects the TXT writes of one domain that may run now, grouped by DNS provider, and
 * records a step for each `_mta-sts` write that must wait.
 */
function collectWrites(run: DomainRun, now: Date): Map<string, PlannedWrite[]> {
  const byProvider = new Map<string, PlannedWrite[]>();
  for (const change of run.changes) {
    if (!TXT_KINDS.has(change.kind) || change.heldReason) continue;

    if (change.kind === "set-sts-record") {
      const gate = stsGate(run);
      if (gate) {
        run.record(change, gate.status, gate.detail);
        continue;
      }
    }

    const group = byProvider.get(change.provider) ?? [];
    group.push(plannedWrite(change, now));
    byProvider.set(change.provider, group);
  }
  return byProvider;
}

/**
 * Writes the TXT records of one domain that may run now: one `writeTxt` call per DNS
 * provider that carries `_mta-sts` and `_smtp._tls` together, so a provider can send
 * them in one request. `_mta-sts` is written only once the domain's policy is
 * verified, or when the plan changes the record without a new policy. TLS-RPT records
 * do not depend on the policy and are written in every case. Runs once per domain;
 * later calls do nothing.
 */
export async function writeDomainRecords(
  run: DomainRun,
  providers: Map<string, DnsProvider>,
  now: () => Date,
): Promise<void> {
  if (run.recordsWritten) return;
  run.recordsWritten = true;

  for (const [name, writes] of collectWrites(run, now())) {
    const provider = providers.get(name);
    if (!provider) {
      const message = `DNS provider "${name}" is not configured; add it under dns_providers in the configuration file or change dns of the domain`;
      for (const item of writes) run.record(item.change, "failed", message);
      continue;
    }

    try {
      await provider.writeTxt(
        run.domain,
        writes.map((item) => item.write),
      );
    } catch (error) {
      const names = writes.map((item) => item.write.name).join(", ");
      const message = `DNS provider "${name}" (${provider.type}) failed to write ${names}: ${errorMessage(error)}`;
      for (const item of writes) run.record(item.change, "failed", message);
      continue;
    }

    for (const item of writes) run.record(item.change, "done", item.detail);
  }
}

/** Writes the TXT records of every domain whose records were not written yet. */
export async function writeRecords(
  runs: DomainRun[],
  providers: Map<string, DnsProvider>,
  concurrency: number,
  now: () => Date,
): Promise<void> {
  await mapConcurrent(runs, concurrency, (run) => writeDomainRecords(run, providers, now));
}
