/**
 * The loopback world with Cloudflare in it: the world's DNS, HTTPS and SMTP servers, and
 * a fake Cloudflare account that stores the TXT records of the domains whose DNS is on
 * Cloudflare. A bridge serves the fake's zones and Workers to the observer.
 * `plan` reads it as it reads the plain world, and `apply` writes to the fake through the
 * real Cloudflare providers, so the next `plan` sees what `apply` wrote.
 */
import type { ObserveOverrides } from "../../commands/types.js";
import { startWorld, type World, type WorldDomain } from "../world.js";
import { type LiveBridge, startLiveBridge } from "./live.js";
import { seedCloudflareZones, splitForCloudflare } from "./seed.js";
import { type CloudflareFake, type RequestValidator, startCloudflareFake } from "./server.js";

export interface CloudflareSandboxOptions {
  /** The live state of every domain, as for `startWorld`. */
  domains: WorldDomain[];
  /** Tells whether a domain's zone is on Cloudflare; those records move to the fake. */
  onCloudflare: (domain: string) => boolean;
  /** The Cloudflare account id, as the configuration's `account_id` names it. */
  accountId: string;
  /** MX host names that get a valid certificate from the run's CA. */
  mxHosts?: string[];
  /** MX host names served with an expired certificate. */
  expiredMxHosts?: string[];
  /** Checks every request the fake receives; see `CloudflareFakeOptions`. */
  validateRequest?: RequestValidator;
}

export interface CloudflareSandbox {
  world: World;
  fake: CloudflareFake;
  bridge: LiveBridge;
  /**
   * The observation settings for plan and apply: the world's, whose connect-to map the
   * bridge changes as custom domains come and go.
   */
  observe: ObserveOverrides;
  /** The Cloudflare domains and their records as seeded, before any apply. */
  seeded: WorldDomain[];
  close(): Promise<void>;
}

/** Starts the world, the fake and the bridge; close() stops all three. */
export async function startCloudflareSandbox(
  options: CloudflareSandboxOptions,
): Promise<CloudflareSandbox> {
  const split = splitForCloudflare(options.domains, options.onCloudflare);
  const world = await startWorld({
    domains: split.world,
    ...(options.mxHosts ? { mxHosts: options.mxHosts } : {}),
    ...(options.expiredMxHosts ? { expiredMxHosts: options.expiredMxHosts } : {}),
  });

  let fake: CloudflareFake | undefined;
  try {
    fake = await startCloudflareFake({
      accountId: options.accountId,
      ...(options.validateRequest ? { validateRequest: options.validateRequest } : {}),
    });
    seedCloudflareZones(fake.account, split.cloudflare);

    world.observe.connectTo ??= {};
    const bridge = await startLiveBridge(fake, {
      ca: world.ca,
      dns: world.dns,
      baseZones: world.zones,
      connectTo: world.observe.connectTo,
    });
    const started = fake;
    return {
      world,
      fake: started,
      bridge,
      observe: world.observe,
      seeded: split.cloudflare,
      close: async () => {
        await bridge.close();
        await started.close();
        await world.close();
      },
    };
  } catch (error) {
    await fake?.close();
    await world.close();
    throw error;
  }
}
