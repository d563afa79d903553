import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import { createProviders, ProviderSetupError, providersUsedBy } from "../../src/providers/index.js";
import { MemoryWorld } from "../support/memory-providers.js";
import { DAY_MS, declare, planWorld, START, seedDomain } from "./fleet.js";

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "create-providers-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function fleetConfig(): Pick<Config, "dnsProviders" | "policyHosts"> {
  return {
    dnsProviders: {
      cf: {
        type: "cloudflare",
        name: "cf",
        apiTokenEnv: "CF_TOKEN",
        accountId: null,
        apiUrl: "http://127.0.0.1:9/client/v4",
      },
      pdns: {
        type: "powerdns",
        name: "pdns",
        apiUrl: "http://127.0.0.1:8081",
        serverId: "localhost",
        apiKeyEnv: "PDNS_KEY",
      },
      zones: { type: "octodns", name: "zones", directory: path.join(directory, "zones") },
    },
    policyHosts: {
      worker: {
        type: "cloudflare-worker",
        name: "worker",
        accountId: "0123456789abcdef0123456789abcdef",
        scriptName: "mta-sts-gitops",
        apiTokenEnv: "CF_TOKEN",
        apiUrl: null,
      },
      files: { type: "static", name: "files", directory: path.join(directory, "site") },
    },
  };
}

const secrets = { byEnvName: { CF_TOKEN: "cf-token-value", PDNS_KEY: "pdns-key-value" } };
const log = () => {};

describe("createProviders", () => {
  it("builds every provider by type", () => {
    const { dnsProviders, policyHosts } = createProviders(fleetConfig(), secrets, { log });

    const dns = [...dnsProviders].map(([name, provider]) => `${name}:${provider.type}`);
    const hosts = [...policyHosts].map(([name, host]) => `${name}:${host.type}`);
    expect(dns).toEqual(["cf:cloudflare", "pdns:powerdns", "zones:octodns"]);
    expect(hosts).toEqual(["worker:cloudflare-worker", "files:static"]);
  });

  it("names every missing secret", () => {
    const build = () => createProviders(fleetConfig(), { byEnvName: { PDNS_KEY: "" } }, { log });

    expect(build).toThrow(ProviderSetupError);
    expect(build).toThrow(
      [
        "cannot set up the providers (3 problems):",
        '  - DNS provider "cf" (cloudflare) needs its secret in the environment variable CF_TOKEN, which is not set; set CF_TOKEN in the environment of the workflow step or the shell that runs apply',
        '  - DNS provider "pdns" (powerdns) needs its secret in the environment variable PDNS_KEY, which is not set; set PDNS_KEY in the environment of the workflow step or the shell that runs apply',
        '  - policy host "worker" (cloudflare-worker) needs its secret in the environment variable CF_TOKEN, which is not set; set CF_TOKEN in the environment of the workflow step or the shell that runs apply',
      ].join("\n"),
    );
  });

  it("never puts a secret in the error", () => {
    const partial = { byEnvName: { CF_TOKEN: "cf-token-value" } };
    const build = () => createProviders(fleetConfig(), partial, { log });

    expect(build).toThrow(/PDNS_KEY/);
    expect(build).not.toThrow(/cf-token-value/);
  });

  it("builds only the providers asked for", () => {
    const only = { dnsProviders: ["zones"], policyHosts: ["files"] };

    const { dnsProviders, policyHosts } = createProviders(fleetConfig(), {}, { log, only });

    expect([...dnsProviders.keys()]).toEqual(["zones"]);
    expect([...policyHosts.keys()]).toEqual(["files"]);
  });

  it("rejects an unknown name in only", () => {
    const only = { dnsProviders: ["nowhere"], policyHosts: [] };

    expect(() => createProviders(fleetConfig(), secrets, { log, only })).toThrow(
      'DNS provider "nowhere" is not configured; add it under dns_providers in the configuration file',
    );
  });
});

describe("createProviders cloudflareBaseUrl", () => {
  let server: Server;
  const paths: string[] = [];

  beforeEach(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? "");
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          success: true,
          errors: [],
          messages: [],
          result: [],
          result_info: { page: 1, per_page: 50, total_pages: 1, count: 0, total_count: 0 },
        }),
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
  });

  afterEach(async () => {
    server.close();
    await once(server, "close");
  });

  it("overrides api_url of the configuration", async () => {
    const { port } = server.address() as AddressInfo;
    const cloudflareBaseUrl = `http://127.0.0.1:${port}/client/v4`;
    const only = { dnsProviders: ["cf"], policyHosts: [] };
    const { dnsProviders } = createProviders(
      fleetConfig(),
      { byEnvName: { CF_TOKEN: "override-test-token" } },
      { log, only, cloudflareBaseUrl },
    );

    await dnsProviders
      .get("cf")!
      .readTxt("example.com")
      .catch(() => undefined);

    expect(paths[0]).toMatch(/^\/client\/v4\/zones\?/);
  });
});

describe("providersUsedBy", () => {
  it("lists the providers of changes that run", () => {
    const world = new MemoryWorld({
      start: START,
      dns: ["dns", "other-dns"],
      hosts: [{ name: "host" }, { name: "other-host" }],
    });
    const testing = declare("held.example", { dns: "other-dns", policyHost: "other-host" });
    seedDomain(world, testing, { at: Date.parse(START) - DAY_MS });
    const held = {
      ...testing,
      mtaSts: { mode: "enforce" as const, mx: ["mx.held.example"], maxAge: 604_800 },
    };
    const plan = planWorld(world, [declare("new.example"), held]);

    expect(providersUsedBy(plan)).toEqual({ dnsProviders: ["dns"], policyHosts: ["host"] });
  });
});
