import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { COMMAND_NAMES } from "../../src/commands/types.js";
import { INPUT_NAMES, SECRET_INPUTS } from "../../src/github/inputs.js";
import { repoRoot } from "../support/shared.js";

interface ActionMetadata {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const metadata = parse(readFileSync(path.join(repoRoot, "action.yml"), "utf8")) as ActionMetadata;

describe("action.yml", () => {
  test("runs dist/index.js on node24", () => {
    expect(metadata.runs).toEqual({ using: "node24", main: "dist/index.js" });
  });

  test("declares exactly the inputs read", () => {
    expect(Object.keys(metadata.inputs).sort()).toEqual([...INPUT_NAMES].sort());
  });

  test("inputs are kebab-case and described", () => {
    for (const [name, input] of Object.entries(metadata.inputs)) {
      expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(input.description.length, name).toBeGreaterThan(20);
    }
  });

  test("command lists every command", () => {
    for (const command of COMMAND_NAMES) {
      expect(metadata.inputs.command?.description).toContain(command);
    }
  });

  test("github-token defaults to workflow token", () => {
    // A GitHub expression, not a JavaScript template.
    const workflowToken = ["$", "{{ github.token }}"].join("");
    expect(metadata.inputs["github-token"]?.default).toBe(workflowToken);
  });

  test("other secrets have no default", () => {
    for (const name of SECRET_INPUTS.filter((secret) => secret !== "github-token")) {
      expect(metadata.inputs[name]?.default).toBe("");
    }
  });

  test.each([
    "changes",
    "plan-json",
    "plan-checksum",
    "pull-request-number",
    "exit-code",
    "plan-file",
  ])("declares output %s", (name) => {
    expect(metadata.outputs[name]?.description).toBeTruthy();
  });
});
