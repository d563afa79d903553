import { describe, expect, it } from "vitest";
import { createCloudflareWorkerHost } from "../../../src/providers/hosting/cloudflare-worker.js";
import {
  POLICY_WORKER_COMPATIBILITY_DATE,
  POLICY_WORKER_MODULE,
} from "../../../src/providers/hosting/worker/policy-worker.js";
import type { PolicyHost } from "../../../src/providers/types.js";
import { captureLog, fakeSession, useCloudflareFake } from "../cloudflare/fixtures.js";

const fake = useCloudflareFake();

const CREATE_WORKER = "POST /accounts/{account_id}/workers/workers";
const CREATE_VERSION = "POST /accounts/{account_id}/workers/workers/{worker_id}/versions";
const DOWNLOAD = "GET /accounts/{account_id}/workers/scripts/{script_name}";
const LIST_DOMAINS = "GET /accounts/{account_id}/workers/domains";
const ATTACH = "PUT /accounts/{account_id}/workers/domains";
const DETACH = "DELETE /accounts/{account_id}/workers/domains/{domain_id}";

const policy = (id: string) =>
  `version: STSv1\r\nmode: testing\r\nmx: mx.${id}.example\r\nmax_age: 86400\r\n`;

/** Creates a host on a session of its own, so every test counts only the calls it makes. */
function host(scriptName: string, log = captureLog().log): PolicyHost {
  return createCloudflareWorkerHost({
    name: "policies",
    apiToken: fake().token,
    accountId: fake().accountId,
    scriptName,
    log,
    session: fakeSession(fake()),
  });
}

function addZones(...names: string[]): void {
  for (const name of names) fake().account.addZone(name);
}

async function fetchPolicy(domain: string, method = "GET"): Promise<Response> {
  const handler = await fake().handlerFor(`mta-sts.${domain}`);
  if (!handler) throw new Error(`no Worker routes mta-sts.${domain}`);
  return handler(new Request(`https://mta-sts.${domain}/.well-known/mta-sts.txt`, { method }));
}

