/**
 * Decodes one input (a file or a fetched message) into report payloads. The content
 * decides what the input is: gzip by its magic bytes, JSON by its first character,
 * an mbox by its "From " line, otherwise an e-mail by its header fields.
 */

import type { IngestLimits } from "../limits.js";
import type { ReportEnvelope } from "../model/normalize-report.js";
import { UnreadableInputError } from "../quarantine.js";
import { extractEmailReports } from "./email.js";
import { type GunzipResult, gunzipBounded, gunzipFailure } from "./gzip.js";
import { splitMbox } from "./mbox.js";
import { isGzip, sniffContent } from "./sniff.js";

/** A report's JSON bytes and where they came from. */
export interface DecodedReport {
  payload: Buffer;
  envelope: ReportEnvelope;
  /** The smallest whole input holding the report (a file or one e-mail), for quarantine. */
  unit: { origin: string; bytes: Uint8Array };
}

/** An input, or part of one, that could not be decoded. */
export interface DecodeFailure {
  origin: string;
  bytes: Uint8Array | null;
  error: UnreadableInputError;
}

/** Everything found in one input. */
export interface DecodedInput {
  reports: DecodedReport[];
  failures: DecodeFailure[];
}

function tooLarge(
  description: string,
  size: number,
  limit: number,
  name: string,
): UnreadableInputError {
  return new UnreadableInputError(
    "too-large",
    `${description} is ${size} bytes, over the ${name} limit of ${limit} bytes`,
  );
}

function asFailure(error: unknown, origin: string, bytes: Uint8Array | null): DecodeFailure {
  if (error instanceof UnreadableInputError) {
    return { origin, bytes, error };
  }
  throw error;
}

async function decodeEmail(
  bytes: Uint8Array,
  origin: string,
  limits: IngestLimits,
  found: DecodedInput,
): Promise<void> {
  if (bytes.length > limits.maxMessageBytes) {
    found.failures.push({
      origin,
      bytes: null,
      error: tooLarge("e-mail", bytes.length, limits.maxMessageBytes, "maxMessageBytes"),
    });
    return;
  }

  const reports: DecodedReport[] = [];
  try {
    const email = await extractEmailReports(bytes, limits);
    for (const part of email.parts) {
      const payload = isGzip(part.bytes)
        ? gunzipBounded(part.bytes, limits.maxDecompressedBytes)
        : part.bytes;
      reports.push({
        payload,
        envelope: {
          fileName: part.fileName,
          mail: email.headers,
          warnings: [...email.warnings, ...part.warnings],
        },
        unit: { origin, bytes },
      });
    }
  } catch (error) {
    found.failures.push(asFailure(error, origin, bytes));
    return;
  }
  found.reports.push(...reports);
}

function plainReport(
  payload: Buffer,
  fileName: string | null,
  unit: DecodedReport["unit"],
): DecodedReport {
  return { payload, envelope: { fileName, mail: null, warnings: [] }, unit };
}

/**
 * Decodes `bytes` read from `origin`. `fileName` is the input's file name when it has one;
 * it can attribute a report without policy-domain, never decide the format. `gunzipped`
 * is the gunzip outcome of a gzip input that the source already decompressed.
 */
export async function decodeInput(
  bytes: Buffer,
  origin: string,
  fileName: string | null,
  limits: IngestLimits,
  gunzipped?: GunzipResult,
): Promise<DecodedInput> {
  const found: DecodedInput = { reports: [], failures: [] };
  const unit = { origin, bytes };

  switch (sniffContent(bytes)) {
    case "json":
      if (bytes.length > limits.maxDecompressedBytes) {
        found.failures.push({
          origin,
          bytes: null,
          error: tooLarge(
            "JSON report",
            bytes.length,
            limits.maxDecompressedBytes,
            "maxDecompressedBytes",
          ),
        });
      } else {
        found.reports.push(plainReport(bytes, fileName, unit));
      }
      return found;

    case "gzip":
      return decodeGzipInput(bytes, origin, fileName, limits, found, gunzipped);

    case "mbox":
      return decodeMbox(bytes, origin, limits, found);

    case "email":
      await decodeEmail(bytes, origin, limits, found);
      return found;

    default:
      found.failures.push({
        origin,
        bytes,
        error: new UnreadableInputError(
          "unrecognised-content",
          "content is neither gzip, JSON, an e-mail nor an mbox file",
        ),
      });
      return found;
  }
}

async function decodeGzipInput(
  bytes: Buffer,
  origin: string,
  fileName: string | null,
  limits: IngestLimits,
  found: DecodedInput,
  gunzipped: GunzipResult | undefined,
): Promise<DecodedInput> {
  if (bytes.length > limits.maxMessageBytes) {
    found.failures.push({
      origin,
      bytes: null,
      error: tooLarge("gzip file", bytes.length, limits.maxMessageBytes, "maxMessageBytes"),
    });
    return found;
  }

  let inner: Buffer;
  if (gunzipped !== undefined && "failure" in gunzipped) {
    const { code, message } = gunzipped.failure;
    found.failures.push({
      origin,
      bytes,
      error: gunzipFailure(code, message, limits.maxDecompressedBytes),
    });
    return found;
  }
  if (gunzipped !== undefined) {
    inner = gunzipped.bytes;
  } else {
    try {
      inner = gunzipBounded(bytes, limits.maxDecompressedBytes);
    } catch (error) {
      found.failures.push(asFailure(error, origin, bytes));
      return found;
    }
  }

  switch (sniffContent(inner)) {
    case "json":
      found.reports.push(plainReport(inner, fileName, { origin, bytes }));
      return found;
    case "email":
      await decodeEmail(inner, origin, limits, found);
      return found;
    case "mbox":
      return decodeMbox(inner, origin, limits, found);
    default:
      found.failures.push({
        origin,
        bytes,
        error: new UnreadableInputError(
          "unrecognised-content",
          "gzip data decompresses to neither JSON, an e-mail nor an mbox file",
        ),
      });
      return found;
  }
}

async function decodeMbox(
  bytes: Buffer,
  origin: string,
  limits: IngestLimits,
  found: DecodedInput,
): Promise<DecodedInput> {
  let messages: Buffer[];
  try {
    messages = splitMbox(bytes, limits.maxMboxMessages);
  } catch (error) {
    found.failures.push(asFailure(error, origin, null));
    return found;
  }

  for (const [index, message] of messages.entries()) {
    await decodeEmail(message, `${origin}#${index + 1}`, limits, found);
  }
  return found;
}
