import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ConfigError,
  formatConfigError,
  loadProject,
  runValidate,
} from "../../src/config/index.js";
import { repoRoot } from "../support/shared.js";

const fixtures = path.join(repoRoot, "test", "fixtures", "config");

async function problemLines(project: string): Promise<string[]> {
  const result = await loadProject(path.join(fixtures, project));
  const problems: ConfigError[] = result.ok
    ? result.warnings
    : [...result.errors, ...result.warnings];
  return problems.map(formatConfigError);
}

/**
 * bad-fleet contains one file per kind of mistake, plus a config file with several, so
 * one load must report problems from every file. Each row is the exact output line.
 */
const BAD_FLEET: Array<[string, string]> = [
  [
    "reserved file name",
    'domains/_default.yaml: error: file names that start with "_" are reserved, and only domains/_defaults.yaml is read; rename this file after its domain, or move its values there',
  ],
  [
    "invalid mode with suggestion",
    'domains/bad-mode.example.yaml:3:9: error: mta_sts.mode must be one of "testing", "enforce", "none", found "enforced"; did you mean "enforce"?',
  ],
  [
    "domain declared twice, first file",
    'domains/dup-domain.example.yaml:1:9: error: domain "dup-domain.example" is also declared in domains/dup/dup-domain.example.yml:2:9; keep one file per domain',
  ],
  [
    "domain declared twice, second file",
    'domains/dup/dup-domain.example.yml:2:9: error: domain "dup-domain.example" is also declared in domains/dup-domain.example.yaml:1:9; keep one file per domain',
  ],
  [
    "enforce warning from inherited max_age",
    'domains/duplicate-key.example.yaml:3:9: warning: max_age is 86400 seconds (from domains/_defaults.yaml) under mode "enforce"; RFC 8461 section 3.2 expects weeks or more, so raise it to at least 604800 (one week) once enforce is stable',
  ],
  [
    "duplicate key",
    'domains/duplicate-key.example.yaml:5:3: error: duplicate key "mode" in mta_sts: it is already set on line 3; keep one of the two',
  ],
  [
    "legacy leading-dot mx pattern",
    'domains/legacy-mx.example.yaml:6:7: error: mx pattern ".legacy-mx.example" has a leading dot, which is draft-era syntax; write "*.legacy-mx.example" to match one label below "legacy-mx.example"',
  ],
  [
    "IP literal mx pattern",
    'domains/legacy-mx.example.yaml:7:7: error: mx pattern "192.0.2.25" is an IP address literal (192.0.2.25); RFC 8461 section 3.2 allows only domain names, so list the MX host name',
  ],
  [
    "fractional max_age",
    "domains/max-age-fraction.example.yaml:4:12: error: mta_sts.max_age must be a whole number from 0 to 31557600, found 86400.5",
  ],
  [
    "max_age as text",
    'domains/max-age-text.example.yaml:4:12: error: mta_sts.max_age must be a whole number from 0 to 31557600, found "1w"',
  ],
  [
    "max_age above maximum",
    "domains/max-age.example.yaml:4:12: error: mta_sts.max_age must be a whole number from 0 to 31557600, found 31557601",
  ],
  [
    "missing domain key",
    'domains/missing-domain.example.yaml:1:1: error: missing required key "domain" at the top level',
  ],
  [
    "mode not set anywhere",
    'domains/no-mode.example.yaml:1:1: error: mta_sts.mode is not set for "no-mode.example" in this file or in domains/_defaults.yaml; set it to "testing", "enforce" or "none"',
  ],
  [
    "enforce without mx",
    'domains/no-mx.example.yaml:3:9: error: mta_sts.mode is "enforce" but no mx patterns are set; RFC 8461 section 3.2 requires at least one mx unless the mode is "none", so add mx or mx_presets',
  ],
  [
    "enforce warning without mx",
    'domains/no-mx.example.yaml:3:9: warning: max_age is 86400 seconds (from domains/_defaults.yaml) under mode "enforce"; RFC 8461 section 3.2 expects weeks or more, so raise it to at least 604800 (one week) once enforce is stable',
  ],
  [
    "override without enforce",
    'domains/override.example.yaml:6:3: warning: promotion.enforce_override has no effect while mta_sts.mode is "testing"; remove it or set the mode to "enforce"',
  ],
  [
    "enforce warning from own max_age",
    'domains/own-short-max-age.example.yaml:5:12: warning: max_age is 3600 seconds under mode "enforce"; RFC 8461 section 3.2 expects weeks or more, so raise it to at least 604800 (one week) once enforce is stable',
  ],
  [
    "rua without scheme",
    'domains/rua.example.yaml:6:7: error: rua has no URI scheme: "tlsrpt@rua.example"; RFC 8460 section 3 needs a mailto: or https: URI, such as "mailto:tlsrpt@rua.example"',
  ],
  [
    "rua with http scheme",
    'domains/rua.example.yaml:7:7: error: rua "http://reports.rua.example/tlsrpt" uses the unsupported scheme "http:"; RFC 8460 section 3 defines mailto: and https: only; use "https:"',
  ],
  [
    "enforce warning from defaults",
    'domains/short-max-age.example.yaml:3:9: warning: max_age is 86400 seconds (from domains/_defaults.yaml) under mode "enforce"; RFC 8461 section 3.2 expects weeks or more, so raise it to at least 604800 (one week) once enforce is stable',
  ],
  [
    "tls_rpt of the wrong type",
    'domains/tls-rpt-shape.example.yaml:4:10: error: tls_rpt must be a mapping or null, found "mailto:tlsrpt@tls-rpt-shape.example"',
  ],
  [
    "domain with trailing dot",
    'domains/trailing-dot.example.yaml:1:9: error: domain "trailing-dot.example." ends with a dot; write "trailing-dot.example" without it',
  ],
  [
    "unknown top-level key",
    'domains/unknown-key.example.yaml:2:1: error: unknown key "polcy_host" at the top level; allowed keys: domain, state, mta_sts, tls_rpt, dns, policy_host, promotion; did you mean "policy_host"?',
  ],
  [
    "unknown nested key",
    'domains/unknown-key.example.yaml:5:3: error: unknown key "mx_preset" in mta_sts; allowed keys: mode, mx, mx_presets, max_age; did you mean "mx_presets"?',
  ],
  [
    "unknown mx preset",
    'domains/unknown-preset.example.yaml:4:16: error: mta_sts.mx_presets[0] must be one of "google-workspace", "microsoft-365", "zoho", "zoho-eu", "fastmail", "proton", found "gsuite"',
  ],
  [
    "unconfigured dns provider",
    'domains/unknown-provider.example.yaml:4:6: error: DNS provider "cloudflre" is not configured; dns_providers in mta-sts-gitops.yaml has: "cloudflare", "powerdns", "legacy"; did you mean "cloudflare"?',
  ],
  [
    "unconfigured policy host",
    'domains/unknown-provider.example.yaml:5:14: error: policy host "static-files" is not configured; policy_hosts in mta-sts-gitops.yaml has: "worker"',
  ],
  [
    "upper-case domain",
    'domains/upper-case.example.yaml:1:9: error: domain "Upper-Case.example" contains upper-case letters; write "upper-case.example" in the domain key and the file name',
  ],
  [
    "file name mismatch",
    'domains/wrong-name.example.yaml:1:9: error: domain "right-name.example" does not match the file name "wrong-name.example.yaml"; rename the file to "right-name.example.yaml" or correct the domain key',
  ],
  [
    "U-label domain",
    'domains/xn--bcher-kva.example.yaml:1:9: error: domain "bücher.example" contains non-ASCII characters; write the A-label form "xn--bcher-kva.example" in the domain key and the file name',
  ],
  [
    "unknown provider key",
    'mta-sts-gitops.yaml:5:5: error: unknown key "api_token" in dns_providers.cloudflare; allowed keys: type, api_token_env, account_id, api_url; did you mean "api_token_env"?',
  ],
  [
    "secret-looking env name",
    "mta-sts-gitops.yaml:9:18: error: dns_providers.powerdns.api_key_env must be the name of an environment variable: upper-case letters, digits and _, such as CLOUDFLARE_API_TOKEN, not the secret itself; the value is not shown because it may be a secret",
  ],
  [
    "unknown provider type",
    'mta-sts-gitops.yaml:11:11: error: dns_providers.legacy.type must be one of "cloudflare", "powerdns", "octodns", found "route53"',
  ],
  [
    "resolver host name",
    'mta-sts-gitops.yaml:17:29: error: observe.resolvers[1] must be an IP address with an optional port, such as "1.1.1.1:53" or "[2606:4700:4700::1111]:53", found "dns.google"',
  ],
  [
    "timeout below minimum",
    "mta-sts-gitops.yaml:18:19: error: observe.dns_timeout_ms must be a whole number from 100 to 60000, found 50",
  ],
  [
    "connect_to key without port",
    'mta-sts-gitops.yaml:20:5: error: observe.connect_to key "mta-sts.example.com" must be "host:port", such as "mta-sts.example.com:443"',
  ],
  [
    "unknown result type",
    'mta-sts-gitops.yaml:22:51: error: promotion.blocking_result_types[1] must be one of "starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid", found "certificate-expird"; did you mean "certificate-expired"?',
  ],
  [
    "share above one",
    "mta-sts-gitops.yaml:24:21: error: safety.max_change_share must be a number from 0 to 1, found 1.5",
  ],
  [
    "interval above timeout",
    "mta-sts-gitops.yaml:26:28: error: safety.verify_interval_seconds (120) is longer than safety.verify_timeout_seconds (60), so apply would fetch the policy only once; lower the interval or raise the timeout",
  ],
  [
    "duplicate top-level key",
    'mta-sts-gitops.yaml:27:1: error: duplicate key "version" at the top level: it is already set on line 1; keep one of the two',
  ],
];