describe("cloudflare worker host", () => {
  it("publishes and lists the policies back", async () => {
    addZones("one.example", "two.example");
    fake().clearRequests();

    await host("round-trip").publish([
      { domain: "one.example", body: policy("one") },
      { domain: "Two.Example.", body: policy("two") },
    ]);

    expect(fake().count(CREATE_WORKER)).toBe(1);
    expect(fake().count(CREATE_VERSION)).toBe(1);
    expect(fake().count(ATTACH)).toBe(2);
    const listed = await host("round-trip").list();
    expect(listed).toEqual(
      new Map([
        ["one.example", policy("one")],
        ["two.example", policy("two")],
      ]),
    );
  });

  it("uploads one module with deploy", async () => {
    addZones("upload.example");
    fake().clearRequests();

    await host("upload-shape").publish([{ domain: "upload.example", body: policy("upload") }]);

    const upload = fake().requests.find((request) => request.route === CREATE_VERSION);
    const body = upload?.body as {
      main_module: string;
      compatibility_date: string;
      modules: Array<{ name: string; content_type: string }>;
    };
    expect(upload?.query.get("deploy")).toBe("true");
    expect(body.main_module).toBe(POLICY_WORKER_MODULE);
    expect(body.compatibility_date).toBe(POLICY_WORKER_COMPATIBILITY_DATE);
    expect(body.modules.map((module) => [module.name, module.content_type])).toEqual([
      [POLICY_WORKER_MODULE, "application/javascript+module"],
    ]);
  });

  it("serves the published policy from the Worker", async () => {
    addZones("served.example");
    await host("served").publish([{ domain: "served.example", body: policy("served") }]);

    const response = await fetchPolicy("served.example");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe(policy("served"));
  });

  it("converges with no write on a second publish", async () => {
    addZones("same.example");
    const policies = [{ domain: "same.example", body: policy("same") }];
    await host("converge").publish(policies);
    fake().clearRequests();

    const again = host("converge");
    await again.list();
    await again.publish(policies);

    expect(fake().count(CREATE_VERSION)).toBe(0);
    expect(fake().count(ATTACH)).toBe(0);
    expect(fake().count(DOWNLOAD)).toBe(1);
    expect(fake().count(LIST_DOMAINS)).toBe(1);
  });

  it("adds a custom domain only once", async () => {
    addZones("once.example");
    const first = host("once");
    await first.publish([{ domain: "once.example", body: policy("v1") }]);
    fake().clearRequests();

    await first.publish([{ domain: "once.example", body: policy("v2") }]);

    expect(fake().count(CREATE_VERSION)).toBe(1);
    expect(fake().count(ATTACH)).toBe(0);
    expect(
      fake().account.customDomains.filter((domain) => domain.hostname === "mta-sts.once.example"),
    ).toHaveLength(1);
    expect(await (await fetchPolicy("once.example")).text()).toBe(policy("v2"));
  });

  it("keeps the other domains on publish", async () => {
    addZones("keep-a.example", "keep-b.example");
    await host("keep").publish([{ domain: "keep-a.example", body: policy("a") }]);

    await host("keep").publish([{ domain: "keep-b.example", body: policy("b") }]);

    expect([...(await host("keep").list()).keys()].sort()).toEqual([
      "keep-a.example",
      "keep-b.example",
    ]);
  });

  it("restores a missing custom domain", async () => {
    addZones("restore.example");
    await host("restore").publish([{ domain: "restore.example", body: policy("r") }]);
    const index = fake().account.customDomains.findIndex(
      (domain) => domain.hostname === "mta-sts.restore.example",
    );
    fake().account.customDomains.splice(index, 1);

    const again = host("restore");
    expect(await again.list()).toEqual(new Map());
    fake().clearRequests();
    await again.publish([{ domain: "restore.example", body: policy("r") }]);

    expect(fake().count(CREATE_VERSION)).toBe(0);
    expect(fake().count(ATTACH)).toBe(1);
  });

  it("withdraws a domain", async () => {
    addZones("stay.example", "leave.example");
    await host("withdraw").publish([
      { domain: "stay.example", body: policy("stay") },
      { domain: "leave.example", body: policy("leave") },
    ]);
    fake().clearRequests();

    await host("withdraw").withdraw(["leave.example"]);

    expect(fake().count(CREATE_VERSION)).toBe(1);
    expect(fake().count(DETACH)).toBe(1);
    expect([...(await host("withdraw").list()).keys()]).toEqual(["stay.example"]);
    expect(await fake().handlerFor("mta-sts.leave.example")).toBeNull();
    expect((await fetchPolicy("stay.example")).status).toBe(200);
  });

  it("withdraws nothing for an unknown domain", async () => {
    addZones("lone.example");
    await host("withdraw-none").publish([{ domain: "lone.example", body: policy("lone") }]);
    fake().clearRequests();

    await host("withdraw-none").withdraw(["never.example"]);

    expect(fake().count(CREATE_VERSION)).toBe(0);
    expect(fake().count(DETACH)).toBe(0);
  });

  it("reuses an existing Worker without a deployment", async () => {
    addZones("existing.example");
    fake().account.addWorker("existing");
    fake().clearRequests();

    await host("existing").publish([{ domain: "existing.example", body: policy("e") }]);

    expect(fake().requests.find((request) => request.route === CREATE_WORKER)?.status).toBe(409);
    expect(fake().count(CREATE_VERSION)).toBe(1);
    expect(await host("existing").list()).toEqual(new Map([["existing.example", policy("e")]]));
  });

  it("refuses to replace a foreign Worker", async () => {
    const worker = fake().account.addWorker("foreign");
    const version = fake().account.addVersion(worker, {
      mainModule: "index.js",
      modules: [
        {
          name: "index.js",
          contentType: "application/javascript+module",
          content: Buffer.from("export default {};"),
        },
      ],
      compatibilityDate: null,
      annotations: {},
    });
    fake().account.deploy(worker, version);

    await expect(host("foreign").list()).rejects.toThrow(
      /^cloudflare-worker\("policies"\): Worker foreign in account [0-9a-f]{32} was not generated by mta-sts-gitops/,
    );
  });

  it("refuses a host name another Worker serves", async () => {
    addZones("taken.example");
    fake().account.addWorker("someone-else");
    fake().account.customDomains.push({
      id: "f".repeat(32),
      hostname: "mta-sts.taken.example",
      service: "someone-else",
      zoneId: fake().account.zoneByName("taken.example")?.id ?? "",
      zoneName: "taken.example",
      certId: crypto.randomUUID(),
    });
    fake().clearRequests();

    await expect(
      host("taker").publish([{ domain: "taken.example", body: policy("t") }]),
    ).rejects.toThrow(
      'cloudflare-worker("policies"): failed to publish taken.example: mta-sts.taken.example is a custom domain of Worker someone-else',
    );
    expect(fake().count(CREATE_VERSION)).toBe(0);
  });

  it("fails before writing for a domain without zone", async () => {
    fake().clearRequests();

    await expect(
      host("no-zone").publish([{ domain: "nozone.invalid", body: policy("n") }]),
    ).rejects.toThrow(
      /no zone of Cloudflare account [0-9a-f]{32} contains mta-sts\.nozone\.invalid/,
    );
    expect(fake().count(CREATE_WORKER)).toBe(0);
    expect(fake().count(CREATE_VERSION)).toBe(0);
  });

  it.each([
    ["invalid domain", "bad domain.example", policy("x"), /invalid domain "bad domain\.example"/],
    ["empty body", "empty.example", "", /the body has 0 bytes/],
    ["oversized body", "big.example", "x".repeat(65_537), /the body has 65537 bytes/],
  ])("rejects %s", async (_case, domain, body, message) => {
    await expect(host("invalid").publish([{ domain, body }])).rejects.toThrow(message);
  });

  it("names the Worker and the API message on failure", async () => {
    addZones("broken.example");
    fake().inject({
      route: CREATE_VERSION,
      status: 400,
      errors: [{ code: 10021, message: "Uncaught SyntaxError" }],
    });

    await expect(
      host("broken").publish([{ domain: "broken.example", body: policy("b") }]),
    ).rejects.toThrow(
      'cloudflare-worker("policies"): failed to upload Worker broken with 1 policies: 10021 Uncaught SyntaxError',
    );
  });

  it("logs one line per write", async () => {
    addZones("logged.example");
    const log = captureLog();

    await host("logged", log.log).publish([{ domain: "logged.example", body: policy("l") }]);

    expect(log.lines).toEqual([
      'cloudflare-worker("policies"): upload worker=logged policies=1 published 1',
      'cloudflare-worker("policies"): create worker=logged',
      'cloudflare-worker("policies"): attach hostname=mta-sts.logged.example zone=logged.example worker=logged',
    ]);
  });
});
