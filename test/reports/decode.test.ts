/** Decoding: content sniffing, gzip, JSON checks, the MIME reader and mbox splitting. */

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { extractEmailReports } from "../../src/reports/decode/email.js";
import { gunzipBounded } from "../../src/reports/decode/gzip.js";
import { parseReportJson } from "../../src/reports/decode/json.js";
import { splitMbox } from "../../src/reports/decode/mbox.js";
import { decodeLeafBody, parseMimeMessage } from "../../src/reports/decode/mime.js";
import { parseParameterizedValue, readHeaderBlock } from "../../src/reports/decode/mime-headers.js";
import { type ContentKind, sniffContent } from "../../src/reports/decode/sniff.js";
import { DEFAULT_LIMITS } from "../../src/reports/limits.js";
import { sharedPath } from "../support/shared.js";
import { caseFixture, reportFixture } from "./helpers.js";

describe("sniffContent", () => {
  const cases: [string, Buffer, ContentKind][] = [
    ["gzip magic", gzipSync("{}"), "gzip"],
    ["JSON object", Buffer.from('{"a":1}'), "json"],
    ["JSON after BOM and white space", Buffer.from('\uFEFF \r\n\t{"a":1}'), "json"],
    ["JSON array", Buffer.from("[1]"), "json"],
    [
      "mbox",
      Buffer.from("From a@example.net Tue Apr  1 00:00:00 2025\nSubject: x\n\nbody"),
      "mbox",
    ],
    ["e-mail", Buffer.from("Subject: x\r\n\r\nbody"), "email"],
    ["e-mail header From:", Buffer.from("From: a@example.net\r\n\r\nbody"), "email"],
    ["text", Buffer.from("hello world"), "unknown"],
    ["empty", Buffer.alloc(0), "unknown"],
    ["one gzip byte", Buffer.from([0x1f]), "unknown"],
  ];
  it.each(cases)("%s", (_name, bytes, kind) => {
    expect(sniffContent(bytes)).toBe(kind);
  });
});

describe("gunzipBounded", () => {
  it("joins concatenated members", () => {
    const bytes = Buffer.concat([gzipSync('{"a":'), gzipSync("1}")]);
    expect(gunzipBounded(bytes, 1024).toString()).toBe('{"a":1}');
  });

  it("rejects output over the limit", () => {
    expect(() => gunzipBounded(gzipSync(Buffer.alloc(5000)), 4096)).toThrow(/more than 4096 bytes/);
  });
});

describe("parseReportJson", () => {
  it("removes a byte order mark with a warning", () => {
    const parsed = parseReportJson(Buffer.from('\uFEFF{"a":1}'), 32);
    expect(parsed.value).toEqual({ a: 1 });
    expect(parsed.warnings).toEqual([expect.stringMatching(/byte order mark/)]);
  });

  it("accepts the maximum depth", () => {
    const text = `${"[".repeat(32)}${"]".repeat(32)}`;
    expect(parseReportJson(Buffer.from(text), 32).warnings).toEqual([]);
  });

  it("rejects one level more", () => {
    const text = `${"[".repeat(33)}${"]".repeat(33)}`;
    expect(() => parseReportJson(Buffer.from(text), 32)).toThrow(/more than 32 levels/);
  });
});

