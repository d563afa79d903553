/**
 * Hostile and broken inputs: each lands in quarantine with a reason file, and the rest of
 * the batch is still ingested.
 */

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { QuarantineCode } from "../../src/reports/quarantine.js";
import {
  buildReportEmail,
  buildReportJson,
  type SampleReportSpec,
} from "../../src/sandbox/sample-reports.js";
import { caseFixture, createWorkspace, quarantineFiles, type Workspace } from "./helpers.js";

let workspace: Workspace;

beforeEach(async () => {
  workspace = await createWorkspace();
});

afterEach(async () => {
  await workspace.cleanup();
});

const GOOD: SampleReportSpec = {
  organizationName: "Google Inc.",
  contactInfo: "smtp-tls-reporting@google.com",
  reportId: "good-1",
  day: "2025-04-01",
  policyDomain: "contoso-mail.example",
  mode: "testing",
  mx: ["mail.contoso-mail.example"],
  maxAge: 604800,
  successful: 10,
  failures: [],
};

function reportBytes(overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ ...buildReportJson(GOOD), ...overrides }));
}

function mail(attachment: Buffer, label?: string): Buffer {
  return buildReportEmail({
    attachment,
    label,
    policyDomain: GOOD.policyDomain,
    submitter: "google.com",
    reportId: "hostile",
    fileName: "report.json.gz",
    date: new Date("2025-04-02T00:00:00Z"),
  });
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

interface HostileCase {
  name: string;
  bytes: () => Buffer;
  code: QuarantineCode;
  /** Whether the input is copied into quarantine (inputs over a size limit are not). */
  copied: boolean;
}

const MIB = 1024 * 1024;

const HOSTILE: HostileCase[] = [
  {
    name: "gzip-bomb.json.gz",
    bytes: () => gzipSync(Buffer.alloc(8 * MIB, 0x20)),
    code: "decompressed-too-large",
    copied: true,
  },
  {
    name: "gzip-bomb-in-mail.eml",
    bytes: () => mail(gzipSync(Buffer.alloc(8 * MIB, 0x20))),
    code: "decompressed-too-large",
    copied: true,
  },
  {
    name: "truncated.json.gz",
    bytes: () => gzipSync(reportBytes()).subarray(0, 40),
    code: "invalid-gzip",
    copied: true,
  },
  { name: "deep.json", bytes: () => Buffer.from(nested(200)), code: "too-deep", copied: true },
  {
    name: "very-deep.json",
    bytes: () => Buffer.from(`${"[".repeat(200_000)}${"]".repeat(200_000)}`),
    code: "too-deep",
    copied: true,
  },
  {
    name: "proto-key.json",
    bytes: () => Buffer.from(`{"__proto__":{"polluted":true},${reportBytes().toString().slice(1)}`),
    code: "forbidden-key",
    copied: true,
  },
  {
    name: "constructor-key.json",
    bytes: () => reportBytes({ policies: [{ constructor: { prototype: 1 } }] }),
    code: "forbidden-key",
    copied: true,
  },
  {
    name: "proto-organization.json",
    bytes: () => reportBytes({ "organization-name": "__proto__" }),
    code: "forbidden-key",
    copied: true,
  },
  {
    name: "invalid-utf8.json",
    bytes: () =>
      Buffer.concat([
        Buffer.from('{"organization-name":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]),
    code: "invalid-utf8",
    copied: true,
  },
  {
    name: "truncated.json",
    bytes: () => reportBytes().subarray(0, 60),
    code: "invalid-json",
    copied: true,
  },
  { name: "array.json", bytes: () => Buffer.from("[1,2,3]"), code: "not-a-report", copied: true },
  {
    name: "no-date-range.json",
    bytes: () => reportBytes({ "date-range": undefined }),
    code: "not-a-report",
    copied: true,
  },
  {
    name: "bad-date.json",
    bytes: () =>
      reportBytes({ "date-range": { "start-datetime": "yesterday", "end-datetime": "today" } }),
    code: "not-a-report",
    copied: true,
  },
  {
    name: "policies-object.json",
    bytes: () => reportBytes({ policies: {} }),
    code: "not-a-report",
    copied: true,
  },
  {
    name: "negative-count.json",
    bytes: () => {
      const report = buildReportJson(GOOD) as { policies: { summary: Record<string, number> }[] };
      report.policies[0]!.summary["total-successful-session-count"] = -5;
      return Buffer.from(JSON.stringify(report));
    },
    code: "not-a-report",
    copied: true,
  },
  {
    name: "path-traversal-domain.json",
    bytes: () => {
      const report = buildReportJson({ ...GOOD, policyDomain: "../../outside" });
      return Buffer.from(JSON.stringify(report));
    },
    code: "invalid-domain",
    copied: true,
  },
  {
    name: "no-report-part.eml",
    bytes: () =>
      Buffer.from(
        "From: a@example.net\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\nJust text, no report.\r\n",
      ),
    code: "no-report-part",
    copied: true,
  },
  {
    name: "mime-bomb.eml",
    bytes: () => {
      let body = "x";
      for (let level = 20; level > 0; level -= 1) {
        body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${body}\r\n--b${level}--\r\n`;
      }
      return Buffer.from(`From: a@example.net\r\n${body}`);
    },
    code: "invalid-mime",
    copied: true,
  },
  {
    name: "garbage.bin",
    bytes: () => Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01]),
    code: "unrecognised-content",
    copied: true,
  },
  {
    name: "gzip-of-text.gz",
    bytes: () => gzipSync("plain words, no JSON"),
    code: "unrecognised-content",
    copied: true,
  },
  { name: "huge.json", bytes: () => Buffer.alloc(3 * MIB, 0x20), code: "too-large", copied: false },
];

/** Limits small enough that the cases stay fast; the gzip bomb case below uses the defaults. */
const LIMITS = { maxFileBytes: 2 * MIB, maxMessageBytes: 1 * MIB, maxDecompressedBytes: 1 * MIB };

describe("hostile inputs", () => {
  it.each(HOSTILE)("$name quarantined as $code", async (hostile) => {
    const file = path.join(workspace.root, hostile.name);
    await writeFile(file, hostile.bytes());

    const result = await workspace.ingestFiles([file], { limits: LIMITS });
    expect(result.counts).toEqual({ read: 1, new: 0, duplicate: 0, quarantined: 1 });

    const entry = result.quarantined[0]!;
    expect(entry.code).toBe(hostile.code);
    expect(entry.origin).toBe(file);
    expect(entry.path === null).toBe(!hostile.copied);

    const reason = await readFile(entry.reasonPath, "utf8");
    expect(reason).toContain(`source: ${file}\n`);
    expect(reason).toContain(`reason: ${hostile.code}\n`);
    expect(reason).toContain(`detail: ${entry.reason}\n`);
    if (entry.path !== null) {
      expect(await readFile(entry.path)).toEqual(await readFile(file));
    }
  });

  it("batch keeps going around every hostile input", async () => {
    const files: string[] = [];
    for (const hostile of HOSTILE) {
      const file = path.join(workspace.root, hostile.name);
      await writeFile(file, hostile.bytes());
      files.push(file);
    }
    const good = path.join(workspace.root, "good.json");
    await writeFile(good, reportBytes());

    const result = await workspace.ingestFiles(
      [files[0]!, good, ...files.slice(1), caseFixture("26-report-base64-wrapped-76.eml")],
      { limits: LIMITS },
    );

    expect(result.counts).toEqual({
      read: HOSTILE.length + 2,
      new: 2,
      duplicate: 0,
      quarantined: HOSTILE.length,
    });
    expect(result.quarantined.map((entry) => entry.code)).toEqual(
      HOSTILE.map((hostile) => hostile.code),
    );
    expect(
      (await workspace.typeDay("contoso-mail.example", "2025-04-01", "sts"))?.successful_sessions,
    ).toBe(10);
    expect((await workspace.typeDay("example.com", "2024-09-15", "sts"))?.failed_sessions).toBe(1);

    const names = await quarantineFiles(workspace);
    expect(names.filter((name) => name.endsWith(".reason.txt"))).toHaveLength(HOSTILE.length);
    expect([...(await workspace.snapshot()).keys()].sort()).toEqual([
      path.join("contoso-mail.example", "2025-04.json"),
      path.join("example.com", "2024-09.json"),
    ]);
  });

  it("gzip bomb stops at the default decompressed limit", async () => {
    const file = path.join(workspace.root, "bomb.gz");
    await writeFile(file, gzipSync(Buffer.alloc(80 * MIB, 0x20)));

    const result = await workspace.ingestFiles([file]);
    expect(result.quarantined[0]?.code).toBe("decompressed-too-large");
    expect(result.quarantined[0]?.reason).toMatch(/more than 67108864 bytes/);
  });

  it("bad message in an mbox spares the others", async () => {
    const good = mail(gzipSync(reportBytes())).toString("latin1").replace(/\r\n/g, "\n");
    const bad = mail(Buffer.from("not a report at all")).toString("latin1").replace(/\r\n/g, "\n");
    const mbox = `From a@example.net Tue Apr  1 00:00:00 2025\n${bad}\nFrom b@example.net Tue Apr  1 00:00:00 2025\n${good}\n`;
    const file = path.join(workspace.root, "mixed.mbox");
    await writeFile(file, mbox, "latin1");

    const result = await workspace.ingestFiles([file]);
    expect(result.counts).toEqual({ read: 2, new: 1, duplicate: 0, quarantined: 1 });
    expect(result.quarantined[0]?.origin).toBe(`${file}#1`);
    expect(result.quarantined[0]?.code).toBe("no-report-part");
  });

  it("same input quarantined twice keeps one copy", async () => {
    const file = path.join(workspace.root, "truncated.json");
    await writeFile(file, reportBytes().subarray(0, 60));

    await workspace.ingestFiles([file]);
    await workspace.ingestFiles([file]);
    expect(await quarantineFiles(workspace)).toHaveLength(2);
  });

  it("prototype stays untouched", async () => {
    const file = path.join(workspace.root, "proto.json");
    await writeFile(file, HOSTILE.find((hostile) => hostile.name === "proto-key.json")!.bytes());
    await workspace.ingestFiles([file]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