describe("loadProject on bad-fleet", () => {
  it.each(BAD_FLEET)("reports %s", async (_name, line) => {
    expect(await problemLines("bad-fleet")).toContain(line);
  });

  it("reports nothing else", async () => {
    const lines = await problemLines("bad-fleet");
    expect([...lines].sort()).toEqual(BAD_FLEET.map(([, line]) => line).sort());
  });

  it("returns no project", async () => {
    const result = await loadProject(path.join(fixtures, "bad-fleet"));
    expect(result.ok).toBe(false);
  });

  it("never prints the value of a secret key", async () => {
    const lines = await problemLines("bad-fleet");
    expect(lines.join("\n")).not.toContain("pdns-Secret-Value-123");
  });
});

describe("loadProject on syntax errors", () => {
  it.each([
    [
      "invalid flow sequence",
      "domains/broken.example.yaml:5:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    [
      "two documents",
      'domains/two-documents.example.yaml:2:1: error: the file contains 2 YAML documents; keep one document per file and remove the "---" separator',
    ],
    [
      "other files still checked",
      'domains/typo.example.yaml:6:1: error: unknown key "tls-rpt" at the top level; allowed keys: domain, state, mta_sts, tls_rpt, dns, policy_host, promotion; did you mean "tls_rpt"?',
    ],
  ])("reports %s", async (_name, line) => {
    expect(await problemLines("syntax")).toContain(line);
  });

  it("reports the config file and a domain file together", async () => {
    expect(await problemLines("config-syntax")).toEqual([
      'domains/a.example.yaml:6:1: error: unknown key "stat" at the top level; allowed keys: domain, state, mta_sts, tls_rpt, dns, policy_host, promotion; did you mean "state"?',
      "mta-sts-gitops.yaml:5:1: error: invalid YAML: All mapping items must start at the same column",
    ]);
  });
});

