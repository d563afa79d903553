/**
 * The command-line entry point. It is one of the two places (with action.ts) that read
 * argv and the environment; everything below takes explicit options.
 */

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCommand } from "./commands/index.js";
import {
  COMMAND_NAMES,
  type CommandName,
  type CommandOptions,
  type ObserveOverrides,
  type OutputFormat,
} from "./commands/types.js";
import { parseShard } from "./plan/shard.js";

const HELP = `Usage: mta-sts-gitops <command> [options]

Commands:
  validate   check mta-sts-gitops.yaml and domains/*.yaml, and stop
  plan       compare the declarations with live DNS and policies; exit 0 in sync,
             2 changes pending, 1 errors
  apply      execute the plan: publish policies, verify them, then write DNS
  audit      plan plus STARTTLS and certificate checks of every MX host
  ingest     read TLS-RPT reports into reports/summaries/
  promote    edit domains that passed the clean-week gate to mode enforce

Options:
  --root DIR              project folder (default: the current folder)
  --config FILE           configuration file (default: mta-sts-gitops.yaml)
  --domain NAME           only this domain; repeatable, * matches any characters
  --shard I/N             only shard I of N (1-based), for matrix jobs
  --format FORMAT         text (default), markdown or json
  --fail-on SEVERITY      exit 1 on findings of this severity or worse: error (default)
                          or warning
  --force                 apply a plan that changes more of the fleet than the safety
                          threshold allows
  --plan-checksum SHA256  apply only when the plan computed now has this checksum
  --write                 promote: save the edited domain files
  --resolver ADDR:PORT    DNS resolver instead of the configured ones; repeatable
  --connect-to H:P:A:P    connect to address A port P for host H port P, as curl's
                          --connect-to; repeatable
  --ca-file FILE          trust this PEM CA as well as the system roots; repeatable
  --allow-private-addresses  allow loopback, private and link-local addresses
  --verbose               log every step on stderr
  --help, --version

Secrets are read from the environment variables the configuration names
(api_token_env, api_key_env, user_env, password_env).
`;

class UsageError extends Error {
  override name = "UsageError";
}

function parseConnectTo(values: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+):(\[[^\]]*\]|[^:]*):(\d+)$/.exec(value);
    const ports = match ? [Number(match[2]), Number(match[4])] : [];
    if (!match || ports.some((port) => port < 1 || port > 65_535)) {
      throw new UsageError(
        `invalid --connect-to "${value}": expected HOST:PORT:ADDRESS:PORT, e.g. mta-sts.example.com:443:127.0.0.1:8443`,
      );
    }
    map[`${match[1]!.toLowerCase()}:${match[2]}`] = `${match[3]}:${match[4]}`;
  }
  return map;
}

function observeOverrides(values: {
  resolver?: string[];
  "connect-to"?: string[];
  "ca-file"?: string[];
  "allow-private-addresses"?: boolean;
}): ObserveOverrides {
  const overrides: ObserveOverrides = {};
  if (values.resolver?.length) overrides.resolvers = values.resolver;
  if (values["connect-to"]?.length) overrides.connectTo = parseConnectTo(values["connect-to"]);
  if (values["ca-file"]?.length) overrides.trustedCaFiles = values["ca-file"];
  if (values["allow-private-addresses"]) overrides.allowPrivateAddresses = true;
  return overrides;
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const OPTIONS = {
  root: { type: "string" },
  config: { type: "string" },
  domain: { type: "string", multiple: true },
  shard: { type: "string" },
  format: { type: "string" },
  "fail-on": { type: "string" },
  force: { type: "boolean" },
  "plan-checksum": { type: "string" },
  write: { type: "boolean" },
  resolver: { type: "string", multiple: true },
  "connect-to": { type: "string", multiple: true },
  "ca-file": { type: "string", multiple: true },
  "allow-private-addresses": { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** Parses argv, turning Node's parser errors into one line that points at --help. */
function parseArguments(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec((error as Error).message)?.[1] ?? "";
      throw new UsageError(`unknown option ${option}; see --help for the options`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UsageError(`${(error as Error).message.split(".")[0]}; see --help`);
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArguments(argv);

  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }

  const command = positionals[0];
  if (!command || !COMMAND_NAMES.includes(command as CommandName)) {
    throw new UsageError(
      `${command ? `unknown command "${command}"` : "no command given"}; expected one of ${COMMAND_NAMES.join(", ")} (see --help)`,
    );
  }

  const format = values.format ?? "text";
  if (!["text", "markdown", "json"].includes(format)) {
    throw new UsageError(`invalid --format "${format}": expected text, markdown or json`);
  }
  const failOn = values["fail-on"] ?? "error";
  if (failOn !== "error" && failOn !== "warning") {
    throw new UsageError(`invalid --fail-on "${failOn}": expected error or warning`);
  }

  const verbose = values.verbose === true;
  const options: CommandOptions & { write?: boolean } = {
    root: values.root ?? process.cwd(),
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.domain ? { domains: values.domain } : {}),
    ...(values.shard ? { shard: parseShard(values.shard) } : {}),
    force: values.force === true,
    ...(values["plan-checksum"] ? { planChecksum: values["plan-checksum"] } : {}),
    failOn,
    secrets: { byEnvName: environmentSecrets() },
    now: () => new Date(),
    log: (line) => {
      if (verbose) process.stderr.write(`${line}\n`);
    },
    format: format as OutputFormat,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    observe: observeOverrides(values),
    progress: { stream: process.stderr, isTTY: process.stderr.isTTY === true },
    write: values.write === true,
  };

  const outcome = await runCommand(command as CommandName, options);
  process.stdout.write(outcome.text.endsWith("\n") ? outcome.text : `${outcome.text}\n`);
  return outcome.exitCode;
}

/** Collects the environment as secrets by name; commands use only the variables the configuration names. */
function environmentSecrets(): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && /^[A-Z][A-Z0-9_]*$/.test(name)) secrets[name] = value;
  }
  return secrets;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mta-sts-gitops: ${message}\n`);
    process.exitCode = 1;
  },
);
