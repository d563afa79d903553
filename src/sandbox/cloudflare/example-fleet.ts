/**
 * The example fleet in domains/ on the Cloudflare sandbox: the live state of
 * ../example-fleet.ts, planted faults included. The fake Cloudflare account owns the
 * configured Worker and stores the TXT records of every domain whose DNS provider is of
 * type `cloudflare`. The offline demo and the integration tests start it.
 */
import type { CloudflareWorkerHostConfig, Config, Project } from "../../config/index.js";
import { exampleFleetWorld, exampleMxHosts } from "../example-fleet.js";
import { recordedDeploymentsWorld } from "../real-deployments.js";
import { type CloudflareSandbox, startCloudflareSandbox } from "./sandbox.js";
import type { RequestValidator } from "./server.js";

/** Returns the first policy host of type `cloudflare-worker`, whose account the fake plays. */
export function workerHostOf(config: Config): CloudflareWorkerHostConfig {
  for (const host of Object.values(config.policyHosts)) {
    if (host.type === "cloudflare-worker") return host;
  }
  throw new Error(
    "the configuration has no policy host of type cloudflare-worker; the Cloudflare sandbox plays the account of one, so add it under policy_hosts",
  );
}

/** Returns the declared domains whose DNS provider is of type `cloudflare`. */
export function cloudflareDomainsOf(project: Project): Set<string> {
  const providers = project.config.dnsProviders;
  return new Set(
    project.domains
      .filter((domain) => providers[domain.dns]?.type === "cloudflare")
      .map((domain) => domain.domain),
  );
}

/** Starts the sandbox for the example fleet of `project` (the repository's domains/). */
export async function startExampleFleetSandbox(
  project: Project,
  options: { validateRequest?: RequestValidator } = {},
): Promise<CloudflareSandbox> {
  const onCloudflare = cloudflareDomainsOf(project);
  const domains = [...exampleFleetWorld(project.domains), ...recordedDeploymentsWorld()];
  const mx = exampleMxHosts(domains);

  return startCloudflareSandbox({
    domains,
    onCloudflare: (domain) => onCloudflare.has(domain),
    accountId: workerHostOf(project.config).accountId,
    mxHosts: mx.valid,
    expiredMxHosts: mx.expired,
    ...options,
  });
}