describe("MIME headers", () => {
  it("unfolds continuation lines", () => {
    const block = readHeaderBlock(
      "Subject: Report Domain: a Report-ID:\r\n 123+a\r\nX: y\r\n\r\nbody",
      0,
    );
    expect(block.fields.get("subject")).toEqual(["Report Domain: a Report-ID: 123+a"]);
    expect(block.fields.get("x")).toEqual(["y"]);
  });

  it("accepts white space before the colon", () => {
    const block = readHeaderBlock("Subject \t: x\r\n\r\nbody", 0);
    expect(block.fields.get("subject")).toEqual(["x"]);
  });

  it("ends headers at a name with a non-ASCII character", () => {
    const text = "Subj\u00e9: x\nY: z\n";
    const block = readHeaderBlock(text, 0);
    expect(block.fields.size).toBe(0);
    expect(block.bodyStart).toBe(0);
  });

  it("ends headers at a line that is no field", () => {
    const text = "Subject: x\nnot a header line\nY: z\n";
    const block = readHeaderBlock(text, 0);
    expect([...block.fields.keys()]).toEqual(["subject"]);
    expect(text.slice(block.bodyStart)).toBe("not a header line\nY: z\n");
  });

  const parameterCases: [string, string, Record<string, string>][] = [
    [
      "trailing space then folded name",
      'application/tlsrpt+gzip; \tname="a.json.gz"',
      { name: "a.json.gz" },
    ],
    [
      "quoted semicolon",
      'multipart/report; boundary="a;b"; report-type=tlsrpt',
      { boundary: "a;b", "report-type": "tlsrpt" },
    ],
    ["upper-case type and name", 'Application/TLSRPT+GZIP; NAME="x"', { name: "x" }],
    [
      "RFC 2231 extended value",
      "attachment; filename*=utf-8''r%C3%A9port.json",
      { filename: "réport.json" },
    ],
    [
      "RFC 2231 continuations",
      'attachment; filename*0="google.com!ex"; filename*1="ample.com.json"',
      { filename: "google.com!example.com.json" },
    ],
    ["empty items", "text/plain;; ;charset=us-ascii", { charset: "us-ascii" }],
    [
      "escaped quote and semicolon inside quotes",
      'attachment; filename="a\\";b.json"; size=3',
      { filename: 'a";b.json', size: "3" },
    ],
    ["unclosed quote runs to the end", 'attachment; filename="a;b', { filename: '"a;b' }],
  ];
  it.each(parameterCases)("parameters: %s", (_name, text, params) => {
    const parsed = parseParameterizedValue(text);
    expect(Object.fromEntries(parsed.params)).toEqual(params);
  });

  it("lower-cases the media type", () => {
    expect(parseParameterizedValue(" Application/TLSRPT+GZIP ; x=y").value).toBe(
      "application/tlsrpt+gzip",
    );
  });
});

