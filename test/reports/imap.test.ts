/**
 * The IMAP source against a real Dovecot on 127.0.0.1 (IMAPS with a certificate from the
 * per-run test CA): mail built from the report cases is ingested and moved to the
 * processed folder.
 */

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReportSource } from "../../src/reports/sources/types.js";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";
import { buildReportEmail } from "../../src/sandbox/sample-reports.js";
import { sharedPath } from "../support/shared.js";
import { type DovecotServer, dovecotSkipReason, startDovecot } from "./dovecot.js";
import { caseFixture, createWorkspace, reportFixture, type Workspace } from "./helpers.js";

const skipReason = dovecotSkipReason();

/** The cases that are JSON or gzip files, sent as the report part of a mail. */
const WRAPPED_CASES = [
  "23-report-failure-detail-without-ips.json",
  "24-report-contact-null-empty-arrays.json",
  "25-report-datetime-without-timezone.json",
  "27-report-gzip-file.json.gz",
  "31-report-detail-sum-exceeds-summary.json",
  "33-report-empty-string-fields.json",
  "35-report-end-next-midnight.json",
];

async function wrapCase(name: string): Promise<Buffer> {
  const bytes = await readFile(caseFixture(name));
  const gzip = bytes[0] === 0x1f ? bytes : gzipSync(bytes);
  return buildReportEmail({
    attachment: gzip,
    policyDomain: "example.com",
    submitter: "reporter.example.net",
    reportId: name,
    fileName: `${name}.gz`,
    date: new Date("2025-01-01T00:00:00Z"),
  });
}

/** Mail built from the cases: whole case e-mails, wrapped case files and two unreadable mails. */
async function caseMail(): Promise<{ messages: Buffer[]; unreadable: number; duplicates: number }> {
  const messages: Buffer[] = [await readFile(caseFixture("26-report-base64-wrapped-76.eml"))];
  for (const name of WRAPPED_CASES) {
    messages.push(await wrapCase(name));
  }
  for (const name of [
    "google-lf-qp-banner.eml",
    "microsoft-folded-subject-no-zone.eml",
    "json-label-on-gzip.eml",
  ]) {
    messages.push(await readFile(reportFixture(name)));
  }
  // The same report mail twice; case 27 is also the same report as case 26.
  messages.push(await readFile(caseFixture("26-report-base64-wrapped-76.eml")));

  messages.push(Buffer.from("From: a@example.net\r\nSubject: no report\r\n\r\nJust text.\r\n"));
  messages.push(
    buildReportEmail({
      attachment: gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)),
      policyDomain: "example.com",
      submitter: "bomb.example",
      reportId: "bomb",
      fileName: "bomb.json.gz",
      date: new Date("2025-01-01T00:00:00Z"),
    }),
  );
  return { messages, unreadable: 2, duplicates: 2 };
}

