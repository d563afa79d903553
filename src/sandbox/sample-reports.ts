/**
 * Synthetic TLS-RPT reports (RFC 8460) for the demo fleet, the benchmark and tests: report
 * JSON, gzip files and report e-mails shaped like the ones Google and Microsoft send.
 */

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** One failure-details entry of a generated report. */
export interface SampleFailure {
  resultType: string;
  receivingMxHostname: string;
  receivingIp?: string;
  sendingMtaIp?: string;
  failedSessionCount: number;
  failureReasonCode?: string;
}

/** Content of a generated report. */
export interface SampleReportSpec {
  organizationName: string;
  contactInfo: string;
  reportId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  policyDomain: string;
  mode: "testing" | "enforce";
  mx: string[];
  maxAge: number;
  successful: number;
  failures: SampleFailure[];
}

/** Builds the RFC 8460 section 4.4 JSON object of a report covering one whole UTC day. */
export function buildReportJson(spec: SampleReportSpec): Record<string, unknown> {
  const failed = spec.failures.reduce((sum, failure) => sum + failure.failedSessionCount, 0);
  const entry: Record<string, unknown> = {
    policy: {
      "policy-type": "sts",
      "policy-string": [
        "version: STSv1",
        `mode: ${spec.mode}`,
        ...spec.mx.map((pattern) => `mx: ${pattern}`),
        `max_age: ${spec.maxAge}`,
      ],
      "policy-domain": spec.policyDomain,
      "mx-host": spec.mx,
    },
    summary: {
      "total-successful-session-count": spec.successful,
      "total-failure-session-count": failed,
    },
  };
  if (spec.failures.length > 0) {
    entry["failure-details"] = spec.failures.map((failure) => ({
      "result-type": failure.resultType,
      ...(failure.sendingMtaIp === undefined ? {} : { "sending-mta-ip": failure.sendingMtaIp }),
      ...(failure.receivingIp === undefined ? {} : { "receiving-ip": failure.receivingIp }),
      "receiving-mx-hostname": failure.receivingMxHostname,
      "failed-session-count": failure.failedSessionCount,
      ...(failure.failureReasonCode === undefined
        ? {}
        : { "failure-reason-code": failure.failureReasonCode }),
    }));
  }

  return {
    "organization-name": spec.organizationName,
    "date-range": {
      "start-datetime": `${spec.day}T00:00:00Z`,
      "end-datetime": `${spec.day}T23:59:59Z`,
    },
    "contact-info": spec.contactInfo,
    "report-id": spec.reportId,
    policies: [entry],
  };
}

/** Options for a report e-mail. */
export interface ReportEmailOptions {
  /** The report part's bytes as they go into the message (gzip or JSON). */
  attachment: Uint8Array;
  /** Content-Type label of the report part; defaults to the label matching the bytes. */
  label?: string;
  policyDomain: string;
  submitter: string;
  reportId: string;
  fileName: string;
  date: Date;
  /** Length of the base64 lines; RFC 2045 section 6.8 allows at most 76. */
  lineLength?: number;
  /** Leave out the closing boundary, as some senders do. */
  omitClosingBoundary?: boolean;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += width) {
    lines.push(text.slice(index, index + width));
  }
  return lines.join("\r\n");
}

