/**
 * scripts/check-dist.sh, the CI step that fails when dist/ is stale. CI compares the
 * committed dist/ itself. Here the test copies the sources to a temporary project, so
 * edits to the working tree during the run cannot change them, builds dist/ there, and
 * runs the copy's check-dist.sh: a pass shows that two builds are byte-identical.
 */

import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../support/shared.js";

const run = promisify(execFile);
const BUILD_TIMEOUT_MS = 300_000;

/** What the build reads besides node_modules, which the copy links to. */
const BUILD_INPUTS = [
  "src",
  "scripts/check-dist.sh",
  "rollup.config.mjs",
  "tsconfig.json",
  "package.json",
];

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function checkDist(project: string): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await run("bash", [path.join(project, "scripts", "check-dist.sh")], {
      cwd: project,
      env: { ...process.env, GITHUB_ACTIONS: "" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("check-dist", () => {
  let project: string;

  beforeAll(async () => {
    project = mkdtempSync(path.join(tmpdir(), "mta-sts-gitops-build-"));
    for (const input of BUILD_INPUTS) {
      cpSync(path.join(repoRoot, input), path.join(project, input), { recursive: true });
    }
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"));
    await run("npx", ["rollup", "--config", "rollup.config.mjs", "--silent"], { cwd: project });
  }, BUILD_TIMEOUT_MS);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test("bundles hold no build paths", () => {
    for (const file of ["index.js", "cli.js"]) {
      const text = readFileSync(path.join(project, "dist", file), "utf8");
      expect(text.includes(project), `${file} contains ${project}`).toBe(false);
      expect(text.includes(repoRoot), `${file} contains ${repoRoot}`).toBe(false);
    }
  });

  test("cli bundle starts with shebang", () => {
    const text = readFileSync(path.join(project, "dist", "cli.js"), "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  test(
    "fresh build matches, so builds are reproducible",
    async () => {
      const result = await checkDist(project);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("dist matches a fresh build");
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    "stale bundle fails with the fix",
    async () => {
      appendFileSync(path.join(project, "dist", "index.js"), "\n// edited by hand\n");
      const result = await checkDist(project);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("index.js");
      expect(result.stderr).toContain(
        "dist is stale: it differs from a fresh build of the sources. Run 'npm run package' and commit dist/.",
      );
    },
    BUILD_TIMEOUT_MS,
  );
});