describe.skipIf(skipReason !== null)("IMAP source against Dovecot", () => {
  let ca: TestCa;
  let server: DovecotServer;
  let admin: ImapFlow;
  let workspace: Workspace;
  let folderCount = 0;

  beforeAll(async () => {
    ca = await createTestCa();
    const certificate = await ca.issue(["localhost"]);
    server = await startDovecot(certificate.chainPem, certificate.keyPem);
    admin = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: true,
      servername: "localhost",
      auth: { user: server.user, pass: server.password },
      tls: { ca: ca.certPem },
      logger: false,
    });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    await admin?.logout().catch(() => admin.close());
    await server?.stop();
  });

  beforeEach(async () => {
    workspace = await createWorkspace();
  });

  afterEach(async () => {
    await workspace.cleanup();
  });

  /** Creates a new folder holding `messages`; returns its name. */
  async function folderWith(messages: Buffer[]): Promise<string> {
    folderCount += 1;
    const folder = `reports-${folderCount}`;
    await admin.mailboxCreate(folder);
    for (const message of messages) {
      await admin.append(folder, message);
    }
    return folder;
  }

  async function messageCount(folder: string): Promise<number> {
    const status = await admin.status(folder, { messages: true });
    return status === false ? 0 : (status.messages ?? 0);
  }

  function imapSource(
    folder: string,
    overrides: Partial<Extract<ReportSource, { type: "imap" }>> = {},
  ): ReportSource {
    return {
      type: "imap",
      host: server.host,
      port: server.port,
      secure: true,
      servername: "localhost",
      user: server.user,
      password: server.password,
      folder,
      processedFolder: `${folder}-processed`,
      ca: ca.certPem,
      ...overrides,
    };
  }

  it("ingests the case mail and moves it", async () => {
    const { messages, unreadable, duplicates } = await caseMail();
    const folder = await folderWith(messages);

    const result = await workspace.ingest([imapSource(folder)], {
      limits: { maxDecompressedBytes: 1024 * 1024 },
    });

    expect(result.counts).toEqual({
      read: messages.length,
      new: messages.length - unreadable - duplicates,
      duplicate: duplicates,
      quarantined: unreadable,
    });
    expect(await messageCount(folder)).toBe(0);
    expect(await messageCount(`${folder}-processed`)).toBe(messages.length);

    const expectRow = async (day: string, type: string, successful: number, failed: number) => {
      const entry = await workspace.typeDay("example.com", day, type);
      expect([entry?.successful_sessions, entry?.failed_sessions], `${day} ${type}`).toEqual([
        successful,
        failed,
      ]);
    };
    await expectRow("2024-09-15", "sts", 12, 1);
    await expectRow("2025-06-14", "sts", 0, 3);
    await expectRow("2025-01-10", "no-policy-found", 1, 0);
    await expectRow("2023-01-10", "sts", 2, 0);
    await expectRow("2024-02-22", "sts", 0, 1);
    await expectRow("2024-08-02", "sts", 0, 10);
    await expectRow("2023-01-25", "sts", 40, 1);
    expect(
      (await workspace.typeDay("fabrikam.example", "2025-02-03", "tlsa"))?.successful_sessions,
    ).toBe(9);

    expect(result.quarantined.map((entry) => entry.code).sort()).toEqual([
      "decompressed-too-large",
      "no-report-part",
    ]);
    for (const entry of result.quarantined) {
      expect(entry.origin).toMatch(
        new RegExp(`^imap://tlsrpt@127\\.0\\.0\\.1:${server.port}/${folder}/\\d+$`),
      );
      expect(await readFile(entry.reasonPath, "utf8")).toContain(`reason: ${entry.code}\n`);
    }
  });

  it("same mail again changes no file", async () => {
    const { messages } = await caseMail();
    const first = await folderWith(messages);
    await workspace.ingest([imapSource(first)], { limits: { maxDecompressedBytes: 1024 * 1024 } });
    const before = await workspace.snapshot();

    const empty = await workspace.ingest([imapSource(first)]);
    expect(empty.counts).toEqual({ read: 0, new: 0, duplicate: 0, quarantined: 0 });

    const again = await folderWith(messages);
    const second = await workspace.ingest([imapSource(again)], {
      limits: { maxDecompressedBytes: 1024 * 1024 },
    });
    expect(second.counts.new).toBe(0);
    expect(second.summaries).toEqual([]);
    expect(await workspace.snapshot()).toEqual(before);
    expect(await messageCount(again)).toBe(0);
  });

  it("message over the size limit is moved, not read", async () => {
    const folder = await folderWith([
      await readFile(caseFixture("26-report-base64-wrapped-76.eml")),
    ]);
    const result = await workspace.ingest([imapSource(folder)], {
      limits: { maxMessageBytes: 100 },
    });
    expect(result.quarantined.map((entry) => [entry.code, entry.path])).toEqual([
      ["too-large", null],
    ]);
    expect(await messageCount(`${folder}-processed`)).toBe(1);
  });

  it("wrong password fails without printing it", async () => {
    const folder = await folderWith([]);
    const wrong = "not-the-password-1234";
    const error = await workspace
      .ingest([imapSource(folder, { password: wrong })])
      .catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^IMAP login on 127\.0\.0\.1:\d+ as tlsrpt failed/);
    expect((error as Error).message).not.toContain(wrong);
  });

  it("untrusted certificate fails the login", async () => {
    const folder = await folderWith([]);
    const other = await createTestCa("unrelated CA");
    await expect(workspace.ingest([imapSource(folder, { ca: other.certPem })])).rejects.toThrow(
      /IMAP login .* failed/,
    );
  });

  it("missing source folder fails with its name", async () => {
    await expect(workspace.ingest([imapSource("no-such-folder")])).rejects.toThrow(
      /IMAP select no-such-folder on 127\.0\.0\.1:\d+ as tlsrpt failed/,
    );
  });

  const sharedReports = sharedPath("cases/reports");
  it.skipIf(sharedReports === null)("ingests the real report mail", async () => {
    const names = (await readdir(sharedReports!)).filter((name) => name.endsWith(".eml")).sort();
    const messages = await Promise.all(
      names.map((name) => readFile(path.join(sharedReports!, name))),
    );
    const folder = await folderWith(messages);

    const result = await workspace.ingest([imapSource(folder)]);
    // The RFC 8460 example report arrives twice (two sample mails carry it).
    expect(result.counts).toEqual({
      read: names.length,
      new: names.length - 1,
      duplicate: 1,
      quarantined: 0,
    });
    expect(await messageCount(`${folder}-processed`)).toBe(names.length);
    expect(
      (await workspace.typeDay("test.xmox.nl", "2023-01-10", "sts"))?.successful_sessions,
    ).toBe(2);
  });
});
