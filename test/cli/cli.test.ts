import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";

/** Runs the CLI from source the way `npm run cli` does, and returns its exit and output. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("cli", () => {
  it("validate passes on the example fleet", () => {
    const result = cli("validate");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("valid: 16 domains, 0 warnings\n");
  });

  it("validate fails with positions on a bad fleet", () => {
    const result = cli("validate", "--root", path.join("test", "fixtures", "config", "bad-fleet"));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'domains/legacy-mx.example.yaml:6:7: error: mx pattern ".legacy-mx.example" has a leading dot',
    );
    expect(result.stdout).toContain(
      "domains/max-age.example.yaml:4:12: error: mta_sts.max_age must be a whole number from 0 to 31557600, found 31557601",
    );
    expect(result.stdout).toMatch(/\n\d+ configuration errors; nothing was observed or changed\n$/);
  });

  it("plan refuses to observe an invalid fleet", () => {
    const result = cli("plan", "--root", path.join("test", "fixtures", "config", "bad-fleet"));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("nothing was observed or changed");
  });

  it("unknown command exits 1 with usage", () => {
    const result = cli("deploy");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'mta-sts-gitops: unknown command "deploy"; expected one of validate, plan, apply, audit, ingest, promote (see --help)\n',
    );
  });

  it("bad --connect-to names the expected form", () => {
    const result = cli("plan", "--connect-to", "mta-sts.example.com:443");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("expected HOST:PORT:ADDRESS:PORT");
  });

  it("help lists every command", () => {
    const result = cli("--help");
    expect(result.status).toBe(0);
    for (const command of ["validate", "plan", "apply", "audit", "ingest", "promote"]) {
      expect(result.stdout).toContain(`  ${command} `);
    }
  });
});

describe("cli output formats", () => {
  it("validate --format json is JSON", () => {
    const result = cli("validate", "--format", "json");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, domains: 16, problems: [] });
  });

  it("config errors in json stay JSON", () => {
    const result = cli(
      "plan",
      "--format",
      "json",
      "--root",
      path.join("test", "fixtures", "config", "bad-fleet"),
    );
    expect(result.status).toBe(1);
    const output = JSON.parse(result.stdout) as { valid: boolean; problems: { file: string }[] };
    expect(output.valid).toBe(false);
    expect(output.problems.length).toBeGreaterThan(10);
  });

  it("unknown option points at help", () => {
    const result = cli("validate", "--bogus");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "mta-sts-gitops: unknown option --bogus; see --help for the options\n",
    );
  });

  it("connect-to port out of range is rejected", () => {
    const result = cli("plan", "--connect-to", "a.example:99999:127.0.0.1:443");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('invalid --connect-to "a.example:99999:127.0.0.1:443"');
  });
});
