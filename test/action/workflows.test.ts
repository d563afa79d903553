import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { INPUT_NAMES } from "../../src/github/inputs.js";
import { repoRoot } from "../support/shared.js";

const workflowDir = path.join(repoRoot, ".github", "workflows");

type Permissions = Record<string, string>;
interface Job {
  permissions?: Permissions;
  environment?: string;
  steps?: { uses?: string; with?: Record<string, unknown>; env?: Record<string, unknown> }[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: { group?: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

/** The minimum permissions of each job. Changing this table needs a security review. */
const EXPECTED_PERMISSIONS: Record<string, Record<string, Permissions>> = {
  "ci.yml": { check: { contents: "read" } },
  "plan.yml": { plan: { contents: "read", "pull-requests": "write" } },
  "apply.yml": { apply: { contents: "read", "pull-requests": "read" } },
  "audit.yml": { audit: { contents: "read", issues: "write" } },
  "reports.yml": {
    ingest: { contents: "write" },
    promote: { contents: "write", "pull-requests": "write" },
  },
};

function readWorkflow(name: string): { text: string; workflow: Workflow } {
  const text = readFileSync(path.join(workflowDir, name), "utf8");
  const document = parseDocument(text, { prettyErrors: true });
  expect(
    document.errors.map((error) => error.message),
    name,
  ).toEqual([]);
  return { text, workflow: document.toJS() as Workflow };
}

describe("workflow files", () => {
  test("exactly the expected workflows", () => {
    const files = readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file));
    expect(files.sort()).toEqual(Object.keys(EXPECTED_PERMISSIONS).sort());
  });

  describe.each(Object.keys(EXPECTED_PERMISSIONS))("%s", (name) => {
    test("parses with jobs", () => {
      const { workflow } = readWorkflow(name);
      expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
      expect(workflow.on).toBeTypeOf("object");
    });

    test("denies permissions by default", () => {
      expect(readWorkflow(name).workflow.permissions).toEqual({});
    });

    test("jobs have least permissions", () => {
      const { workflow } = readWorkflow(name);
      const actual = Object.fromEntries(
        Object.entries(workflow.jobs).map(([id, job]) => [id, job.permissions]),
      );
      expect(actual).toEqual(EXPECTED_PERMISSIONS[name]);
    });

    test("actions pinned to a version", () => {
      const { workflow } = readWorkflow(name);
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses === undefined || step.uses === "./") continue;
          expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/);
        }
      }
    });

    test("Action inputs exist", () => {
      const { workflow } = readWorkflow(name);
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== "./") continue;
          for (const input of Object.keys(step.with ?? {})) {
            expect(INPUT_NAMES as readonly string[]).toContain(input);
          }
        }
      }
    });
  });
});

describe("plan.yml", () => {
  const { text, workflow } = readWorkflow("plan.yml");

  test("uses no secrets", () => {
    expect(text).not.toMatch(/secrets\s*\./);
    expect(text).not.toMatch(/secrets\s*\[/);
  });

  test("runs on pull_request only", () => {
    // pull_request_target would run with a write token and secrets on fork code.
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
  });

  test("checkout keeps no credentials", () => {
    const checkout = workflow.jobs.plan?.steps?.find((step) =>
      step.uses?.startsWith("actions/checkout@"),
    );
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
  });

  test("runs the plan command", () => {
    const action = workflow.jobs.plan?.steps?.find((step) => step.uses === "./");
    expect(action?.with?.command).toBe("plan");
  });
});

describe("apply.yml", () => {
  const { workflow } = readWorkflow("apply.yml");

  test("applies never overlap", () => {
    expect(workflow.concurrency?.group).toBeTruthy();
    expect(workflow.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  test("runs in an approval environment", () => {
    expect(workflow.jobs.apply?.environment).toBe("mta-sts-production");
  });

  test("binds to the reviewed plan on push", () => {
    const action = workflow.jobs.apply?.steps?.find((step) => step.uses === "./");
    expect(String(action?.with?.["plan-checksum"])).toContain("'pull-request'");
  });

  test("runs on push to main", () => {
    expect((workflow.on.push as { branches: string[] }).branches).toEqual(["main"]);
  });
});

describe("audit.yml", () => {
  const { workflow } = readWorkflow("audit.yml");

  test("scheduled daily with alert issue", () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    const action = workflow.jobs.audit?.steps?.find((step) => step.uses === "./");
    expect(action?.with).toEqual({ command: "audit", "alert-issue": true });
  });
});

describe("reports.yml", () => {
  const { workflow } = readWorkflow("reports.yml");

  test("ingests then promotes", () => {
    const commands = Object.values(workflow.jobs).flatMap((job) =>
      (job.steps ?? []).filter((step) => step.uses === "./").map((step) => step.with?.command),
    );
    expect(commands).toEqual(["ingest", "promote"]);
  });

  test("scheduled daily", () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
  });
});
