/**
 * IMAP source: reads every message in one folder and, once the run's results are on
 * disk, moves the handled messages to a folder of their own. Messages are never deleted.
 */

import { ImapFlow } from "imapflow";
import type { IngestLimits } from "../limits.js";
import type { OpenedSource, ReportSource, SourceItem } from "./types.js";

type ImapSource = Extract<ReportSource, { type: "imap" }>;

/** Bound for a single IMAP command and for an idle socket, so a stuck server cannot hang a run. */
const SOCKET_TIMEOUT_MS = 120_000;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function describe(source: ImapSource): string {
  return `imap://${source.user}@${source.host}:${source.port}/${source.folder}`;
}

/** Runs `action`, turning an IMAP failure into an error that names the server and the step. */
async function step<T>(source: ImapSource, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const detail = (error as { responseText?: string }).responseText ?? (error as Error).message;
    throw new Error(
      `IMAP ${what} on ${source.host}:${source.port} as ${source.user} failed: ${detail}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Connects, logs in and selects the source folder. With `secure: false` the client must
 * upgrade with STARTTLS unless the server is on loopback, so the password never crosses
 * a network in cleartext.
 */
export async function openImapSource(
  source: ImapSource,
  limits: IngestLimits,
): Promise<OpenedSource> {
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    servername: source.servername,
    doSTARTTLS: source.secure ? undefined : !isLoopback(source.host),
    auth: { user: source.user, pass: source.password },
    tls: source.ca === undefined ? undefined : { ca: source.ca },
    logger: false,
    disableAutoIdle: true,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // A server that announces a message larger than our limit is not fetched, so a
    // literal twice that size can only come from a broken server.
    maxLiteralSize: limits.maxMessageBytes * 2,
  });
  // Without a listener an 'error' event (for example a dropped socket) would crash the process.
  client.on("error", () => undefined);

  await step(source, "login", () => client.connect());
  const lock = await step(source, `select ${source.folder}`, () =>
    client.getMailboxLock(source.folder),
  );
  const base = describe(source);

  async function* items(): AsyncIterable<SourceItem> {
    const mailbox = client.mailbox;
    if (mailbox === false || mailbox.exists === 0) {
      return;
    }

    const messages: { uid: number; size: number }[] = [];
    await step(source, "fetch of message sizes", async () => {
      for await (const message of client.fetch("1:*", { uid: true, size: true })) {
        messages.push({ uid: message.uid, size: message.size ?? 0 });
      }
    });
    messages.sort((left, right) => left.uid - right.uid);

    for (const { uid, size } of messages) {
      const origin = `${base}/${uid}`;
      if (size > limits.maxMessageBytes) {
        yield { origin, fileName: null, bytes: null, size };
        continue;
      }
      const message = await step(source, `fetch of UID ${uid}`, () =>
        client.fetchOne(String(uid), { source: true }, { uid: true }),
      );
      const bytes = message === false ? null : (message.source ?? null);
      yield { origin, fileName: null, bytes, size: bytes?.length ?? size };
    }
  }

  async function finish(handled: string[]): Promise<void> {
    const uids = handled.map((origin) => origin.slice(base.length + 1));
    if (uids.length === 0) {
      return;
    }

    const folders = await step(source, "list", () => client.list());
    if (!folders.some((folder) => folder.path === source.processedFolder)) {
      await step(source, `create ${source.processedFolder}`, () =>
        client.mailboxCreate(source.processedFolder),
      );
    }
    await step(source, `move to ${source.processedFolder}`, () =>
      client.messageMove(uids.join(","), source.processedFolder, { uid: true }),
    );
  }

  async function close(): Promise<void> {
    lock.release();
    try {
      await client.logout();
    } catch {
      client.close();
    }
  }

  return { items, finish, close };
}
