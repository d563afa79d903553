/**
 * A real Dovecot IMAP server (Debian `dovecot-imapd`) for one test file: IMAPS on
 * 127.0.0.1 with a certificate from the per-run test CA, one passwd-file user and Maildir
 * storage, all in a temporary folder.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

const BINARY_CANDIDATES = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"];
const START_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

/** uid/gid of "nobody" on Debian; Dovecot refuses to open mail as root. */
const NOBODY = 65534;

/** A running Dovecot. */
export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Stops Dovecot and removes its folder. */
  stop(): Promise<void>;
}

/** Returns the dovecot binary, or null when it is not installed. */
export function findDovecot(): string | null {
  return BINARY_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Returns why the IMAP tests cannot run, or null when they can. Without Dovecot the tests
 * are skipped with a printed reason, except under CI, where a missing Dovecot is a setup
 * error and this throws.
 */
export function dovecotSkipReason(): string | null {
  if (findDovecot() !== null) {
    return null;
  }
  const reason = "dovecot is not installed (apt-get install dovecot-imapd)";
  if (process.env.CI) {
    throw new Error(`IMAP tests cannot run in CI: ${reason}; .ci/run must install it`);
  }
  console.warn(`skipped: IMAP ingestion tests need a local Dovecot: ${reason}`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === "object" && address !== null ? address.port : 0),
      );
    });
  });
}

/** Waits until 127.0.0.1:`port` accepts TCP connections; the client does the TLS handshake later. */
async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const text = await readFile(log, "utf8").catch(() => "");
      throw new Error(`dovecot exited with code ${child.exitCode}:\n${text}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const text = await readFile(log, "utf8").catch(() => "");
  throw new Error(
    `dovecot did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${text}`,
  );
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

/** Looks up the name of group `gid` in /etc/group, because Dovecot settings need the name. */
async function groupName(gid: number): Promise<string> {
  const lines = (await readFile("/etc/group", "utf8")).split("\n");
  const entry = lines.map((line) => line.split(":")).find((fields) => Number(fields[2]) === gid);
  if (entry === undefined) {
    throw new Error(`group ${gid} is not in /etc/group; Dovecot cannot run as this user`);
  }
  return entry[0]!;
}

function config(
  directory: string,
  port: number,
  mailUid: number,
  mailGid: number,
  nonRootGroup: string | null,
): string {
  const lines = [
    `base_dir = ${directory}/run`,
    `state_dir = ${directory}/state`,
    `instance_name = mta-sts-gitops-test-${path.basename(directory)}`,
    `log_path = ${directory}/dovecot.log`,
    "protocols = imap",
    "listen = 127.0.0.1",
    "ssl = required",
    `ssl_cert = <${directory}/cert.pem`,
    `ssl_key = <${directory}/key.pem`,
    "ssl_min_protocol = TLSv1.2",
    "auth_mechanisms = plain",
    "disable_plaintext_auth = yes",
    `first_valid_uid = ${Math.min(mailUid, 500)}`,
    "passdb {",
    "  driver = passwd-file",
    `  args = scheme=PLAIN username_format=%u ${directory}/passwd`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = uid=${mailUid} gid=${mailGid} home=${directory}/home/%u`,
    "}",
    "mail_location = maildir:~/Maildir",
    "namespace inbox {",
    "  inbox = yes",
    "  separator = /",
    "}",
    "service imap-login {",
    "  inet_listener imap {",
    "    port = 0",
    "  }",
    "  inet_listener imaps {",
    "    address = 127.0.0.1",
    `    port = ${port}`,
    "    ssl = yes",
    "  }",
    "}",
  ];

  if (nonRootGroup !== null) {
    // Dovecot without root privileges: every service runs as the current user and group,
    // without the chroots that need root.
    const name = userInfo().username;
    lines.push(
      `default_login_user = ${name}`,
      `default_internal_user = ${name}`,
      `default_internal_group = ${nonRootGroup}`,
      "service anvil {\n  chroot =\n}",
      "service imap-login {\n  chroot =\n}",
      "service pop3-login {\n  chroot =\n}",
      "service submission-login {\n  chroot =\n}",
    );
  }
  return `${lines.join("\n")}\n`;
}

async function startOnce(binary: string, certPem: string, keyPem: string): Promise<DovecotServer> {
  const directory = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-dovecot-"));
  const root = process.getuid?.() === 0;
  const mailUid = root ? NOBODY : (process.getuid?.() ?? NOBODY);
  const mailGid = root ? NOBODY : (process.getgid?.() ?? NOBODY);
  const port = await freePort();
  const user = "tlsrpt";
  const password = randomBytes(12).toString("hex");

  // The mail and auth processes run as other users, so they need to enter the folder.
  await chmod(directory, 0o755);
  await mkdir(path.join(directory, "home", user), { recursive: true });
  if (root) {
    await chown(path.join(directory, "home"), mailUid, mailGid);
    await chown(path.join(directory, "home", user), mailUid, mailGid);
  }
  await writeFile(path.join(directory, "passwd"), `${user}:{PLAIN}${password}::::::\n`, {
    mode: 0o644,
  });
  await writeFile(path.join(directory, "cert.pem"), certPem);
  await writeFile(path.join(directory, "key.pem"), keyPem, { mode: 0o600 });
  const configFile = path.join(directory, "dovecot.conf");
  const nonRootGroup = root ? null : await groupName(mailGid);
  await writeFile(configFile, config(directory, port, mailUid, mailGid, nonRootGroup));

  const child = spawn(binary, ["-F", "-c", configFile], { stdio: "ignore" });
  const stop = async () => {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
  };

  try {
    await waitForPort(port, child, path.join(directory, "dovecot.log"));
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: "127.0.0.1", port, user, password, stop };
}

/**
 * Starts Dovecot serving `certPem` (leaf then chain) with `keyPem`. A free port found by
 * binding port 0 can be taken before Dovecot binds it, so a failed start is retried.
 */
export async function startDovecot(certPem: string, keyPem: string): Promise<DovecotServer> {
  const binary = findDovecot();
  if (binary === null) {
    throw new Error(
      "cannot start Dovecot: dovecot is not installed (apt-get install dovecot-imapd)",
    );
  }

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    try {
      return await startOnce(binary, certPem, keyPem);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`Dovecot did not start after ${START_ATTEMPTS} attempts`, { cause: lastError });
}