describe("loadProject on broken defaults", () => {
  it("skips merged checks but keeps per-file checks", async () => {
    expect(await problemLines("defaults-syntax")).toEqual([
      "domains/_defaults.yaml:3:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      'domains/a.example.yaml:4:8: error: mx pattern ".a.example" has a leading dot, which is draft-era syntax; write "*.a.example" to match one label below "a.example"',
    ]);
  });
});

describe("loadProject on missing files", () => {
  it("reports the config file and the domains folder", async () => {
    expect(await problemLines("missing")).toEqual([
      "domains: error: not found; create it or pass its path (see docs/configuration.md)",
      "mta-sts-gitops.yaml: error: not found; create it or pass its path (see docs/configuration.md)",
    ]);
  });

  it("reads another config path", async () => {
    const result = await loadProject(path.join(fixtures, "missing"), {
      configPath: "../layered/mta-sts-gitops.yaml",
      domainsDir: "../layered/domains",
    });
    expect(result.ok).toBe(true);
  });
});

describe("runValidate", () => {
  async function validate(root: string): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await runValidate({ root, out: (line) => lines.push(line) });
    return { code, lines };
  }

  it("accepts the example fleet", async () => {
    const { code, lines } = await validate(repoRoot);
    expect(lines).toEqual(["validate: ok, 16 domains (1 absent), 0 errors, 0 warnings"]);
    expect(code).toBe(0);
  });

  it("fails on bad-fleet", async () => {
    const { code } = await validate(path.join(fixtures, "bad-fleet"));
    expect(code).toBe(1);
  });

  it("prints every problem then a summary", async () => {
    const { lines } = await validate(path.join(fixtures, "bad-fleet"));
    expect(lines).toHaveLength(BAD_FLEET.length + 1);
    expect(lines.at(-1)).toBe("validate: failed with 35 errors in 22 files, 5 warnings");
  });

  it("prints problems in file order", async () => {
    const { lines } = await validate(path.join(fixtures, "bad-fleet"));
    const files = lines.slice(0, -1).map((line) => line.split(":")[0]!);
    expect(files).toEqual([...files].sort());
  });

  it("fails on missing files", async () => {
    const { code } = await validate(path.join(fixtures, "missing"));
    expect(code).toBe(1);
  });
});
