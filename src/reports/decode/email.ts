/**
 * Finds the TLS-RPT report parts of an e-mail (RFC 8460 section 5.3: a multipart/report
 * whose report part is application/tlsrpt+json, or application/tlsrpt+gzip when
 * compressed). The label only selects the parts to look at. The bytes decide whether a
 * part is gzip or JSON, because senders mislabel both ways.
 */

import PostalMime from "postal-mime";
import type { IngestLimits } from "../limits.js";
import { type ReportMailHeaders, readReportMailHeaders } from "../model/subject.js";
import { UnreadableInputError } from "../quarantine.js";
import { decodeLeafBody, type MimeLeaf, parseMimeMessage } from "./mime.js";
import { firstField } from "./mime-headers.js";
import { isGzip, sniffContent } from "./sniff.js";

/** One report found in an e-mail, still possibly gzip-compressed. */
export interface ReportPart {
  bytes: Buffer;
  fileName: string | null;
  warnings: string[];
}

/** The report parts of an e-mail and the report fields of its headers. */
export interface EmailReports {
  headers: ReportMailHeaders;
  parts: ReportPart[];
  warnings: string[];
}

const GZIP_LABELS = new Set([
  "application/tlsrpt+gzip",
  "application/gzip",
  "application/x-gzip",
  "application/x-gzip-compressed",
]);

const JSON_LABELS = new Set(["application/tlsrpt+json", "application/json"]);

/** RFC 8460 section 5.1 file names end in .json or .json.gz. */
const REPORT_FILE_NAME = /\.(json|json\.gz|gz)$/i;

function isLabelledReport(mediaType: string, fileName: string | null): boolean {
  return (
    GZIP_LABELS.has(mediaType) ||
    JSON_LABELS.has(mediaType) ||
    mediaType === "application/octet-stream" ||
    (fileName !== null && REPORT_FILE_NAME.test(fileName))
  );
}

/** Warnings when a part's label disagrees with its bytes. */
function labelWarnings(mediaType: string, bytes: Uint8Array): string[] {
  const gzip = isGzip(bytes);
  if (GZIP_LABELS.has(mediaType) && !gzip) {
    return [`MIME part labelled ${mediaType} holds plain JSON; it was read by its content`];
  }
  if (JSON_LABELS.has(mediaType) && gzip) {
    return [`MIME part labelled ${mediaType} holds gzip data; it was read by its content`];
  }
  if (!GZIP_LABELS.has(mediaType) && !JSON_LABELS.has(mediaType)) {
    return [
      `report part is labelled ${mediaType}; RFC 8460 section 5.3 uses application/tlsrpt+gzip or application/tlsrpt+json`,
    ];
  }
  return [];
}

interface Candidate {
  mediaType: string;
  fileName: string | null;
  bytes: () => Buffer;
}

/** Keeps the candidates whose bytes are gzip or JSON, labelled ones first. */
function collectParts(candidates: Candidate[]): { parts: ReportPart[]; seen: string[] } {
  const labelled = candidates.filter((part) => isLabelledReport(part.mediaType, part.fileName));
  const pool = labelled.length > 0 ? labelled : candidates;
  const parts: ReportPart[] = [];

  for (const candidate of pool) {
    const bytes = candidate.bytes();
    const kind = sniffContent(bytes);
    if (kind !== "gzip" && kind !== "json") {
      continue;
    }
    parts.push({
      bytes,
      fileName: candidate.fileName,
      warnings: labelWarnings(candidate.mediaType, bytes),
    });
  }

  return { parts, seen: candidates.map((part) => part.mediaType) };
}

function leafCandidate(leaf: MimeLeaf): Candidate {
  return { mediaType: leaf.mediaType, fileName: leaf.fileName, bytes: () => decodeLeafBody(leaf) };
}

/**
 * Second reading with postal-mime, for mail the small reader above finds no report in
 * (for example an attachment name in RFC 2047 encoded words, or an odd structure).
 */
async function readWithPostalMime(
  bytes: Uint8Array,
  limits: IngestLimits,
): Promise<{ parts: ReportPart[]; headers: ReportMailHeaders } | null> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(bytes, { maxNestingDepth: limits.maxMimeDepth });
  } catch {
    return null;
  }

  const candidates: Candidate[] = email.attachments.map((attachment) => ({
    mediaType: attachment.mimeType.toLowerCase(),
    fileName: attachment.filename,
    bytes: () => Buffer.from(attachment.content as ArrayBuffer),
  }));
  const { parts } = collectParts(candidates);
  const field = (name: string) =>
    email.headers.find((header) => header.key === name)?.value ?? null;
  return { parts, headers: readReportMailHeaders(field) };
}

/** Returns the report parts of one e-mail; throws UnreadableInputError when there is none. */
export async function extractEmailReports(
  bytes: Uint8Array,
  limits: IngestLimits,
): Promise<EmailReports> {
  const message = parseMimeMessage(bytes, limits.maxMimeDepth);
  const headers = readReportMailHeaders((name) => firstField(message.headers, name));
  const { parts, seen } = collectParts(message.leaves.map(leafCandidate));
  if (parts.length > 0) {
    return { headers, parts, warnings: message.warnings };
  }

  const fallback = await readWithPostalMime(bytes, limits);
  if (fallback !== null && fallback.parts.length > 0) {
    return { headers: fallback.headers, parts: fallback.parts, warnings: message.warnings };
  }

  throw new UnreadableInputError(
    "no-report-part",
    `e-mail has no part holding gzip or JSON data (parts: ${seen.join(", ") || "none"}); RFC 8460 section 5.3 puts the report in an application/tlsrpt+gzip or application/tlsrpt+json part`,
  );
}
