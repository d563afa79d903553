import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FINDING_RULES } from "../../src/plan/findings.js";
import { renderFindingsReference } from "../../src/plan/findings-doc.js";
import { repoRoot } from "../support/shared.js";

describe("findings reference", () => {
  it("docs/findings.md matches the rule table", async () => {
    const committed = await readFile(path.join(repoRoot, "docs", "findings.md"), "utf8");
    expect(committed, "run `npm run docs` to regenerate docs/findings.md").toBe(
      renderFindingsReference(),
    );
  });

  it("codes are unique and kebab-case", () => {
    const codes = FINDING_RULES.map((rule) => rule.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
