import { describe, expect, it } from "vitest";
import { setModeEnforce } from "../../src/promote/yaml-edit.js";

describe("setModeEnforce", () => {
  it("changes only the mode line", () => {
    const before = [
      "# yaml-language-server: $schema=../schemas/domain.schema.json",
      "# Marketing domain; see the runbook.",
      "domain: example.com",
      "mta_sts:",
      "  mode: testing # since the migration",
      "  mx_presets: [google-workspace]",
      "",
    ].join("\n");
    const after = setModeEnforce(before, "domains/example.com.yaml");
    expect(after).toBe(before.replace("mode: testing", "mode: enforce"));
  });

  it("adds the mode when it is inherited", () => {
    const before = "domain: example.com\nmta_sts:\n  mx: [mx.example.com]\n";
    expect(setModeEnforce(before, "domains/example.com.yaml")).toBe(
      "domain: example.com\nmta_sts:\n  mode: enforce\n  mx: [mx.example.com]\n",
    );
  });

  it("adds mta_sts when the file has none", () => {
    expect(setModeEnforce("domain: example.com\n", "domains/example.com.yaml")).toBe(
      "domain: example.com\nmta_sts:\n  mode: enforce\n",
    );
  });

  it("keeps quoting of the replaced value's neighbours", () => {
    const before = 'domain: example.com\nmta_sts: {mode: "testing", mx: [a.example.com]}\n';
    expect(setModeEnforce(before, "domains/example.com.yaml")).toBe(
      "domain: example.com\nmta_sts: {mode: enforce, mx: [a.example.com]}\n",
    );
  });

  it("rejects a file that does not parse", () => {
    expect(() => setModeEnforce("domain: [", "domains/bad.yaml")).toThrow(
      /^cannot edit domains\/bad.yaml: /,
    );
  });
});