describe("MIME reader", () => {
  it("splits nested multiparts", () => {
    const message = [
      'Content-Type: multipart/mixed; boundary="outer"',
      "",
      "preamble",
      "--outer",
      'Content-Type: multipart/alternative; boundary="inner"',
      "",
      "--inner",
      "Content-Type: text/plain",
      "",
      "plain",
      "--inner--",
      "--outer",
      "Content-Type: application/tlsrpt+json",
      "",
      '{"a":1}',
      "--outer--",
      "epilogue",
    ].join("\r\n");
    const parsed = parseMimeMessage(Buffer.from(message), 8);
    expect(parsed.leaves.map((leaf) => [leaf.mediaType, leaf.body])).toEqual([
      ["text/plain", "plain"],
      ["application/tlsrpt+json", '{"a":1}'],
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it("ignores delimiter text inside a line", () => {
    const message = 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nsee --b here\n--b--\n';
    expect(parseMimeMessage(Buffer.from(message), 8).leaves.map((leaf) => leaf.body)).toEqual([
      "see --b here",
    ]);
  });

  it("reads a missing closing boundary to the end", () => {
    const message =
      'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nfirst\n--b\n\nlast part\n';
    const parsed = parseMimeMessage(Buffer.from(message), 8);
    expect(parsed.leaves.map((leaf) => leaf.body)).toEqual(["first", "last part\n"]);
    expect(parsed.warnings).toEqual([expect.stringMatching(/no closing boundary "--b--"/)]);
  });

  it("decodes base64 wrapped at 76 and on one line alike", () => {
    const bytes = Buffer.from("x".repeat(300));
    const base64 = bytes.toString("base64");
    const wrapped = base64.replace(/(.{76})/g, "$1\r\n");
    for (const body of [base64, wrapped]) {
      expect(
        decodeLeafBody({ mediaType: "a/b", fileName: null, transferEncoding: "base64", body }),
      ).toEqual(bytes);
    }
  });

  it("decodes quoted-printable soft breaks and escapes", () => {
    const body = "caf=C3=A9 attachme=\r\nnts  \r\nend";
    const decoded = decodeLeafBody({
      mediaType: "text/plain",
      fileName: null,
      transferEncoding: "quoted-printable",
      body,
    });
    expect(decoded.toString("utf8")).toBe("café attachments\r\nend");
  });
});

describe("extractEmailReports", () => {
  it("reads the report headers", async () => {
    const email = await extractEmailReports(
      await readFile(reportFixture("microsoft-folded-subject-no-zone.eml")),
      DEFAULT_LIMITS,
    );
    expect(email.headers).toEqual({
      policyDomain: "fabrikam.example",
      submitter: "microsoft.com",
      reportId: "133830000000000001+fabrikam.example",
    });
    expect(email.parts[0]?.fileName).toBe(
      "microsoft.com!fabrikam.example!1738540800!1738627199!133830000000000001.json.gz",
    );
  });

  it("reads Report-ID from its own header line", async () => {
    const email = await extractEmailReports(
      await readFile(reportFixture("rfc-example-8bit-unfolded-subject.eml")),
      DEFAULT_LIMITS,
    );
    expect(email.headers.reportId).toBe("735ff.e317+bf22029@company-y.example");
    expect(email.headers.submitter).toBe("mail.sender.example.com");
  });

  it("finds an unlabelled report by content", async () => {
    const message = [
      'Content-Type: multipart/mixed; boundary="b"',
      "TLS-Report-Domain: example.com",
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "hello",
      "--b",
      "Content-Type: application/x-unknown",
      "Content-Transfer-Encoding: base64",
      "",
      gzipSync('{"a":1}').toString("base64"),
      "--b--",
    ].join("\r\n");
    const email = await extractEmailReports(Buffer.from(message), DEFAULT_LIMITS);
    expect(email.parts).toHaveLength(1);
    expect(email.parts[0]?.warnings).toEqual([
      expect.stringMatching(/labelled application\/x-unknown/),
    ]);
  });

  /** E-mails to compare with postal-mime: the fixtures, case 26 and the shared samples. */
  async function emailFiles(): Promise<string[]> {
    const files = [caseFixture("26-report-base64-wrapped-76.eml")];
    const fixtures = await readdir(reportFixture(""));
    files.push(
      ...fixtures.filter((name) => name.endsWith(".eml")).map((name) => reportFixture(name)),
    );
    const shared = sharedPath("cases/reports");
    if (shared !== null) {
      const names = await readdir(shared);
      files.push(
        ...names.filter((name) => name.endsWith(".eml")).map((name) => path.join(shared, name)),
      );
    }
    return files;
  }

  it("finds the same report bytes as postal-mime", async () => {
    for (const file of await emailFiles()) {
      const bytes = await readFile(file);
      const ours = await extractEmailReports(bytes, DEFAULT_LIMITS);
      const theirs = await PostalMime.parse(bytes);
      const attachments = theirs.attachments.filter((attachment) =>
        attachment.mimeType.startsWith("application/"),
      );
      expect(
        ours.parts.map((part) => part.bytes),
        file,
      ).toEqual(attachments.map((attachment) => Buffer.from(attachment.content as ArrayBuffer)));
    }
  });
});

describe("splitMbox", () => {
  it("splits at From lines and unescapes >From", async () => {
    const messages = splitMbox(await readFile(reportFixture("two-reports.mbox")), 10);
    expect(messages).toHaveLength(2);
    expect(messages[0]?.toString("latin1")).toContain("\nFrom the reporting team: thank you\n");
    expect(messages[0]?.toString("latin1").startsWith("From: tlsrpt@contoso-mail.example\n")).toBe(
      true,
    );
  });

  it("rejects more messages than the limit", () => {
    const mbox = "From a Tue\nSubject: 1\n\nx\nFrom b Tue\nSubject: 2\n\ny\n";
    expect(() => splitMbox(Buffer.from(mbox), 1)).toThrow(/more than 1 messages/);
  });
});
