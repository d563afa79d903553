/**
 * Workers of the fake: create and read a Worker, create (and deploy) and list versions
 * through the JSON versions API, download the deployed modules as the multipart form
 * the real API returns, and attach, list and delete Workers custom domains.
 */
import { type FakeRequest, type FakeResponse, fail, ok, paginate, type Route } from "./respond.js";
import {
  type FakeAccount,
  type FakeCustomDomain,
  type FakeVersion,
  type FakeWorker,
  hexId,
} from "./state.js";

function workerJson(worker: FakeWorker, account: FakeAccount): Record<string, unknown> {
  return {
    id: worker.id,
    name: worker.name,
    created_on: worker.createdOn,
    updated_on: worker.updatedOn,
    deployed_on: worker.deployedOn,
    logpush: false,
    observability: { enabled: false, head_sampling_rate: 1 },
    references: {
      dispatch_namespace_outbounds: [],
      domains: account.customDomains
        .filter((domain) => domain.service === worker.name)
        .map((domain) => ({
          id: domain.id,
          hostname: domain.hostname,
          zone_id: domain.zoneId,
          zone_name: domain.zoneName,
        })),
      durable_objects: [],
      queues: [],
    },
    subdomain: { enabled: false, previews_enabled: false },
    tags: [],
    tail_consumers: [],
  };
}

function versionJson(version: FakeVersion): Record<string, unknown> {
  return {
    id: version.id,
    number: version.number,
    created_on: version.createdOn,
    urls: [],
    annotations: { "workers/triggered_by": "upload", ...version.annotations },
    main_module: version.mainModule,
    compatibility_date: version.compatibilityDate,
    source: "api",
  };
}

function domainJson(domain: FakeCustomDomain): Record<string, unknown> {
  return {
    id: domain.id,
    hostname: domain.hostname,
    service: domain.service,
    zone_id: domain.zoneId,
    zone_name: domain.zoneName,
    environment: "production",
    cert_id: domain.certId,
  };
}

function accountMismatch(request: FakeRequest, account: FakeAccount): FakeResponse | null {
  if (request.params.account_id === account.accountId) return null;
  return fail(403, { code: 10000, message: "Authentication error" });
}

function workerNotFound(): FakeResponse {
  return fail(404, { code: 10007, message: "This Worker does not exist on your account." });
}

const createWorker: Route = {
  method: "POST",
  template: "/accounts/{account_id}/workers/workers",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const name = String((request.body as { name?: unknown }).name ?? "");
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
      return fail(400, {
        code: 10016,
        message: `Worker name "${name}" is invalid: use lower-case letters, digits, - and _`,
      });
    }
    if (account.workers.has(name)) {
      return fail(409, { code: 10040, message: "A Worker with this name already exists." });
    }
    return ok(workerJson(account.addWorker(name), account));
  },
};

const getWorker: Route = {
  method: "GET",
  template: "/accounts/{account_id}/workers/workers/{worker_id}",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const worker = account.worker(request.params.worker_id ?? "");
    return worker ? ok(workerJson(worker, account)) : workerNotFound();
  },
};

interface VersionBody {
  main_module?: string;
  compatibility_date?: string;
  annotations?: Record<string, string>;
  modules?: Array<{ name: string; content_type: string; content_base64: string }>;
}

const createVersion: Route = {
  method: "POST",
  template: "/accounts/{account_id}/workers/workers/{worker_id}/versions",
  async handle(request, { account, checkModule }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const worker = account.worker(request.params.worker_id ?? "");
    if (!worker) return workerNotFound();

    const body = (request.body ?? {}) as VersionBody;
    const modules = (body.modules ?? []).map((module) => ({
      name: module.name,
      contentType: module.content_type,
      content: Buffer.from(module.content_base64, "base64"),
    }));
    const main = body.main_module ?? modules[0]?.name ?? "";
    if (!modules.some((module) => module.name === main)) {
      return fail(400, {
        code: 10021,
        message: `main_module "${main}" is not one of the uploaded modules`,
      });
    }

    const version = account.addVersion(worker, {
      mainModule: main,
      modules,
      compatibilityDate: body.compatibility_date ?? null,
      annotations: body.annotations ?? {},
    });
    const startupError = await checkModule(version.id, modules, main);
    if (startupError) {
      worker.versions.pop();
      return fail(400, { code: 10021, message: startupError });
    }

    if (request.query.get("deploy") === "true") account.deploy(worker, version);
    return ok(versionJson(version));
  },
};

