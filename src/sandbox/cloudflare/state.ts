/**
 * The fake Cloudflare account's data: zones, DNS records, Workers with their versions,
 * and Workers custom domains, shaped like the objects the real API returns.
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface FakeZone {
  id: string;
  name: string;
  status: "active" | "pending" | "initializing" | "moved";
  accountId: string;
  createdOn: string;
}

export interface FakeRecord {
  id: string;
  zoneId: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
  createdOn: string;
  modifiedOn: string;
}

export interface FakeModule {
  name: string;
  contentType: string;
  content: Buffer;
}

export interface FakeVersion {
  id: string;
  number: number;
  createdOn: string;
  mainModule: string;
  modules: FakeModule[];
  compatibilityDate: string | null;
  annotations: Record<string, string>;
}

export interface FakeWorker {
  id: string;
  name: string;
  createdOn: string;
  updatedOn: string;
  deployedOn: string | null;
  versions: FakeVersion[];
  /** The version that receives all traffic, or null before the first deployment. */
  deployedVersionId: string | null;
}

export interface FakeCustomDomain {
  id: string;
  hostname: string;
  service: string;
  zoneId: string;
  zoneName: string;
  certId: string;
}

/** Generates a 32-character lower-case hex id, the form of Cloudflare zone, record and domain ids. */
export function hexId(): string {
  return randomBytes(16).toString("hex");
}

export class FakeAccount {
  readonly zones: FakeZone[] = [];
  readonly records: FakeRecord[] = [];
  readonly workers = new Map<string, FakeWorker>();
  readonly customDomains: FakeCustomDomain[] = [];

  constructor(
    readonly accountId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  timestamp(): string {
    return this.now().toISOString();
  }

  addZone(
    name: string,
    status: FakeZone["status"] = "active",
    accountId = this.accountId,
  ): FakeZone {
    const zone: FakeZone = {
      id: hexId(),
      name: name.toLowerCase(),
      status,
      accountId,
      createdOn: this.timestamp(),
    };
    this.zones.push(zone);
    return zone;
  }

  zoneById(id: string): FakeZone | undefined {
    return this.zones.find((zone) => zone.id === id);
  }

  zoneByName(name: string): FakeZone | undefined {
    return this.zones.find((zone) => zone.name === name.toLowerCase());
  }

  addRecord(
    zone: FakeZone,
    fields: { name: string; type: string; content: string; ttl?: number },
  ): FakeRecord {
    const now = this.timestamp();
    const record: FakeRecord = {
      id: hexId(),
      zoneId: zone.id,
      name: fields.name.toLowerCase().replace(/\.$/, ""),
      type: fields.type,
      content: fields.content,
      ttl: fields.ttl ?? 1,
      proxied: false,
      comment: null,
      tags: [],
      createdOn: now,
      modifiedOn: now,
    };
    this.records.push(record);
    return record;
  }

  recordsOf(zone: FakeZone): FakeRecord[] {
    return this.records.filter((record) => record.zoneId === zone.id);
  }

  /** Finds a Worker by name or by id, as the API's `{worker_id}` accepts both. */
  worker(idOrName: string): FakeWorker | undefined {
    const byName = this.workers.get(idOrName);
    if (byName) return byName;
    return [...this.workers.values()].find((worker) => worker.id === idOrName);
  }

  addWorker(name: string): FakeWorker {
    const now = this.timestamp();
    const worker: FakeWorker = {
      id: hexId(),
      name,
      createdOn: now,
      updatedOn: now,
      deployedOn: null,
      versions: [],
      deployedVersionId: null,
    };
    this.workers.set(name, worker);
    return worker;
  }

  addVersion(
    worker: FakeWorker,
    fields: Omit<FakeVersion, "id" | "number" | "createdOn">,
  ): FakeVersion {
    const version: FakeVersion = {
      id: randomUUID(),
      number: worker.versions.length + 1,
      createdOn: this.timestamp(),
      ...fields,
    };
    worker.versions.push(version);
    worker.updatedOn = version.createdOn;
    return version;
  }

  deploy(worker: FakeWorker, version: FakeVersion): void {
    worker.deployedVersionId = version.id;
    worker.deployedOn = this.timestamp();
  }

  deployedVersion(worker: FakeWorker): FakeVersion | undefined {
    return worker.versions.find((version) => version.id === worker.deployedVersionId);
  }
}
