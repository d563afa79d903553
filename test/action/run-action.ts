/**
 * Runs the bundled Action (dist/index.js) the way the GitHub runner does: a child Node
 * process with INPUT_* variables, GITHUB_EVENT_PATH pointing at a payload file, and
 * fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, then reads back what it wrote.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../support/shared.js";

export const DIST_ACTION = path.join(repoRoot, "dist", "index.js");

export interface Annotation {
  level: "error" | "warning" | "notice";
  file?: string;
  line?: number;
  column?: number;
  title?: string;
  message: string;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Values passed to `::add-mask::`. */
  masked: string[];
}

export interface ActionRunOptions {
  node: string;
  /** The bundle to run; dist/index.js unless a test builds its own. */
  bundle?: string;
  /** Input names as in action.yml (kebab-case); unset inputs take action.yml's defaults. */
  inputs: Record<string, string>;
  workspace: string;
  apiUrl: string;
  repository: string;
  event: { name: string; payload: unknown };
  sha?: string;
  /** Extra environment for the step, as a workflow's `env:` sets it. */
  env?: Record<string, string>;
}

/** Defaults of action.yml, which the runner sets as INPUT_* when a workflow omits them. */
const ACTION_DEFAULTS: Record<string, string> = {
  config: "mta-sts-gitops.yaml",
  force: "false",
  "fail-on": "error",
  comment: "true",
  "alert-issue": "false",
};

/** Runs dist/index.js once and returns its exit code, outputs, summary and annotations. */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const bundle = options.bundle ?? DIST_ACTION;
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run "npm run package" to build it.`);
  }

  const runnerDir = mkdtempSync(path.join(tmpdir(), "mta-sts-gitops-runner-"));
  try {
    const eventPath = path.join(runnerDir, "event.json");
    const outputPath = path.join(runnerDir, "output");
    const summaryPath = path.join(runnerDir, "summary");
    writeFileSync(eventPath, JSON.stringify(options.event.payload));
    writeFileSync(outputPath, "");
    writeFileSync(summaryPath, "");

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: runnerDir,
      GITHUB_ACTIONS: "true",
      CI: "true",
      GITHUB_API_URL: options.apiUrl,
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_REPOSITORY: options.repository,
      GITHUB_EVENT_NAME: options.event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: options.sha ?? "0000000000000000000000000000000000000000",
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_RUN_ID: "4242",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: path.join(runnerDir, "temp"),
      ...options.env,
    };
    for (const [name, value] of Object.entries({ ...ACTION_DEFAULTS, ...options.inputs })) {
      // The runner upper-cases the name and turns spaces into underscores, keeping hyphens.
      env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
    }

    const child = await spawnNode(options.node, [bundle], options.workspace, env);
    return {
      ...child,
      outputs: parseOutputFile(readFileSync(outputPath, "utf8")),
      summary: readFileSync(summaryPath, "utf8"),
      annotations: parseAnnotations(child.stdout),
      masked: [...child.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((match) => match[1] ?? ""),
    };
  } finally {
    rmSync(runnerDir, { recursive: true, force: true });
  }
}

/**
 * Spawns asynchronously, because the fake GitHub API runs in this process and a
 * synchronous spawn would block the event loop that serves its responses.
 */
function spawnNode(
  node: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` blocks, the form @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const header = /^([^<]+)<<(.+)$/.exec(lines[i] ?? "");
    if (!header) continue;

    const [, name, delimiter] = header;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) {
      value.push(lines[i] ?? "");
    }
    outputs[name!] = value.join("\n");
  }
  return outputs;
}

/** Parses `::error file=...,line=...::message` workflow commands from the log. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const match of stdout.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)) {
    const annotation: Annotation = {
      level: match[1] as Annotation["level"],
      message: unescapeData(match[3] ?? ""),
    };
    for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
      const [key, raw = ""] = pair.split("=");
      const value = unescapeProperty(raw);
      if (key === "file") annotation.file = value;
      if (key === "line") annotation.line = Number(value);
      if (key === "col") annotation.column = Number(value);
      if (key === "title") annotation.title = value;
    }
    annotations.push(annotation);
  }
  return annotations;
}

const ESCAPES: Record<string, string> = {
  "%0D": "\r",
  "%0A": "\n",
  "%25": "%",
  "%3A": ":",
  "%2C": ",",
};

/** Reverses @actions/core's escaping in one pass, so "%253A" stays the literal "%3A". */
function unescapeData(text: string): string {
  return text.replace(/%(0D|0A|25)/g, (sequence) => ESCAPES[sequence] ?? sequence);
}

function unescapeProperty(text: string): string {
  return text.replace(/%(0D|0A|25|3A|2C)/g, (sequence) => ESCAPES[sequence] ?? sequence);
}