const listVersions: Route = {
  method: "GET",
  template: "/accounts/{account_id}/workers/workers/{worker_id}/versions",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const worker = account.worker(request.params.worker_id ?? "");
    if (!worker) return workerNotFound();

    const newestFirst = [...worker.versions].reverse();
    const page = paginate(newestFirst, request.query, { defaultPerPage: 10, maxPerPage: 100 });
    return ok(page.result.map(versionJson), page.result_info);
  },
};

const downloadScript: Route = {
  method: "GET",
  template: "/accounts/{account_id}/workers/scripts/{script_name}",
  async handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const worker = account.worker(request.params.script_name ?? "");
    const version = worker ? account.deployedVersion(worker) : undefined;
    if (!version) return workerNotFound();

    const form = new FormData();
    for (const module of version.modules) {
      form.append(
        module.name,
        new Blob([module.content], { type: module.contentType }),
        module.name,
      );
    }
    const encoded = new Response(form);
    return {
      status: 200,
      raw: {
        contentType: encoded.headers.get("content-type") ?? "multipart/form-data",
        body: Buffer.from(await encoded.arrayBuffer()),
      },
    };
  },
};

const listDomains: Route = {
  method: "GET",
  template: "/accounts/{account_id}/workers/domains",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const query = request.query;
    const domains = account.customDomains.filter(
      (domain) =>
        (query.get("hostname") === null || domain.hostname === query.get("hostname")) &&
        (query.get("service") === null || domain.service === query.get("service")) &&
        (query.get("zone_id") === null || domain.zoneId === query.get("zone_id")) &&
        (query.get("zone_name") === null || domain.zoneName === query.get("zone_name")),
    );
    return ok(domains.map(domainJson));
  },
};

const attachDomain: Route = {
  method: "PUT",
  template: "/accounts/{account_id}/workers/domains",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const body = (request.body ?? {}) as {
      hostname?: string;
      service?: string;
      zone_id?: string;
      zone_name?: string;
    };
    const hostname = (body.hostname ?? "").toLowerCase();
    const zone = body.zone_id
      ? account.zoneById(body.zone_id)
      : account.zoneByName(body.zone_name ?? "");
    if (!zone)
      return fail(404, {
        code: 100114,
        message: `zone ${body.zone_id ?? body.zone_name ?? ""} was not found`,
      });
    if (hostname !== zone.name && !hostname.endsWith(`.${zone.name}`)) {
      return fail(400, {
        code: 100116,
        message: `hostname ${hostname} is not in zone ${zone.name}`,
      });
    }
    if (!account.worker(body.service ?? "")) return workerNotFound();

    const existing = account.customDomains.find((domain) => domain.hostname === hostname);
    if (existing) {
      existing.service = body.service ?? "";
      return { ...ok(domainJson(existing)), changedZones: [existing.zoneId] };
    }

    const domain: FakeCustomDomain = {
      id: hexId(),
      hostname,
      service: body.service ?? "",
      zoneId: zone.id,
      zoneName: zone.name,
      certId: crypto.randomUUID(),
    };
    account.customDomains.push(domain);
    return { ...ok(domainJson(domain)), changedZones: [zone.id] };
  },
};

const detachDomain: Route = {
  method: "DELETE",
  template: "/accounts/{account_id}/workers/domains/{domain_id}",
  handle(request, { account }) {
    const denied = accountMismatch(request, account);
    if (denied) return denied;

    const index = account.customDomains.findIndex(
      (domain) => domain.id === request.params.domain_id,
    );
    if (index < 0) return fail(404, { code: 100114, message: "custom domain was not found" });
    const [removed] = account.customDomains.splice(index, 1);
    return { ...ok(null), changedZones: removed ? [removed.zoneId] : [] };
  },
};

export const workerRoutes: Route[] = [
  createWorker,
  getWorker,
  createVersion,
  listVersions,
  downloadScript,
  listDomains,
  attachDomain,
  detachDomain,
];
