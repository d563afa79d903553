import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A real PowerDNS Authoritative Server (Debian `pdns-server` with `pdns-backend-sqlite3`)
 * started for one test file: DNS on 127.0.0.1 and the HTTP API on another loopback port.
 */
export interface PowerDnsServer {
  /** Base URL of the webserver, e.g. "http://127.0.0.1:40123". */
  apiUrl: string;
  apiKey: string;
  serverId: string;
  /** UDP and TCP port of the DNS listener on 127.0.0.1. */
  dnsPort: number;
  /** Creates a Native zone with one NS record, as an operator would before using the provider. */
  createZone(zone: string): Promise<void>;
  /** Stops the server and removes its temporary directory. */
  stop(): Promise<void>;
}

const SCHEMA_CANDIDATES = [
  "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
  "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
];

const BINARY_DIRECTORIES = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

const START_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

/** The pieces a test run needs, or the reason they are missing. */
export type PowerDnsAvailability =
  | { ok: true; binary: string; schema: string; sqlite: string }
  | { ok: false; reason: string };

/** Finds pdns_server, the sqlite3 shell and the gsqlite3 schema file shipped by Debian. */
export function findPowerDns(): PowerDnsAvailability {
  const binary = findExecutable("pdns_server");
  if (binary === null) {
    return { ok: false, reason: "pdns_server is not installed (apt-get install pdns-server)" };
  }

  const schema = SCHEMA_CANDIDATES.find((candidate) => existsSync(candidate));
  if (schema === undefined) {
    return {
      ok: false,
      reason: `no gsqlite3 schema at ${SCHEMA_CANDIDATES.join(" or ")} (apt-get install pdns-backend-sqlite3)`,
    };
  }

  const sqlite = findExecutable("sqlite3");
  if (sqlite === null) {
    return { ok: false, reason: "the sqlite3 shell is not installed (apt-get install sqlite3)" };
  }

  return { ok: true, binary, schema, sqlite };
}

/**
 * Tells a test file whether to run the PowerDNS suite. Without the server the suite is
 * skipped with a printed reason, except under CI, where a missing server is a setup
 * error and the returned reason is thrown instead.
 */
export function powerDnsSkipReason(): string | null {
  const found = findPowerDns();
  if (found.ok) {
    return null;
  }

  if (process.env.CI) {
    throw new Error(`PowerDNS tests cannot run in CI: ${found.reason}; .ci/run must install it`);
  }

  console.warn(`skipped: PowerDNS provider tests need a local PowerDNS: ${found.reason}`);
  return found.reason;
}

/** Starts pdns_server in the foreground with a fresh sqlite3 database in a temporary directory. */
export async function startPowerDns(): Promise<PowerDnsServer> {
  const found = findPowerDns();
  if (!found.ok) {
    throw new Error(`cannot start PowerDNS: ${found.reason}`);
  }

  // A free port found by binding port 0 can be taken again before pdns_server binds
  // it, so a failed start is retried with new ports.
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(found.binary, found.schema, found.sqlite);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`PowerDNS did not start after ${START_ATTEMPTS} attempts`, { cause: lastError });
}

async function startOnce(binary: string, schema: string, sqlite: string): Promise<PowerDnsServer> {
  const directory = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-pdns-"));
  const database = path.join(directory, "pdns.sqlite3");
  const apiKey = randomBytes(16).toString("hex");
  const dnsPort = await freeDnsPort();
  const webPort = await freeTcpPort();

  const schemaSql = await readFile(schema, "utf8");
  const init = spawnSync(sqlite, [database], { input: schemaSql, encoding: "utf8" });
  if (init.status !== 0) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(`sqlite3 could not load ${schema}: ${init.stderr.trim()}`);
  }

  const config = [
    "launch=gsqlite3",
    `gsqlite3-database=${database}`,
    "local-address=127.0.0.1",
    `local-port=${dnsPort}`,
    "api=yes",
    `api-key=${apiKey}`,
    "webserver=yes",
    "webserver-address=127.0.0.1",
    `webserver-port=${webPort}`,
    "webserver-allow-from=127.0.0.0/8",
    `socket-dir=${directory}`,
    // Caches off, so a DNS query right after a PATCH returns the new data.
    "cache-ttl=0",
    "negquery-cache-ttl=0",
    "query-cache-ttl=0",
    // An empty suffix turns off the security status lookup, which is a DNS query to
    // the internet, because tests send traffic to loopback only.
    "security-poll-suffix=",
    "",
  ].join("\n");
  await writeFile(path.join(directory, "pdns.conf"), config);

  const child = spawn(
    binary,
    [
      `--config-dir=${directory}`,
      "--daemon=no",
      "--guardian=no",
      "--disable-syslog",
      "--write-pid=no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));

  const apiUrl = `http://127.0.0.1:${webPort}`;
  const stop = async () => {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
  };

  try {
    await waitForApi(apiUrl, apiKey, child, output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    apiUrl,
    apiKey,
    serverId: "localhost",
    dnsPort,
    createZone: (zone) => createZone(apiUrl, apiKey, zone),
    stop,
  };
}

async function waitForApi(
  apiUrl: string,
  apiKey: string,
  child: ChildProcess,
  output: string[],
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`pdns_server exited with code ${child.exitCode}:\n${output.join("")}`);
    }

    try {
      const response = await fetch(`${apiUrl}/api/v1/servers/localhost`, {
        headers: { "X-API-Key": apiKey },
        signal: AbortSignal.timeout(1000),
      });
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }

    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the PowerDNS API did not respond within ${START_TIMEOUT_MS} ms:\n${output.join("")}`,
  );
}

async function createZone(apiUrl: string, apiKey: string, zone: string): Promise<void> {
  const name = zone.endsWith(".") ? zone : `${zone}.`;
  const response = await fetch(`${apiUrl}/api/v1/servers/localhost/zones`, {
    method: "POST",
    headers: { "X-API-Key": apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({ name, kind: "Native", nameservers: [`ns1.${name}`] }),
  });
  if (response.status !== 201) {
    throw new Error(
      `creating zone ${name} failed: HTTP ${response.status} ${await response.text()}`,
    );
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function findExecutable(name: string): string | null {
  const directories = [...(process.env.PATH ?? "").split(path.delimiter), ...BINARY_DIRECTORIES];
  for (const directory of directories) {
    if (directory === "") {
      continue;
    }
    const candidate = path.join(directory, name);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  return null;
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Returns a port that is free for both TCP and UDP on 127.0.0.1, as the DNS listener binds both. */
async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort();
    if (await udpPortFree(port)) {
      return port;
    }
  }
  throw new Error("found no port free for both TCP and UDP on 127.0.0.1");
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}
