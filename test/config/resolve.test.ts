import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type DomainConfig, loadProject, type Project } from "../../src/config/index.js";
import { repoRoot } from "../support/shared.js";

const root = path.join(repoRoot, "test", "fixtures", "config", "layered");

let project: Project;

beforeAll(async () => {
  const result = await loadProject(root);
  if (!result.ok) {
    throw new Error(`layered fixture failed to load: ${JSON.stringify(result.errors)}`);
  }
  project = result.project;
});

function domain(name: string): DomainConfig {
  const found = project.domains.find((entry) => entry.domain === name);
  if (found === undefined) {
    throw new Error(`domain ${name} not loaded`);
  }
  return found;
}

describe("resolved domains", () => {
  it("sorts domains by name", () => {
    expect(project.domains.map((entry) => entry.domain)).toEqual([
      "a.example",
      "b.example",
      "c.example",
      "d.example",
    ]);
  });

  it("inherits mode and presets from config defaults", () => {
    expect(domain("a.example").mtaSts).toEqual({
      mode: "testing",
      mx: ["smtp.google.com", "aspmx.l.google.com", "*.aspmx.l.google.com", "*.googlemail.com"],
      maxAge: 1_209_600,
    });
  });

  it("merges presets with mx once, lower case", () => {
    expect(domain("b.example").mtaSts.mx).toEqual([
      "mail.b.example",
      "*.mail.protection.outlook.com",
    ]);
  });

  it("prefers the domain file's dns", () => {
    expect(domain("b.example").dns).toBe("pdns");
  });

  it("takes dns from config defaults", () => {
    expect(domain("a.example").dns).toBe("main");
  });

  it("takes rua from _defaults.yaml", () => {
    expect(domain("a.example").tlsRpt).toEqual({ rua: ["mailto:tlsrpt@reports.example.net"] });
  });

  it("lets tls_rpt null hide the default", () => {
    expect(domain("c.example").tlsRpt).toBeNull();
  });

  it("keeps own mx without inherited presets", () => {
    expect(domain("d.example").mtaSts.mx).toEqual(["mx.d.example"]);
  });

  it("reads state absent", () => {
    expect(domain("d.example").state).toBe("absent");
  });

  it("defaults state to present", () => {
    expect(domain("a.example").state).toBe("present");
  });

  it("records files in subfolders", () => {
    expect(domain("c.example").file).toBe("domains/clients/c.example.yaml");
  });

  it("applies promotion overrides", () => {
    const promotion = domain("c.example").promotion;
    expect(promotion.minSessions).toBe(100);
    expect(promotion.blockingResultTypes).toEqual(["starttls-not-supported"]);
    expect(promotion.windowDays).toBe(7);
  });

  it("keeps fleet promotion settings", () => {
    expect(domain("a.example").promotion.minSessions).toBe(50);
  });

  it("reads the enforce override", () => {
    expect(domain("c.example").enforceOverride).toEqual({
      reason: "Migrated from a provider that already enforced",
      approvedBy: "@postmaster",
    });
  });
});

describe("resolved config", () => {
  it("makes provider paths absolute", () => {
    expect(project.config.dnsProviders.main).toEqual({
      type: "octodns",
      name: "main",
      directory: path.join(root, "zones"),
    });
  });

  it("applies provider defaults", () => {
    expect(project.config.dnsProviders.pdns).toEqual({
      type: "powerdns",
      name: "pdns",
      apiUrl: "http://127.0.0.1:8081",
      serverId: "localhost",
      apiKeyEnv: "PDNS_API_KEY",
    });
  });

  it("parses resolvers with default port", () => {
    expect(project.config.observe.resolvers).toEqual([
      "127.0.0.1:5353",
      "[::1]:53",
      "[::1]:5300",
      "192.0.2.53:53",
    ]);
  });

  it("keys connect_to by lower-case host and port", () => {
    expect(project.config.observe.connectTo).toEqual({
      "mta-sts.a.example:443": "127.0.0.1:8443",
      "mx.d.example:25": "[::1]:2525",
      "mx.b.example:25": ":2526",
    });
  });

  it("applies imap source defaults", () => {
    expect(project.config.reports.sources[1]).toEqual({
      type: "imap",
      host: "127.0.0.1",
      port: 1143,
      tls: false,
      userEnv: "IMAP_USER",
      passwordEnv: "IMAP_PASSWORD",
      folder: "INBOX",
      processedFolder: null,
      trustedCaFiles: [],
    });
  });

  it("applies safety defaults", () => {
    expect(project.config.safety).toEqual({
      maxChangeShare: 0.3,
      minFleetSize: 10,
      verifyTimeoutSeconds: 300,
      verifyIntervalSeconds: 10,
    });
  });

  it("resolves report folders against the root", () => {
    expect(project.config.reports.summariesDir).toBe(path.join(root, "reports", "summaries"));
  });
});

describe("example fleet", () => {
  it.each([
    ["northwind-traders.example", "enforce", 1_209_600, "cloudflare"],
    ["contoso-mail.example", "testing", 604_800, "cloudflare"],
    ["fabrikam.example", "enforce", 604_800, "powerdns"],
    ["coho-winery.example", "none", 604_800, "cloudflare"],
    ["woodgrove-bank.example", "enforce", 1_209_600, "cloudflare"],
  ])("resolves %s", async (name, mode, maxAge, dns) => {
    const result = await loadProject(repoRoot);
    const entry = result.ok
      ? result.project.domains.find((candidate) => candidate.domain === name)
      : undefined;
    expect({ mode: entry?.mtaSts.mode, maxAge: entry?.mtaSts.maxAge, dns: entry?.dns }).toEqual({
      mode,
      maxAge,
      dns,
    });
  });

  it("gives coho-winery an https rua", async () => {
    const result = await loadProject(repoRoot);
    const entry = result.ok
      ? result.project.domains.find((candidate) => candidate.domain === "coho-winery.example")
      : undefined;
    expect(entry?.tlsRpt).toEqual({ rua: ["https://tlsrpt.coho-winery.example/v1/report"] });
  });
});
