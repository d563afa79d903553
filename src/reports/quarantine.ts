/**
 * Quarantine: inputs that cannot be read as a TLS-RPT report are copied to a folder with a
 * text file that states why, so nothing is dropped silently and the rest of a batch goes on.
 */

import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type ContentKind, sniffContent } from "./decode/sniff.js";

/** Stable codes for why an input was quarantined; docs/reports.md lists them. */
export type QuarantineCode =
  | "too-large"
  | "decompressed-too-large"
  | "invalid-gzip"
  | "invalid-utf8"
  | "invalid-json"
  | "too-deep"
  | "forbidden-key"
  | "not-a-report"
  | "invalid-domain"
  | "no-report-part"
  | "invalid-mime"
  | "unrecognised-content";

/** Raised by the decoders when an input cannot become a report; ingestion quarantines it. */
export class UnreadableInputError extends Error {
  readonly code: QuarantineCode;

  constructor(code: QuarantineCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableInputError";
    this.code = code;
  }
}

/** One quarantined input as reported to the caller. */
export interface QuarantinedInput {
  origin: string;
  code: QuarantineCode;
  reason: string;
  /** The copy of the input, or null when it was too large to copy. */
  path: string | null;
  reasonPath: string;
}

/** File extension for a quarantined copy, chosen from its content, never from its name. */
const EXTENSIONS: Record<ContentKind, string> = {
  gzip: "gz",
  json: "json",
  mbox: "mbox",
  email: "eml",
  unknown: "bin",
};

/**
 * Writes `bytes` (null when the input was too large to keep) and a reason file into
 * `dir`. File names come from a SHA-256 of the content or, without content, of the
 * origin, so quarantining the same input twice rewrites the same two files.
 */
export async function writeQuarantine(
  dir: string,
  origin: string,
  bytes: Uint8Array | null,
  error: UnreadableInputError,
): Promise<QuarantinedInput> {
  await mkdir(dir, { recursive: true });

  const digest = createHash("sha256")
    .update(bytes ?? origin)
    .digest("hex")
    .slice(0, 24);
  const copyPath =
    bytes === null ? null : path.join(dir, `${digest}.${EXTENSIONS[sniffContent(bytes)]}`);
  const reasonPath = path.join(dir, `${digest}.reason.txt`);

  if (copyPath !== null && bytes !== null) {
    await writeFile(copyPath, bytes);
  }

  const lines = [
    `source: ${origin}`,
    `reason: ${error.code}`,
    `detail: ${error.message}`,
    `size: ${bytes === null ? "not copied" : `${bytes.length} bytes`}`,
  ];
  await writeFile(reasonPath, `${lines.join("\n")}\n`);

  return { origin, code: error.code, reason: error.message, path: copyPath, reasonPath };
}
