import { describe, expect, test } from "vitest";
import { readActionInputs } from "../../src/github/inputs.js";

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? "";
}

describe("readActionInputs", () => {
  test("defaults", () => {
    expect(readActionInputs(reader({ command: "plan" }))).toEqual({
      command: "plan",
      config: "mta-sts-gitops.yaml",
      domains: [],
      githubToken: "",
      cloudflareApiToken: "",
      powerdnsApiKey: "",
      force: false,
      planChecksum: "",
      failOn: "error",
      comment: true,
      alertIssue: false,
    });
  });

  test("every input read", () => {
    const inputs = readActionInputs(
      reader({
        command: "apply",
        config: "ops/mta-sts.yaml",
        domains: "example.org, *.example.net\nexample.com",
        "github-token": "ghs_x",
        "cloudflare-api-token": "cf",
        "powerdns-api-key": "pdns",
        force: "true",
        "plan-checksum": "pull-request",
        "fail-on": "warning",
        shard: "2/4",
        comment: "false",
        "alert-issue": "TRUE",
      }),
    );
    expect(inputs).toEqual({
      command: "apply",
      config: "ops/mta-sts.yaml",
      domains: ["example.org", "*.example.net", "example.com"],
      githubToken: "ghs_x",
      cloudflareApiToken: "cf",
      powerdnsApiKey: "pdns",
      force: true,
      planChecksum: "pull-request",
      failOn: "warning",
      shard: { index: 2, count: 4 },
      comment: false,
      alertIssue: true,
    });
  });

  test.each([
    [
      {},
      "Input required and not supplied: command (one of validate, plan, apply, audit, ingest, promote).",
    ],
    [
      { command: "deploy" },
      'Invalid input "command": "deploy" is not one of validate, plan, apply, audit, ingest, promote.',
    ],
    [
      { command: "plan", force: "yes" },
      'Invalid input "force": "yes" is not a boolean; use true or false.',
    ],
    [
      { command: "plan", "fail-on": "info" },
      'Invalid input "fail-on": "info" is not one of error, warning.',
    ],
    [
      { command: "plan", shard: "0/4" },
      'Invalid input "shard": Invalid shard "0/4": the shard index must be between 1 and 4, got 0; shards are numbered from 1.',
    ],
  ])("rejects %j", (values, message) => {
    expect(() => readActionInputs(reader(values))).toThrow(message);
  });
});
