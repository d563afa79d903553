/**
 * Workers Custom Domains route `mta-sts.<domain>` to the policy Worker; Cloudflare creates
 * the DNS record and the certificate for each. The account's list is read once per host
 * and kept up to date as domains are added and removed.
 */
import type { CloudflareSession } from "../cloudflare-client.js";

export interface CustomDomain {
  id: string;
  /** Lower case, without the trailing dot. */
  hostname: string;
  /** The Worker the host name routes to. */
  service: string;
  zoneId: string;
  zoneName: string;
}

export class CustomDomains {
  private loaded: Promise<Map<string, CustomDomain>> | null = null;

  constructor(
    private readonly session: CloudflareSession,
    private readonly accountId: string,
  ) {}

  /** Returns the account's custom domains by host name, listed with one request per host and then cached. */
  all(): Promise<Map<string, CustomDomain>> {
    if (!this.loaded) {
      this.loaded = this.fetch();
      this.loaded.catch(() => {
        this.loaded = null;
      });
    }
    return this.loaded;
  }

  /** Routes `hostname` to the Worker `service`, creating the custom domain. */
  async attach(
    hostname: string,
    service: string,
    zone: { id: string; name: string },
  ): Promise<CustomDomain> {
    const result = await this.session.client.workers.domains.update({
      account_id: this.accountId,
      hostname,
      service,
      // The API needs one of the two, but the OpenAPI description requires both, so both are sent.
      zone_id: zone.id,
      zone_name: zone.name,
    });

    const domain = toCustomDomain(result);
    (await this.all()).set(domain.hostname, domain);
    return domain;
  }

  /** Deletes the custom domain, so the host name no longer routes to any Worker. */
  async detach(domain: CustomDomain): Promise<void> {
    await this.session.client.workers.domains.delete(domain.id, { account_id: this.accountId });
    (await this.all()).delete(domain.hostname);
  }

  private async fetch(): Promise<Map<string, CustomDomain>> {
    const domains = new Map<string, CustomDomain>();
    // The API returns the list as one page, so the SDK requests no second one.
    for await (const item of this.session.client.workers.domains.list({
      account_id: this.accountId,
    })) {
      const domain = toCustomDomain(item);
      domains.set(domain.hostname, domain);
    }
    return domains;
  }
}

function toCustomDomain(item: {
  id?: string;
  hostname?: string;
  service?: string;
  zone_id?: string;
  zone_name?: string;
}): CustomDomain {
  return {
    id: item.id ?? "",
    hostname: (item.hostname ?? "").toLowerCase().replace(/\.$/, ""),
    service: item.service ?? "",
    zoneId: item.zone_id ?? "",
    zoneName: item.zone_name ?? "",
  };
}