/** Builds an RFC 8460 section 5.3 report e-mail (multipart/report, CRLF line ends). */
export function buildReportEmail(options: ReportEmailOptions): Buffer {
  const gzip = options.attachment[0] === 0x1f && options.attachment[1] === 0x8b;
  const label = options.label ?? (gzip ? "application/tlsrpt+gzip" : "application/tlsrpt+json");
  const boundary = `report-${options.reportId.replace(/[^A-Za-z0-9]/g, "")}`;
  const body = wrap(Buffer.from(options.attachment).toString("base64"), options.lineLength ?? 76);

  const lines = [
    `From: noreply-smtp-tls-reporting@${options.submitter}`,
    "To: tlsrpt@reports.example",
    `Date: ${options.date.toUTCString().replace("GMT", "+0000")}`,
    `Subject: Report Domain: ${options.policyDomain} Submitter: ${options.submitter} Report-ID: <${options.reportId}@${options.submitter}>`,
    `TLS-Report-Domain: ${options.policyDomain}`,
    `TLS-Report-Submitter: ${options.submitter}`,
    `Message-ID: <${boundary}@${options.submitter}>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type="tlsrpt"; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    'Content-Type: text/plain; charset="us-ascii"',
    "",
    `This is an aggregate TLS report from ${options.submitter}`,
    "",
    `--${boundary}`,
    `Content-Type: ${label}; name="${options.fileName}"`,
    `Content-Disposition: attachment; filename="${options.fileName}"`,
    "Content-Transfer-Encoding: base64",
    "",
    body,
    "",
    ...(options.omitClosingBoundary === true ? [] : [`--${boundary}--`, ""]),
  ];
  return Buffer.from(lines.join("\r\n"), "latin1");
}

/** RFC 8460 section 5.1 file name: sender!policy-domain!begin!end!unique-id.json[.gz]. */
export function reportFileName(submitter: string, spec: SampleReportSpec, gzip: boolean): string {
  const begin = Date.parse(`${spec.day}T00:00:00Z`) / 1000;
  const end = begin + 86_399;
  return `${submitter}!${spec.policyDomain}!${begin}!${end}!001.json${gzip ? ".gz" : ""}`;
}

const DAY_MS = 86_400_000;

function dayBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/** Writes one report as the given kind of input and returns its path. */
async function writeSample(
  dir: string,
  spec: SampleReportSpec,
  submitter: string,
  kind: "gzip" | "email" | "json",
): Promise<string> {
  const json = Buffer.from(JSON.stringify(buildReportJson(spec)));
  if (kind === "json") {
    const file = path.join(dir, `${submitter}-${spec.policyDomain}-${spec.day}.json`);
    await writeFile(file, `${JSON.stringify(buildReportJson(spec), null, 2)}\n`);
    return file;
  }
  if (kind === "gzip") {
    const file = path.join(dir, reportFileName(submitter, spec, true));
    await writeFile(file, gzipSync(json));
    return file;
  }

  const file = path.join(dir, `${submitter}-${spec.policyDomain}-${spec.day}.eml`);
  const email = buildReportEmail({
    attachment: gzipSync(json),
    policyDomain: spec.policyDomain,
    submitter,
    reportId: spec.reportId,
    fileName: reportFileName(submitter, spec, true),
    date: new Date(Date.parse(`${spec.day}T00:00:00Z`) + DAY_MS + 3_600_000),
  });
  await writeFile(file, email);
  return file;
}

/**
 * Writes a handful of reports for `domains` into `dir` and returns their paths. Each
 * domain gets a Google gzip file for each of the two UTC days before `now` and a
 * Microsoft e-mail for the day before. The first domain also gets a plain JSON report
 * from a small MTA and a Google report from the week before, so the digest can compare
 * weeks. The second domain has one failing day, two days ago: an expired certificate on
 * its MX. The policies are in testing mode with the mx pattern "mail.<domain>".
 */
export async function writeSampleReports(
  dir: string,
  domains: string[],
  now: Date,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];

  for (const [domainIndex, domain] of domains.entries()) {
    const mx = `mail.${domain}`;
    const base = { policyDomain: domain, mode: "testing" as const, mx: [mx], maxAge: 604_800 };
    const googleDays = domainIndex === 0 ? [8, 2, 1] : [2, 1];

    for (const daysAgo of googleDays) {
      const day = dayBefore(now, daysAgo);
      const failing = domainIndex === 1 && daysAgo === 2;
      const google: SampleReportSpec = {
        ...base,
        day,
        organizationName: "Google Inc.",
        contactInfo: "smtp-tls-reporting@google.com",
        reportId: `${day}T00:00:00Z_${domain}`,
        successful: 40 + domainIndex * 7 + daysAgo,
        failures: failing
          ? [
              {
                resultType: "certificate-expired",
                receivingMxHostname: mx,
                receivingIp: "192.0.2.25",
                sendingMtaIp: "198.51.100.7",
                failedSessionCount: 6,
              },
            ]
          : [],
      };
      written.push(await writeSample(dir, google, "google.com", "gzip"));
    }

    const yesterday = dayBefore(now, 1);
    const microsoft: SampleReportSpec = {
      ...base,
      day: yesterday,
      organizationName: "Microsoft Corporation",
      contactInfo: "tlsrpt-noreply@microsoft.com",
      reportId: `${133_000_000 + domainIndex}+${domain}`,
      successful: 12 + domainIndex * 3,
      failures: [],
    };
    written.push(await writeSample(dir, microsoft, "microsoft.com", "email"));

    if (domainIndex === 0) {
      const small: SampleReportSpec = {
        ...base,
        day: yesterday,
        organizationName: "mx.fabrikam.example",
        contactInfo: "postmaster@fabrikam.example",
        reportId: `${yesterday}_${domain}_fabrikam`,
        successful: 3,
        failures: [],
      };
      written.push(await writeSample(dir, small, "fabrikam.example", "json"));
    }
  }

  return written;
}
