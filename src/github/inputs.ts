/**
 * The Action's inputs, as declared in action.yml, parsed and checked in one place.
 * The reader is passed in (`core.getInput` in the Action), so tests need no environment.
 */

import { COMMAND_NAMES, type CommandName, type Shard } from "../commands/types.js";
import { parseShard } from "../plan/shard.js";

/** Value of `plan-checksum` that reads the checksum from the merged pull request's plan comment. */
export const PLAN_CHECKSUM_FROM_PULL_REQUEST = "pull-request";

export interface ActionInputs {
  command: CommandName;
  /** Path of the main configuration file, relative to the workspace. */
  config: string;
  /** Domain names or shell-style globs; empty means the whole fleet. */
  domains: string[];
  githubToken: string;
  cloudflareApiToken: string;
  powerdnsApiKey: string;
  force: boolean;
  /** A checksum, `pull-request`, or empty for no binding. */
  planChecksum: string;
  failOn: "error" | "warning";
  shard?: Shard;
  /** Post the sticky plan comment on pull requests. */
  comment: boolean;
  /** Open (or update) an issue when `audit` fails, and close it when the audit passes again. */
  alertIssue: boolean;
}

/** Returns the raw value of an input, or "" when it is not set. */
export type InputReader = (name: (typeof INPUT_NAMES)[number]) => string;

/** Every input this module reads; action.yml declares exactly these. */
export const INPUT_NAMES = [
  "command",
  "config",
  "domains",
  "github-token",
  "cloudflare-api-token",
  "powerdns-api-key",
  "force",
  "plan-checksum",
  "fail-on",
  "shard",
  "comment",
  "alert-issue",
] as const;

/** Names of the inputs that carry secrets, to be masked before anything is logged. */
export const SECRET_INPUTS = ["github-token", "cloudflare-api-token", "powerdns-api-key"] as const;

const FAIL_ON_VALUES = ["error", "warning"] as const;

/** Reads and checks every input. Throws an error that names the input and quotes the bad value. */
export function readActionInputs(read: InputReader): ActionInputs {
  const value = (name: (typeof INPUT_NAMES)[number]): string => read(name).trim();

  const inputs: ActionInputs = {
    command: parseCommand(value("command")),
    config: value("config") || "mta-sts-gitops.yaml",
    domains: parseList(read("domains")),
    githubToken: value("github-token"),
    cloudflareApiToken: value("cloudflare-api-token"),
    powerdnsApiKey: value("powerdns-api-key"),
    force: parseBoolean("force", value("force"), false),
    planChecksum: value("plan-checksum"),
    failOn: parseFailOn(value("fail-on")),
    comment: parseBoolean("comment", value("comment"), true),
    alertIssue: parseBoolean("alert-issue", value("alert-issue"), false),
  };

  const shard = value("shard");
  if (shard) {
    try {
      inputs.shard = parseShard(shard);
    } catch (cause) {
      throw new Error(`Invalid input "shard": ${(cause as Error).message}`, { cause });
    }
  }

  return inputs;
}

function parseCommand(text: string): CommandName {
  if (!text) {
    throw new Error(
      `Input required and not supplied: command (one of ${COMMAND_NAMES.join(", ")}).`,
    );
  }
  const command = COMMAND_NAMES.find((name) => name === text);
  if (!command) {
    throw new Error(
      `Invalid input "command": "${text}" is not one of ${COMMAND_NAMES.join(", ")}.`,
    );
  }
  return command;
}

function parseFailOn(text: string): "error" | "warning" {
  if (!text) {
    return "error";
  }
  const level = FAIL_ON_VALUES.find((name) => name === text);
  if (!level) {
    throw new Error(`Invalid input "fail-on": "${text}" is not one of error, warning.`);
  }
  return level;
}

/** Booleans as YAML 1.2 spells them, like `core.getBooleanInput`; empty takes the default. */
function parseBoolean(name: string, text: string, fallback: boolean): boolean {
  if (!text) {
    return fallback;
  }
  if (["true", "True", "TRUE"].includes(text)) {
    return true;
  }
  if (["false", "False", "FALSE"].includes(text)) {
    return false;
  }
  throw new Error(`Invalid input "${name}": "${text}" is not a boolean; use true or false.`);
}

/** Splits a list written with commas, spaces or one item per line. */
function parseList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
