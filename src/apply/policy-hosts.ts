import type { Change } from "../plan/types.js";
import type { PolicyHost } from "../providers/types.js";
import { mapConcurrent } from "./concurrency.js";
import type { DomainRun } from "./domain-run.js";
import { errorMessage } from "./log.js";

/** A policy change of one domain, waiting for its policy host. */
export interface HostItem {
  run: DomainRun;
  change: Change;
}

export interface HostCall {
  /** "publish" or "withdraw", for error messages. */
  verb: string;
  /** Performs the call for the items of one host. */
  call: (host: PolicyHost, items: HostItem[]) => Promise<void>;
  succeeded: (item: HostItem) => void;
  failed: (item: HostItem, message: string) => void;
}

/**
 * Calls each policy host for its items: once for all of them when the host publishes
 * in bulk (one Worker upload carries every policy), else once per domain, so an error
 * of one domain leaves the others untouched.
 */
export async function callPolicyHosts(
  items: HostItem[],
  hosts: Map<string, PolicyHost>,
  concurrency: number,
  action: HostCall,
): Promise<void> {
  const byHost = new Map<string, HostItem[]>();
  for (const item of items) {
    const group = byHost.get(item.change.provider) ?? [];
    group.push(item);
    byHost.set(item.change.provider, group);
  }

  for (const [name, group] of byHost) {
    const host = hosts.get(name);
    if (!host) {
      const message = `policy host "${name}" is not configured; add it under policy_hosts in the configuration file or change policy_host of the domain`;
      for (const item of group) action.failed(item, message);
      continue;
    }

    const batches = host.capabilities.bulkPublish ? [group] : group.map((item) => [item]);
    await mapConcurrent(batches, concurrency, async (batch) => {
      try {
        await action.call(host, batch);
      } catch (error) {
        const scope = batch.length > 1 ? ` (one call for ${batch.length} domains)` : "";
        const message = `policy host "${name}" (${host.type}) failed to ${action.verb} the policy${scope}: ${errorMessage(error)}`;
        for (const item of batch) action.failed(item, message);
        return;
      }
      for (const item of batch) action.succeeded(item);
    });
  }
}
